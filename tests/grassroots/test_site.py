"""Health, headers, settings, the language switch, the audit pages and the unit of work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from grassroots import PROJECT_ROOT, audit
from grassroots.accounts.models import Organization
from grassroots.audit import AuditAction
from grassroots.db import Database
from grassroots.security import CONTENT_SECURITY_POLICY
from grassroots.settings import DOCUMENTED, Settings
from tests.conftest import World, log_in, make_user, page, submit


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_every_page(client: TestClient, world: World) -> None:
    for path in ("/", "/login", "/audit/", "/static/site.css", "/healthz"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "strict-transport-security" not in headers
    https = TestClient(client.app, base_url="https://testserver")
    assert "strict-transport-security" in https.get("/").headers


def test_pages_have_no_inline_script_or_style(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss", admin=True)
    log_in(client, "boss")
    for path in ("/", "/me", "/admin/", "/audit/", "/o/committee/members", "/login", "/nope"):
        doc = page(client.get(path))
        assert all(s.get("src") for s in doc.select("script")), path
        assert not doc.select("style"), path
        assert not doc.select("[style]"), path
        assert not [t for t in doc.find_all(True) if any(a.startswith("on") for a in t.attrs)], path


def test_every_form_carries_a_csrf_token(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss", admin=True)
    log_in(client, "boss")
    for path in ("/me", "/admin/", f"/admin/orgs/{world.branch_a.id}", "/o/committee/members"):
        for form in page(client.get(path)).select('form[method="post"]'):
            assert form.select_one('input[name="csrf_token"]'), (path, form.get("action"))


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [name for name in DOCUMENTED if name not in readme]
    assert missing == []
    source = (PROJECT_ROOT / "grassroots" / "settings.py").read_text()
    assert set(re.findall(r'"(GRASSROOTS_[A-Z0-9_]+)"', source)) == set(DOCUMENTED)


def test_settings_come_from_the_given_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SESSION_DAYS": "7"})
    assert settings.session_days == 7
    assert settings.database_url == f"sqlite:///{tmp_path / 'grassroots.db'}"
    key = (tmp_path / "secret_key").read_text().strip()
    assert settings.secret_key == key and len(key) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (
        Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)}).secret_key == key
    )  # kept, not regenerated
    configured = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SECRET_KEY": "given"})
    assert configured.secret_key == "given"
    with pytest.raises(SystemExit):
        Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SESSION_DAYS": "a week"})


def test_language_switch_is_remembered(client: TestClient, world: World) -> None:
    assert page(client.get("/login")).select_one("h1").get_text(strip=True) == "登录"
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert page(client.get("/login")).select_one("h1").get_text(strip=True) == "Log in"
    assert page(client.get("/")).select_one("html")["lang"] == "en"
    client.get("/lang/zh_CN?next=https://evil.example/")
    assert page(client.get("/login")).select_one("h1").get_text(strip=True) == "登录"


def test_browser_language_is_honoured_until_chosen(client: TestClient, world: World) -> None:
    english = {"accept-language": "en-US,en;q=0.9"}
    assert page(client.get("/login", headers=english)).select_one("h1").get_text(strip=True) == "Log in"
    chinese = {"accept-language": "zh-TW,zh;q=0.9,en;q=0.5"}
    assert page(client.get("/login", headers=chinese)).select_one("h1").get_text(strip=True) == "登录"


def test_audit_page_and_json_show_the_chain(client: TestClient, world: World, database: Database) -> None:
    with database.reading() as db:
        head = audit.get_head(db)
    doc = page(client.get("/audit/"))
    assert head.hash in doc.get_text()
    assert len(doc.select(".audit-entries li")) == head.seq == 3
    data = client.get("/audit/log.json").json()
    assert data["head"] == {"seq": head.seq, "hash": head.hash}
    assert [e["seq"] for e in data["entries"]] == [1, 2, 3]
    # Anyone can recompute each hash from what the JSON gives.
    for entry in data["entries"]:
        content = {k: v for k, v in entry.items() if k != "hash"}
        assert audit.hash_content(content) == entry["hash"]


def test_audit_page_pages_back(client: TestClient, database: Database) -> None:
    with database.writing() as db:
        for i in range(60):
            audit.record(db, actor=None, action=AuditAction.ORG_UPDATE, subject=("organizations", i))
    first = page(client.get("/audit/"))
    assert len(first.select(".audit-entries li")) == 50
    older = first.select_one('a[href^="/audit/?before="]')["href"]
    assert len(page(client.get(older)).select(".audit-entries li")) == 10


def test_a_failed_view_commits_nothing(client: TestClient, world: World, database: Database) -> None:
    """The unit of work: when a view raises after writing, its writes are rolled back."""
    make_user(database, "boss", admin=True)
    log_in(client, "boss")
    with database.reading() as db:
        before = db.scalar(select(func.count()).select_from(Organization))
    # Moving an organization under a missing parent: validation fails after nothing was written;
    # a stale decision on a decided request raises Conflict after the first decision committed.
    response = submit(client, "/admin/", "/admin/orgs", {"name": "甲", "slug": "jia", "parent_id": "4242"})
    assert response.status_code == 400
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Organization)) == before


def test_front_page_lists_organizations_when_there_are_several_roots(
    client: TestClient, database: Database, world: World
) -> None:
    make_user(database, "boss", admin=True)
    log_in(client, "boss")
    submit(client, "/admin/", "/admin/orgs", {"name": "另一个街道", "slug": "another", "parent_id": ""})
    doc = page(client.get("/"))
    assert [a.get_text() for a in doc.select(".org-tree a")][:2] == ["社区党委", "第一支部"]
    assert "另一个街道" in doc.get_text()


def test_an_unexpected_error_gets_the_friendly_500_page(app, world: World) -> None:  # type: ignore[no-untyped-def]
    from starlette.routing import Route

    from grassroots.web import Context, view

    @view
    def broken(ctx: Context):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    app.router.routes.append(Route("/broken", broken))
    with TestClient(app, raise_server_exceptions=False) as safe:
        response = safe.get("/broken", headers={"accept-language": "en"})
    assert response.status_code == 500
    assert page(response).select_one("main h1").get_text(strip=True) == "Something went wrong on our side"
    assert "a bug" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_login_used_only_for_reading_stays_alive(
    client: TestClient, world: World, database: Database
) -> None:
    from datetime import timedelta

    from grassroots.accounts.models import AuthSession
    from grassroots.db import utcnow

    make_user(database, "reader")
    log_in(client, "reader")
    with database.writing() as db:
        auth_session = db.scalars(select(AuthSession)).one()
        auth_session.last_seen_at = utcnow() - timedelta(days=3)
        auth_session.expires_at = utcnow() + timedelta(days=1)
    assert client.get("/").status_code == 200
    with database.reading() as db:
        refreshed = db.scalars(select(AuthSession)).one()
    assert refreshed.expires_at > utcnow() + timedelta(days=20)


def test_an_expired_login_is_over(client: TestClient, world: World, database: Database) -> None:
    from grassroots.accounts.models import AuthSession
    from grassroots.db import utcnow

    make_user(database, "expired")
    log_in(client, "expired")
    with database.writing() as db:
        db.scalars(select(AuthSession)).one().expires_at = utcnow()
    assert client.get("/me").status_code == 303


def test_audit_entries_read_in_the_readers_language(client: TestClient, world: World) -> None:
    entries = page(client.get("/audit/")).select(".audit-entries > li")
    assert entries[-1].select_one("strong").get_text() == "创建组织"
    assert "社区党委" in entries[-1].get_text()
    assert entries[-1].select_one("details code").get_text() == "accounts.organization.create"
