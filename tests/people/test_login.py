import uuid

import pytest
import redis
from sqlalchemy import select

from survey.extensions import db
from survey.people.models import User


def test_login_wrong_password_is_refused(client, demo):
    response = client.submit("/login", {"username": "committee", "password": "wrong-password"})
    assert response.status_code == 200
    assert client.get("/orgs/").status_code == 302  # still anonymous


def test_login_redirects_only_within_the_site(client, demo):
    response = client.submit("/login?next=//evil.example/x", {"username": "committee", "password": demo}, page="/login")
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    response = client.submit("/login?next=/orgs/LJ0101", {"username": "committee", "password": demo}, page="/login")
    assert response.headers["Location"] == "/orgs/LJ0101"


def test_repeated_bad_logins_on_one_account_are_throttled(client, demo):
    codes = [
        client.submit("/login", {"username": "committee", "password": f"bad-{i}"}).status_code for i in range(6)
    ]
    assert codes == [200] * 5 + [429]
    # the right password is refused too while the account is throttled
    assert client.submit("/login", {"username": "committee", "password": demo}).status_code == 429
    # another account from the same address is still allowed
    assert client.submit("/login", {"username": "village", "password": demo}).status_code == 302


def test_many_accounts_from_one_address_are_throttled(app, client, demo):
    limit = int(app.config["LOGIN_LIMIT_PER_ADDRESS"].split()[0])
    codes = [
        client.submit("/login", {"username": f"nobody{i}", "password": "x"}).status_code for i in range(limit + 1)
    ]
    assert codes[:limit] == [200] * limit
    assert codes[limit] == 429
    page = client.submit("/login", {"username": "someone", "password": "x"})
    assert page.status_code == 429
    assert "尝试次数过多" in page.get_data(as_text=True)


def test_successful_logins_do_not_count(client, demo):
    for _ in range(8):
        assert client.submit("/login", {"username": "grid", "password": demo}).status_code == 302
        client.post("/logout", data={"csrf_token": client.csrf_token("/")})


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, login):
    login("district")
    response = client.post("/orgs/LJ0101/edit", data={"name": "被篡改"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    with app.app_context():
        from survey.orgs.operations import unit_by_code

        assert unit_by_code("LJ0101").name == "朝阳社区"


def test_login_without_csrf_token_is_refused(client, demo):
    response = client.post("/login", data={"username": "committee", "password": demo})
    assert response.status_code == 400
    assert client.get("/orgs/").status_code == 302


def test_password_change_ends_other_sessions(app, client, login, demo):
    login("committee")
    other = app.test_client()
    other.submit("/login", {"username": "committee", "password": demo})
    assert other.get("/orgs/").status_code == 302 and other.get("/orgs/LJ0101").status_code == 200

    response = client.submit(
        "/account/password",
        {"current_password": demo, "new_password": "a-new-long-password", "confirm": "a-new-long-password"},
    )
    assert response.status_code == 302
    assert client.get("/orgs/LJ0101").status_code == 200  # this session goes on
    assert other.get("/orgs/LJ0101").status_code == 302  # the other one has to log in again
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="committee"))
        assert user.check_password("a-new-long-password") and not user.check_password(demo)


def test_password_change_refuses_wrong_current_or_weak_new(app, client, login, demo):
    login("committee")
    wrong = client.submit(
        "/account/password", {"current_password": "not-it", "new_password": "a-new-long-password", "confirm": "a-new-long-password"}
    )
    weak = client.submit("/account/password", {"current_password": demo, "new_password": "short", "confirm": "short"})
    assert wrong.status_code == 200 and "当前密码不正确" in wrong.get_data(as_text=True)
    assert weak.status_code == 200 and "至少" in weak.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="committee")).check_password(demo)


def test_deactivated_account_cannot_log_in_and_loses_its_session(app, client, login, demo):
    other = app.test_client()
    other.submit("/login", {"username": "grid", "password": demo})
    login("street")
    with app.app_context():
        grid_id = db.session.scalar(select(User.id).filter_by(username="grid"))
    response = client.submit(f"/users/{grid_id}", {"settings-display_name": "刘芳", "settings-submit": "1"})
    assert response.status_code == 302
    assert other.get("/orgs/LJ0101-01").status_code == 302
    assert other.submit("/login", {"username": "grid", "password": demo}).status_code == 200


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}"


@pytest.mark.app_config(REDIS_URL=REDIS_TEST_URL, RATELIMIT_STORAGE_URI=None, RATELIMIT_KEY_PREFIX=REDIS_PREFIX)
def test_throttling_uses_redis_when_configured(app, demo):
    """With REDIS_URL set, failed logins are counted in Redis, shared by every worker process."""
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_TEST_URL
    first, second = app.test_client(), app.test_client()  # two browsers, as on two workers
    codes = [c.submit("/login", {"username": "street", "password": "bad"}).status_code for c in (first, second) * 3]
    assert codes == [200] * 5 + [429]
    store = redis.Redis.from_url(REDIS_TEST_URL)
    keys = store.keys(f"*{REDIS_PREFIX}*")
    assert keys
    store.delete(*keys)
