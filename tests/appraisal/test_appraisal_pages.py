"""Pages of the appraisal: scoped by unit, thin over the operations."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from survey.appraisal.models import AppraisalCycle, CycleStatus
from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.orgs.operations import unit_by_code
from survey.people.models import Role
from survey.people.operations import create_user


def _other_street_admin(app, password):
    with app.app_context():
        create_user(None, "qingshan", "周涛", password, Role.street_admin, unit_by_code("LJ02"))
        db.session.commit()


def test_street_admin_runs_the_cycle_from_the_pages(app, client, login, hand_cycle):
    login("street")
    url = f"/appraisal/cycles/{hand_cycle}"
    page = client.get(url)
    assert page.status_code == 200 and "甲" in page.get_data(as_text=True)
    assert client.get("/appraisal/").status_code == 200
    assert client.get(f"{url}/ballots").status_code == 200
    bad = client.submit(f"{url}/inputs", {"file": (io.BytesIO("cadre,K\n无此人,80\n".encode()), "k.csv")},
                        content_type="multipart/form-data")
    assert bad.status_code == 400 and "第2行" in bad.get_data(as_text=True)
    assert client.submit(f"{url}/compute", page=url).status_code == 302
    with app.app_context():
        cycle = db.session.get(AppraisalCycle, hand_cycle)
        assert cycle.status is CycleStatus.proposed
        bing = next(a for a in cycle.appraisals if a.cadre.name == "丙")
    # a grade different from the proposal without a reason is refused
    refused = client.submit(f"{url}/confirm/{bing.id}", {f"a{bing.id}-appraisal": bing.id, f"a{bing.id}-grade": "excellent",
                                                         f"a{bing.id}-reason": "", f"a{bing.id}-submit": "1"}, page=url,
                            follow_redirects=True)
    assert "reason" in refused.get_data(as_text=True) or "理由" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AppraisalCycle, hand_cycle).appraisals[2].final_grade is None
    text = client.get(url).get_data(as_text=True)
    assert "97.80" in text and "88.00" in text
    assert client.get(f"{url}/projects").status_code == 200
    assert client.get("/appraisal/cadres/").status_code == 200


def test_another_streets_admin_gets_403(app, client, login, hand_cycle, demo):
    _other_street_admin(app, demo)
    login("qingshan")
    url = f"/appraisal/cycles/{hand_cycle}"
    assert client.get(url).status_code == 403
    assert client.get(f"{url}/ballots").status_code == 403
    with app.app_context():
        cycle = db.session.get(AppraisalCycle, hand_cycle)
        appraisal_id, cadre_id = cycle.appraisals[0].id, cycle.appraisals[0].cadre_id
    assert client.get(f"/appraisal/sheets/{appraisal_id}.pdf").status_code == 403
    assert client.get(f"/appraisal/cadres/{cadre_id}").status_code == 403
    # and the list shows nothing of LJ01
    assert "滨江街道" not in client.get("/appraisal/").get_data(as_text=True)


def test_auditor_reads_but_cannot_change(app, client, login, hand_cycle):
    login("auditor")
    url = f"/appraisal/cycles/{hand_cycle}"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}/ballots").status_code == 403
    assert client.submit(f"{url}/compute", page=url).status_code == 403


def test_committee_member_manages_members_of_their_community(app, client, login):
    login("committee")
    assert client.get("/appraisal/members/").status_code == 200
    response = client.submit("/appraisal/members/new", {"name": "黄伟", "home": "LJ0101", "employer": "区财政局",
                                                        "posts": "楼道长\n垃圾分类督导员", "submit": "1"})
    assert response.status_code == 302
    member_url = response.headers["Location"]
    added = client.submit(member_url, {"s-served_on": "2025-03-08", "s-hours": "2", "s-activity": "垃圾分类督导",
                                       "s-checkin": "y", "s-submit": "1"})
    assert added.status_code == 302
    assert "垃圾分类督导" in client.get(member_url).get_data(as_text=True)
    assert client.get("/appraisal/").status_code == 403  # no cycles for a committee


def test_committee_starts_a_half_year_rating_of_a_member(app, client, login):
    from datetime import date, timedelta

    from survey.appraisal.models import ReportingMember
    from survey.demo import seed_appraisal, seed_surveys
    from survey.questionnaires.models import Campaign

    with app.app_context():
        seed_surveys()
        seed_appraisal()
        db.session.commit()
        member = db.session.scalars(
            select(ReportingMember).join(ReportingMember.home_unit).where(OrgUnit.code == "LJ0101")
        ).first()
        member_id, name = member.id, member.name
    login("committee")
    page = f"/appraisal/members/{member_id}"
    html = client.get(page).get_data(as_text=True)
    assert "半年度" in html or "评议" in html
    version = re.search(r'<select[^>]*name="r-version"[^>]*>\s*<option[^>]*value="(\d+)"', html).group(1)
    today = date.today()
    response = client.submit(page, {
        "r-version": version, "r-title": f"{name} 服务评价", "r-opens_on": today.isoformat(),
        "r-closes_on": (today + timedelta(days=14)).isoformat(), "r-submit": "1",
    })
    assert response.status_code == 302 and "/campaigns/" in response.headers["Location"]
    with app.app_context():
        campaign = db.session.scalars(select(Campaign).filter_by(target_type="member", member_id=member_id)).one()
        assert campaign.member.name == name and campaign.unit.code == "LJ0101"
    campaign_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert name in campaign_page
