"""The permission matrix: every role, inside and outside its scope, on read and write pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.orgs.models import OrgUnit
from survey.people.models import User

ROLES = ["district", "street", "committee", "village", "grid", "auditor"]

# page -> expected status per demo account (see survey/demo.py for their units):
# district LJ; street LJ01 (朝阳 LJ0101 is inside, 桃源 LJ0202 outside); committee LJ0101;
# village LJ0202; grid LJ0101-01; auditor LJ (read-only).
READ_PAGES = {
    "/orgs/LJ0101": dict(district=200, street=200, committee=200, village=403, grid=403, auditor=200),
    "/orgs/LJ0202": dict(district=200, street=403, committee=403, village=200, grid=403, auditor=200),
    "/orgs/LJ0101-01": dict(district=200, street=200, committee=200, village=403, grid=200, auditor=200),
    "/orgs/LJ0101/export.csv": dict(district=200, street=200, committee=200, village=403, grid=403, auditor=200),
    "/orgs/LJ0101/edit": dict(district=200, street=200, committee=200, village=403, grid=403, auditor=403),
    "/orgs/LJ0202/edit": dict(district=200, street=403, committee=403, village=200, grid=403, auditor=403),
    "/orgs/LJ0101/new": dict(district=200, street=200, committee=200, village=403, grid=403, auditor=403),
    "/users/": dict(district=200, street=200, committee=200, village=200, grid=403, auditor=200),
    "/users/new": dict(district=200, street=200, committee=403, village=403, grid=403, auditor=403),
    "/audit/": dict(district=200, street=200, committee=403, village=403, grid=403, auditor=200),
}


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).filter_by(username=username))


@pytest.mark.parametrize("account", ROLES)
def test_read_and_form_pages(app, client, login, account):
    login(account)
    got = {page: client.get(page).status_code for page in READ_PAGES}
    want = {page: expected[account] for page, expected in READ_PAGES.items()}
    assert got == want


@pytest.mark.parametrize(
    "account, target, expected",
    [
        # viewing an account: needs view_users over every unit of that account
        ("district", "committee", 200), ("street", "committee", 200), ("committee", "committee", 200),
        ("village", "committee", 403), ("grid", "committee", 403), ("auditor", "committee", 200),
        ("street", "village", 403), ("committee", "district", 403),
    ],
)
def test_view_account(app, client, login, account, target, expected):
    login(account)
    assert client.get(f"/users/{user_id(app, target)}").status_code == expected


@pytest.mark.parametrize(
    "account, unit, expected",
    [
        ("district", "LJ0202", 302), ("street", "LJ0101", 302), ("street", "LJ0202", 403),
        ("committee", "LJ0101-02", 302), ("committee", "LJ0202-01", 403), ("village", "LJ0101-02", 403),
        ("grid", "LJ0101-01", 403), ("auditor", "LJ0101-01", 403),
    ],
)
def test_edit_unit_in_and_out_of_scope(app, client, login, account, unit, expected):
    login(account)
    with app.app_context():
        before = db.session.scalar(select(OrgUnit).filter_by(code=unit))
        level, old_name = before.level.value, before.name
    data = {"name": "新名称", "phone": "0571-1234"}
    if level == "grid":
        data.update(households="321", residents="800")
    token_page = f"/orgs/{unit}/edit" if expected == 302 else "/account/password"
    response = client.submit(f"/orgs/{unit}/edit", data, page=token_page)
    assert response.status_code == expected
    with app.app_context():
        after = db.session.scalar(select(OrgUnit).filter_by(code=unit))
        assert after.name == ("新名称" if expected == 302 else old_name)


@pytest.mark.parametrize(
    "account, target, expected",
    [
        ("district", "grid", 302), ("street", "grid", 302), ("street", "village", 403),
        ("committee", "grid", 403), ("auditor", "grid", 403), ("grid", "grid", 403),
    ],
)
def test_manage_account_in_and_out_of_scope(app, client, login, account, target, expected):
    login(account)
    target_id = user_id(app, target)
    data = {"settings-display_name": "改过的名字", "settings-active": "y", "settings-submit": "1"}
    response = client.submit(f"/users/{target_id}", data, page="/account/password")
    assert response.status_code == expected
    with app.app_context():
        changed = db.session.get(User, target_id).display_name == "改过的名字"
    assert changed is (expected == 302)


def test_street_admin_cannot_give_a_role_outside_its_street(app, client, login):
    login("street")
    response = client.submit(
        "/users/new",
        {"username": "outsider", "display_name": "外人", "password": "long-enough-pw", "role": "committee_member", "unit": "LJ0202"},
    )
    assert response.status_code == 200  # the form is shown again: LJ0202 is not among its choices
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="outsider")) is None


def test_admin_creates_account_in_scope(app, client, login):
    login("street")
    response = client.submit(
        "/users/new",
        {"username": "wang.wei", "display_name": "王伟", "password": "long-enough-pw", "role": "committee_member", "unit": "LJ0102"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="wang.wei"))
        assert [(a.role.value, a.unit.code) for a in user.roles] == [("committee_member", "LJ0102")]
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    assert client.submit("/login", {"username": "wang.wei", "password": "long-enough-pw"}).status_code == 302
    assert client.get("/orgs/LJ0102").status_code == 200
    assert client.get("/orgs/LJ0101").status_code == 403


def test_role_must_fit_the_unit_level(app, client, login):
    login("district")
    response = client.submit(
        "/users/new",
        {"username": "misfit", "display_name": "错位", "password": "long-enough-pw", "role": "street_admin", "unit": "LJ0101"},
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="misfit")) is None


@pytest.mark.parametrize("page", ["/orgs/", "/orgs/LJ0101", "/users/", "/users/new", "/audit/", "/account/password"])
def test_anonymous_is_sent_to_login(client, demo, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_department_added_under_the_district_and_liaison_role_fits_only_there(app, client, login):
    login("district")
    response = client.submit("/orgs/LJ/new?level=department", {"code": "LJ-MZ", "name": "区民政局"})
    assert response.status_code == 302
    with app.app_context():
        unit = db.session.scalar(select(OrgUnit).filter_by(code="LJ-MZ"))
        assert unit.level.value == "department" and unit.parent.code == "LJ"
    ok = client.submit("/users/new", {"username": "minzheng", "display_name": "民政联络员", "password": "long-enough-pw",
                                      "role": "department_liaison", "unit": "LJ-MZ"})
    misfit = client.submit("/users/new", {"username": "misfit2", "display_name": "x", "password": "long-enough-pw",
                                          "role": "department_liaison", "unit": "LJ0101"})
    assert ok.status_code == 302 and misfit.status_code == 200
    assert client.get("/orgs/LJ0101/new?level=department").status_code == 404
