"""The public opinion box: submit without an account, receipt, tracking, privacy, photos, limits."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from opinion_helpers import audit_text, image_bytes, opinion_row, submit_public, tracking_code
from survey.extensions import db
from survey.opinions import codes
from survey.opinions.models import Opinion, OpinionStatus


def test_form_shows_categories_and_the_community_grids(client, demo):
    page = client.get("/opinions/LJ0101/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'type="radio"' in html and 'name="category"' in html
    assert "第1网格" in html and "第8网格" in html
    assert 'enctype="multipart/form-data"' in html
    assert "<script" not in html  # no JavaScript on resident pages


def test_unknown_or_non_community_units_are_404(client, demo):
    assert client.get("/opinions/NOPE/new").status_code == 404
    assert client.get("/opinions/LJ01/new").status_code == 404  # a street
    assert client.get("/opinions/LJ0101-01/new").status_code == 404  # a grid


def test_opinion_without_account_gets_a_tracking_code(app, client, demo):
    response = submit_public(client, grid="LJ0101-03", text="3号楼路灯不亮", contact_name="王阿姨", contact_phone="138 0000 1111")
    assert response.status_code == 302
    code = tracking_code(response)
    assert len(code) == 10 and set(code) <= set(codes.ALPHABET)
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert codes.display(code) in html
    assert f"/opinions/track/{code}" in html
    with app.app_context():
        opinion = db.session.scalar(select(Opinion).filter_by(tracking_code=code))
        assert opinion.status is OpinionStatus.submitted
        assert opinion.grid.code == "LJ0101-03"
        assert opinion.contact_phone == "138 0000 1111"
        assert opinion.logged_by is None


def test_opinion_is_visible_to_its_committee_only(app, client, login, demo):
    code = tracking_code(submit_public(client, text="垃圾桶满了没人清"))
    with app.app_context():
        opinion_id = db.session.scalar(select(Opinion.id).filter_by(tracking_code=code))
    login("committee")
    assert "垃圾桶满了没人清" in client.get("/opinions/").get_data(as_text=True)
    assert client.get(f"/opinions/{opinion_id}").status_code == 200
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("village")  # the committee of another community
    assert "垃圾桶满了没人清" not in client.get("/opinions/").get_data(as_text=True)
    assert client.get(f"/opinions/{opinion_id}").status_code == 403
    token = client.csrf_token("/opinions/")
    for action in ("accept", "answer", "close", "assign", "whistle", "proposal"):
        assert client.post(f"/opinions/{opinion_id}/{action}", data={"csrf_token": token, "text": "x"}).status_code in (403, 404)
    assert client.get(f"/opinions/{opinion_id}/photo").status_code == 403
    with app.app_context():
        assert opinion_row(opinion_id).status is OpinionStatus.submitted


def test_committee_pages_need_a_login(client, make_opinion):
    opinion_id = make_opinion()
    for url in ("/opinions/", f"/opinions/{opinion_id}", f"/opinions/{opinion_id}/photo", "/whistles/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_contact_and_photo_never_on_public_pages_or_in_the_log(app, client, demo):
    response = submit_public(
        client, text="小区门口积水", contact_name="隐私姓名", contact_phone="13912345678",
        photo=(io.BytesIO(image_bytes("PNG")), "photo.png", "image/png"),
    )
    code = tracking_code(response)
    for url in (f"/opinions/receipt/{code}", f"/opinions/track/{code}"):
        html = client.get(url).get_data(as_text=True)
        assert "小区门口积水" in html or url.endswith("receipt/" + code)
        assert "隐私姓名" not in html and "13912345678" not in html
        assert "/photo" not in html and "<img" not in html
    with app.app_context():
        opinion = db.session.scalar(select(Opinion).filter_by(tracking_code=code))
        assert opinion.photo_file
        log = audit_text()
        assert code in log
        assert "隐私姓名" not in log and "13912345678" not in log and opinion.photo_file not in log


def test_tracking_page_by_typed_code(client, make_opinion, app):
    opinion_id = make_opinion("井盖松动")
    with app.app_context():
        code = opinion_row(opinion_id).tracking_code
    typed = f"{code[:5].lower()} - {code[5:].lower()}"
    response = client.submit("/opinions/track", {"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/opinions/track/{code}")
    page = client.get(f"/opinions/track/{code}")
    assert "井盖松动" in page.get_data(as_text=True)
    # the dashed form of the code leads to the same page
    assert client.get(f"/opinions/track/{codes.display(code)}").headers["Location"].endswith(f"/opinions/track/{code}")
    wrong = client.submit("/opinions/track", {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 200 and "/opinions/track/" not in (wrong.headers.get("Location") or "")
    assert client.get("/opinions/track/AAAAAAAAAA").status_code == 404


def test_tracking_codes_are_random_and_unambiguous():
    seen = {codes.new_code() for _ in range(500)}
    assert len(seen) == 500
    for ambiguous in "0O1IL2Z5S8BUVQD":
        assert ambiguous not in codes.ALPHABET
    code = next(iter(seen))
    assert codes.normalise(codes.display(code).lower()) == code
    assert codes.normalise("O" * 10) is None and codes.normalise("") is None and codes.normalise(code + "A") is None


def test_retry_of_the_same_submission_returns_the_same_receipt(app, client, demo):
    data = {"submission_id": "ab" * 16}
    first = submit_public(client, **data)
    second = submit_public(client, **data)
    assert tracking_code(first) == tracking_code(second)
    with app.app_context():
        assert db.session.scalar(select(func.count(Opinion.id))) == 1


def test_form_errors_keep_nothing(app, client, demo):
    response = submit_public(client, category="", text="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="r-error"' in html
    too_long = submit_public(client, text="长" * (app.config["OPINION_TEXT_MAX"] + 1))
    assert too_long.status_code == 400
    bad_grid = submit_public(client, grid="LJ0202-01")  # a grid of another community
    assert bad_grid.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Opinion.id))) == 0


def test_post_without_csrf_token_is_refused(app, client, demo):
    response = client.post("/opinions/LJ0101/new", data={"category": "other", "text": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Opinion.id))) == 0


@pytest.mark.app_config(OPINION_SUBMIT_LIMIT="2 per minute")
def test_public_form_is_rate_limited_per_address(app, client, demo):
    codes_ = [submit_public(client, text=f"意见{i}").status_code for i in range(3)]
    assert codes_ == [302, 302, 429]
    assert client.get("/opinions/LJ0101/new").status_code == 200  # reading the form is not limited
    other = app.test_client()
    response = other.submit("/opinions/LJ0101/new", {"category": "other", "text": "换个地址"},
                            environ_base={"REMOTE_ADDR": "10.1.2.3"}, content_type="multipart/form-data")
    assert response.status_code == 302


# --- photos ---------------------------------------------------------------------------------


def _photo_files(app) -> list[Path]:
    folder = Path(app.config["OPINION_PHOTO_FOLDER"])
    return sorted(folder.glob("*")) if folder.exists() else []


def test_photo_is_reencoded_under_a_random_name(app, client, login, demo):
    before = set(_photo_files(app))
    jpeg = image_bytes("JPEG", size=(3000, 1000))
    code = tracking_code(submit_public(client, photo=(io.BytesIO(jpeg), "../../../../etc/evil name.jpg", "image/jpeg")))
    new = set(_photo_files(app)) - before
    assert len(new) == 1
    stored = new.pop()
    assert stored.parent == Path(app.config["OPINION_PHOTO_FOLDER"])
    assert "evil" not in stored.name and stored.name.endswith(".jpg") and len(stored.name) == 36
    assert not list(Path(app.config["OPINION_PHOTO_FOLDER"]).parent.rglob("evil*"))
    from PIL import Image

    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) == app.config["OPINION_PHOTO_MAX_SIDE"]  # scaled down
    with app.app_context():
        opinion = db.session.scalar(select(Opinion).filter_by(tracking_code=code))
        assert opinion.photo_file == stored.name
        opinion_id = opinion.id
    login("committee")
    response = client.get(f"/opinions/{opinion_id}/photo")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data == stored.read_bytes()
    assert "no-store" in response.headers["Cache-Control"]


def test_photo_served_only_to_the_committee_of_that_community(app, client, login, demo):
    code = tracking_code(submit_public(client, photo=(io.BytesIO(image_bytes("PNG")), "a.png", "image/png")))
    with app.app_context():
        opinion_id = db.session.scalar(select(Opinion.id).filter_by(tracking_code=code))
    assert client.get(f"/opinions/{opinion_id}/photo").status_code == 302  # anonymous: to the login
    for username in ("village", "grid", "chengguan"):
        login(username)
        assert client.get(f"/opinions/{opinion_id}/photo").status_code == 403, username
        client.post("/logout", data={"csrf_token": client.csrf_token("/")})


@pytest.mark.parametrize(
    "content, filename, mimetype",
    [
        (b"<html><script>alert(1)</script></html>", "x.jpg", "image/jpeg"),  # declared JPEG, is HTML
        (b"GIF89a" + b"\x00" * 64, "x.png", "image/png"),  # a GIF named PNG
        (b"%PDF-1.7\n" + b"0" * 64, "x.jpg", "image/jpeg"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "x.jpg", "image/jpeg"),  # JPEG magic, corrupt body
        (b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>", "x.png", "image/png"),  # PNG magic, not a PNG
    ],
)
def test_photo_refused_by_content(app, client, demo, content, filename, mimetype):
    before = _photo_files(app)
    response = submit_public(client, photo=(io.BytesIO(content), filename, mimetype))
    assert response.status_code == 400
    assert 'class="r-error"' in response.get_data(as_text=True)
    assert _photo_files(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Opinion.id))) == 0


@pytest.mark.app_config(OPINION_PHOTO_MAX_BYTES=2000)
def test_photo_refused_by_size(app, client, demo):
    import os

    noisy = image_bytes("JPEG", size=(64, 64)) + os.urandom(4000)  # a valid start, then too many bytes
    response = submit_public(client, photo=(io.BytesIO(noisy), "big.jpg", "image/jpeg"))
    assert response.status_code == 400
    assert 'id="photo-error"' in response.get_data(as_text=True)
    assert _photo_files(app) == []
    small = submit_public(client, photo=(io.BytesIO(image_bytes("PNG", size=(8, 8))), "s.png", "image/png"))
    assert small.status_code == 302
    assert len(_photo_files(app)) == 1


@pytest.mark.app_config(OPINION_PHOTO_MAX_PIXELS=10_000)
def test_photo_refused_by_pixel_count(app, client, demo):
    response = submit_public(client, photo=(io.BytesIO(image_bytes("PNG", size=(200, 200))), "p.png", "image/png"))
    assert response.status_code == 400
    assert _photo_files(app) == []


def test_stored_photo_names_are_checked_before_any_path_is_built(app):
    from survey.opinions import photos

    with app.app_context():
        for name in ("../x.jpg", "/etc/passwd", "a" * 32 + ".jpg/..", "A" * 32 + ".jpg", "", None):
            with pytest.raises(FileNotFoundError):
                photos.path_of(name)
        assert photos.path_of("0" * 32 + ".jpg").name == "0" * 32 + ".jpg"


def test_photo_drops_the_location_metadata(app, client, demo):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, format="JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    tracking_code(submit_public(client, photo=(io.BytesIO(buffer.getvalue()), "gps.jpg", "image/jpeg")))
    stored = _photo_files(app)[0].read_bytes()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored


def test_contact_is_shown_only_to_the_committee(app, client, login, make_opinion):
    from survey.opinions.operations import Contact

    opinion_id = make_opinion("楼道灯坏了", grid="LJ0101-01", contact=Contact("李大爷", "13655556666"))
    login("committee")
    assert "13655556666" in client.get(f"/opinions/{opinion_id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    login("grid")  # the grid's worker reads the opinion, not the contact
    page = client.get(f"/opinions/{opinion_id}")
    assert page.status_code == 200 and "楼道灯坏了" in page.get_data(as_text=True)
    assert "13655556666" not in page.get_data(as_text=True) and "李大爷" not in page.get_data(as_text=True)
