"""Every kind of bad input gets its clear error page, never a 500."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from grassroots.db import Database
from grassroots.security import CONTENT_SECURITY_POLICY
from tests.conftest import World, csrf_from, field_error, log_in, make_user, page, submit


@pytest.fixture
def safe_client(app):  # type: ignore[no-untyped-def]
    """A client that returns 500 pages instead of raising, to see what a person would see."""
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        yield client


def assert_friendly(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert page(response).select_one("main h1"), "an error page with a heading"
    assert page(response).select_one('a[href="/"]'), "a way back to the front page"


def test_unknown_pages_and_ids(safe_client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss", admin=True)
    assert_friendly(safe_client.get("/no/such/page"), 404)
    assert_friendly(safe_client.get("/o/nope/"), 404)
    log_in(safe_client, "boss")
    for path in (
        "/admin/orgs/999999",
        "/admin/orgs/abc",
        "/admin/orgs/-1",
        "/admin/orgs/99999999999999999999999",
    ):
        assert_friendly(safe_client.get(path), 404)
    # A 404 for a logged-in person still shows them as logged in.
    assert "boss" in page(safe_client.get("/nowhere")).select_one("header").get_text()


def test_decide_an_unknown_request(safe_client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss", admin=True)
    log_in(safe_client, "boss")
    token = csrf_from(safe_client.get("/me"))
    response = safe_client.post(
        "/o/branch-a/members/requests/424242", data={"decision": "approve", "csrf_token": token}
    )
    assert_friendly(response, 404)
    response = safe_client.post(
        "/o/branch-a/members/requests/xyz", data={"decision": "approve", "csrf_token": token}
    )
    assert_friendly(response, 404)


def test_wrong_methods(safe_client: TestClient, world: World) -> None:
    assert_friendly(safe_client.get("/logout"), 405)
    assert_friendly(safe_client.put("/login"), 405)
    assert_friendly(safe_client.delete("/me"), 405)
    assert_friendly(safe_client.post("/audit/"), 405)


def test_oversized_body(safe_client: TestClient, world: World, settings) -> None:  # type: ignore[no-untyped-def]
    token = csrf_from(safe_client.get("/register"))
    big = "字" * settings.max_body_bytes
    response = safe_client.post(
        "/register", data={"username": "big", "password": "x" * 10, "display_name": big, "csrf_token": token}
    )
    assert_friendly(response, 413)


def test_oversized_body_without_content_length(safe_client: TestClient, world: World, settings) -> None:  # type: ignore[no-untyped-def]
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"a" * 65536

    response = safe_client.post(
        "/register", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_friendly(response, 413)


def test_malformed_forms(safe_client: TestClient, world: World) -> None:
    broken_multipart = b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue-without-end'
    response = safe_client.post(
        "/login", content=broken_multipart, headers={"content-type": "multipart/form-data; boundary=xyz"}
    )
    assert response.status_code in (400, 403)
    assert_friendly(response, response.status_code)
    response = safe_client.post(
        "/login",
        content=b"\xff\xfe\x00garbage=%%%",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_friendly(response, 403)  # unreadable, so no valid token: refused, not crashed
    many = "&".join(f"f{i}=1" for i in range(5000))
    response = safe_client.post(
        "/login", content=many.encode(), headers={"content-type": "multipart/form-data; boundary=none"}
    )
    assert response.status_code in (400, 403)


def test_too_many_fields(safe_client: TestClient, world: World) -> None:
    token = csrf_from(safe_client.get("/login"))
    files = {f"field{i}": (None, "x") for i in range(300)}
    files["csrf_token"] = (None, token)
    response = safe_client.post("/login", files=files)
    assert_friendly(response, 400)


def test_tampered_session_cookie_is_just_logged_out(
    safe_client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "victim")
    log_in(safe_client, "victim")
    real = safe_client.cookies.get("gr_session")
    assert real
    safe_client.cookies.clear()
    for forged in (
        real[:-2] + "xx",
        "",
        "a" * 5000,
        "../../etc/passwd",
        "%E4%B8%AD%00",
        real + "%00",
        '"x;y"',
    ):
        cookie = {"cookie": f"gr_session={forged}"}
        response = safe_client.get("/me", headers=cookie)
        assert response.status_code == 303, forged
        assert safe_client.get("/", headers=cookie).status_code == 200
    assert safe_client.get("/me", headers={"cookie": f"gr_session={real}"}).status_code == 200


def test_csrf_missing_or_wrong_keeps_what_was_typed(safe_client: TestClient, world: World) -> None:
    response = safe_client.post(
        "/register", data={"username": "keepme", "display_name": "留住我", "password": "secret!!"}
    )
    assert response.status_code == 403
    doc = page(response)
    kept = {t["name"]: t.get_text() for t in doc.select("form textarea")}
    assert kept == {"username": "keepme", "display_name": "留住我"}  # passwords are never echoed
    labels = [label.get_text() for label in doc.select("form label")]
    assert labels == ["用户名", "显示给他人的名字"]  # in the reader's language, not field names
    assert doc.select_one('form input[name="csrf_token"]')["value"]
    # Sending the kept form again, with the fresh token, works.
    token = doc.select_one('form input[name="csrf_token"]')["value"]
    response = safe_client.post("/register", data={**kept, "password": "secret!!", "csrf_token": token})
    assert response.status_code == 303


def test_csrf_token_from_another_session_is_refused(app, world: World, database: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "alice")
    make_user(database, "mallory")
    alice, mallory = TestClient(app, follow_redirects=False), TestClient(app, follow_redirects=False)
    log_in(alice, "alice")
    log_in(mallory, "mallory")
    stolen = csrf_from(mallory.get("/me"))
    response = alice.post("/me/profile", data={"display_name": "被改了", "csrf_token": stolen})
    assert response.status_code == 403
    assert "被改了" in response.text  # kept for alice to resend if it was really her
    assert "被改了" not in alice.get("/me").text.split("<main")[0]


def test_csrf_token_dies_with_the_session(safe_client: TestClient, world: World, database: Database) -> None:
    make_user(database, "bob")
    log_in(safe_client, "bob")
    old = csrf_from(safe_client.get("/me"))
    submit(safe_client, "/me", "/logout", {})
    log_in(safe_client, "bob")
    response = safe_client.post("/me/profile", data={"display_name": "x", "csrf_token": old})
    assert response.status_code == 403


def test_absurd_usernames(safe_client: TestClient, world: World) -> None:
    for username in ("x" * 10_000, "bad\x00name", "tab\tname", "new\nline", "\u202eevil", "空 格"):
        response = submit(
            safe_client,
            "/register",
            "/register",
            {"username": username, "display_name": "名字", "password": "long enough"},
        )
        assert response.status_code == 400, username
        assert field_error(response, "username")
        response = submit(safe_client, "/login", "/login", {"username": username, "password": "whatever1"})
        assert response.status_code == 400, username


def test_control_characters_in_names(safe_client: TestClient, world: World) -> None:
    response = submit(
        safe_client,
        "/register",
        "/register",
        {"username": "ctrl", "display_name": "坏\x07名字", "password": "long enough"},
    )
    assert response.status_code == 400 and field_error(response, "display_name")


def test_nul_bytes_never_reach_the_database(
    safe_client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "nul")
    log_in(safe_client, "nul")
    response = submit(
        safe_client, "/me", "/me/join", {"organization_id": f"{world.branch_a.id}", "message": "a\x00b"}
    )
    assert response.status_code == 303
    response = submit(safe_client, "/me", "/me/invite", {"code": "\x00\x00"})
    assert response.status_code == 400
    assert safe_client.get("/audit/?before=%00").status_code == 200
    assert safe_client.get("/audit/log.json?after=%00").status_code == 200


def test_non_numeric_choices(safe_client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss", admin=True)
    log_in(safe_client, "boss")
    response = submit(safe_client, "/me", "/me/join", {"organization_id": "1 OR 1=1", "message": ""})
    assert response.status_code == 400 and field_error(response, "organization_id")
    response = submit(safe_client, "/admin/", "/admin/orgs", {"name": "x", "slug": "xyz", "parent_id": "abc"})
    assert response.status_code == 400 and field_error(response, "parent_id")


def test_error_pages_carry_the_security_headers(safe_client: TestClient, world: World) -> None:
    for response in (safe_client.get("/nope"), safe_client.get("/logout")):
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_csrf_page_carries_choices_unseen(app, world: World, database: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "chooser")
    client = TestClient(app, follow_redirects=False)
    log_in(client, "chooser")
    response = client.post(
        "/me/join",
        data={"organization_id": str(world.branch_a.id), "message": "我想加入", "csrf_token": "stale"},
    )
    assert response.status_code == 403
    doc = page(response)
    assert doc.select_one('input[type="hidden"][name="organization_id"]')["value"] == str(world.branch_a.id)
    assert doc.select_one('textarea[name="message"]').get_text() == "我想加入"
