"""Registering, logging in and out, and /me, driven through pages as a person would."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.testclient import TestClient

from grassroots.accounts.models import AuthSession, User
from grassroots.db import Database
from grassroots.security import Passwords, token_digest
from grassroots.settings import Settings
from grassroots.web import SESSION_COOKIE
from tests.conftest import PASSWORD, csrf_from, field_error, log_in, make_user, page, submit


def register(
    client: TestClient, username: str = "xiaoming", password: str = PASSWORD, display_name: str = "小明"
):  # type: ignore[no-untyped-def]
    return submit(
        client,
        "/register",
        "/register",
        {"username": username, "password": password, "display_name": display_name},
    )


def test_register_makes_a_resident_and_logs_in(client: TestClient, database: Database) -> None:
    response = register(client)
    assert response.status_code == 303 and response.headers["location"] == "/me"
    me = client.get("/me")
    assert me.status_code == 200
    assert "小明" in page(me).select_one("header").get_text()
    with database.reading() as db:
        user = db.scalars(select(User).where(User.username == "xiaoming")).one()
        assert user.password_hash.startswith("$argon2id$")
        assert not user.is_admin


def test_register_keeps_what_was_typed_and_marks_the_field(client: TestClient) -> None:
    response = register(client, username="x", display_name="很长的名字")
    assert response.status_code == 400
    doc = page(response)
    assert doc.select_one("#f-username")["value"] == "x"
    assert doc.select_one("#f-display_name")["value"] == "很长的名字"
    assert doc.select_one("#f-username")["aria-invalid"] == "true"
    assert field_error(response, "username")


def test_usernames_are_unique_regardless_of_case(client: TestClient, database: Database) -> None:
    make_user(database, "laowang")
    response = register(client, username="LaoWang")
    assert response.status_code == 400
    assert field_error(response, "username")


def test_login_rotates_the_session_and_logout_ends_it(client: TestClient, database: Database) -> None:
    make_user(database, "xiaohong")
    client.get("/login")
    anon = client.cookies.get("gr_anon")
    assert anon
    log_in(client, "xiaohong")
    first = client.cookies.get(SESSION_COOKIE)
    assert first and not client.cookies.get("gr_anon")
    # Logging in again from a logged-in browser replaces the session: no fixation.
    response = submit(client, "/me", "/login", {"username": "xiaohong", "password": PASSWORD})
    assert response.status_code == 303
    second = client.cookies.get(SESSION_COOKIE)
    assert second and second != first
    with database.reading() as db:
        assert db.scalar(select(AuthSession).where(AuthSession.token_hash == token_digest(first))) is None
    response = submit(client, "/me", "/logout", {})
    assert response.status_code == 303
    assert client.get("/me").status_code == 303
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_session_cookie_flags(client: TestClient, database: Database) -> None:
    make_user(database, "flags")
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"username": "flags", "password": PASSWORD, "csrf_token": token})
    cookie = [
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE)
    ][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    https = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    token = csrf_from(https.get("/login"))
    response = https.post("/login", data={"username": "flags", "password": PASSWORD, "csrf_token": token})
    cookie = [
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE)
    ][0]
    assert "Secure" in cookie


def test_wrong_password_keeps_the_username(client: TestClient, database: Database) -> None:
    make_user(database, "zhangsan")
    response = submit(client, "/login", "/login", {"username": "zhangsan", "password": "wrong password"})
    assert response.status_code == 400
    assert page(response).select_one("#f-username")["value"] == "zhangsan"
    assert field_error(response, "password")


def test_failed_logins_are_limited_per_account(
    client: TestClient, database: Database, settings: Settings
) -> None:
    make_user(database, "lisi")
    for _ in range(settings.login_limit_account):
        assert (
            submit(client, "/login", "/login", {"username": "lisi", "password": "nope-nope"}).status_code
            == 400
        )
    # Now even the right password waits, and the page says how long.
    response = submit(client, "/login", "/login", {"username": "lisi", "password": PASSWORD})
    assert response.status_code == 429
    assert "15" in page(response).select_one('[role="alert"]').get_text()
    assert not field_error(response, "password")
    assert page(response).select_one("#f-username")["value"] == "lisi"


def test_failed_logins_are_limited_per_address(
    client: TestClient, database: Database, settings: Settings
) -> None:
    make_user(database, "wangwu")
    for i in range(settings.login_limit_address):
        submit(client, "/login", "/login", {"username": f"ghost{i}", "password": "nope-nope"})
    response = submit(client, "/login", "/login", {"username": "wangwu", "password": PASSWORD})
    assert response.status_code == 429


def test_a_successful_login_clears_the_account_count(client: TestClient, database: Database) -> None:
    make_user(database, "zhaoliu")
    for _ in range(3):
        submit(client, "/login", "/login", {"username": "zhaoliu", "password": "nope-nope"})
    log_in(client, "zhaoliu")
    submit(client, "/me", "/logout", {})
    for _ in range(3):
        submit(client, "/login", "/login", {"username": "zhaoliu", "password": "nope-nope"})
    log_in(client, "zhaoliu")


def test_password_is_rehashed_when_the_cost_changes(
    client: TestClient, database: Database, settings: Settings
) -> None:
    make_user(database, "rehash")
    with database.reading() as db:
        before = db.scalars(select(User.password_hash).where(User.username == "rehash")).one()
    assert "m=1024,t=1" in before
    from dataclasses import replace

    from grassroots.app import create_app

    stronger = replace(settings, argon2_time_cost=2, argon2_memory_kib=2048)
    with TestClient(create_app(stronger, database), follow_redirects=False) as other:
        log_in(other, "rehash")
    with database.reading() as db:
        after = db.scalars(select(User.password_hash).where(User.username == "rehash")).one()
    assert "m=2048,t=2" in after
    assert Passwords(stronger).verify(after, PASSWORD)


def test_change_display_name_and_password(client: TestClient, database: Database) -> None:
    make_user(database, "gaizhe")
    log_in(client, "gaizhe")
    response = submit(client, "/me", "/me/profile", {"display_name": "高师傅"})
    assert response.status_code == 303
    assert "高师傅" in client.get("/me").text
    response = submit(
        client, "/me", "/me/password", {"current_password": "wrong", "new_password": "another pass"}
    )
    assert response.status_code == 400 and field_error(response, "current_password")
    response = submit(client, "/me", "/me/password", {"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 400 and field_error(response, "new_password")
    response = submit(
        client, "/me", "/me/password", {"current_password": PASSWORD, "new_password": "another pass"}
    )
    assert response.status_code == 303
    submit(client, "/me", "/logout", {})
    log_in(client, "gaizhe", "another pass")


def test_log_out_every_other_session(app, database: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "duoge")
    phone, laptop = (TestClient(app, follow_redirects=False) for _ in range(2))
    log_in(phone, "duoge")
    log_in(laptop, "duoge")
    assert len(page(laptop.get("/me")).select(".sessions li")) == 2
    assert submit(laptop, "/me", "/me/sessions/end-others", {}).status_code == 303
    assert phone.get("/me").status_code == 303  # sent to log in again
    assert laptop.get("/me").status_code == 200


def test_changing_the_password_ends_other_sessions(app, database: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "mima")
    phone, laptop = (TestClient(app, follow_redirects=False) for _ in range(2))
    log_in(phone, "mima")
    log_in(laptop, "mima")
    submit(laptop, "/me", "/me/password", {"current_password": PASSWORD, "new_password": "new password 1"})
    assert phone.get("/me").status_code == 303
    assert laptop.get("/me").status_code == 200


def test_me_sends_the_public_to_log_in(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/me"


def test_login_returns_to_where_the_person_was_going(client: TestClient, database: Database) -> None:
    make_user(database, "huilai")
    token = csrf_from(client.get("/login?next=/me"))
    response = client.post(
        "/login", data={"username": "huilai", "password": PASSWORD, "csrf_token": token, "next": "/me"}
    )
    assert response.headers["location"] == "/me"


def test_login_never_redirects_off_site(client: TestClient, database: Database) -> None:
    make_user(database, "offsite")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        token = csrf_from(client.get("/login"))
        response = client.post(
            "/login", data={"username": "offsite", "password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert response.headers["location"] == "/"
        submit(client, "/me", "/logout", {})
