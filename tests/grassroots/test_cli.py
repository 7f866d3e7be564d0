"""The grassroots command, in-process and once as a real program."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from sqlalchemy import func, select

from grassroots.accounts.models import Membership, Organization, Role, User
from grassroots.audit import AuditEntry
from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings
from voting import demo as voting_demo


def test_demo_prints_accounts_one_a_line(settings: Settings, database: Database, capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main(["demo", "--password", "demo-pass-1", "--members", "8", "--residents", "4"], settings=settings)
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "demo accounts (password: demo-pass-1):"
    accounts = [line.split(" ") for line in lines[1:]]
    assert all(len(parts) == 3 for parts in accounts)
    roles = {role for _, role, _ in accounts}
    assert roles == {"admin", "secretary", "moderator", "member", "resident"}
    with database.reading() as db:
        slugs = set(db.scalars(select(Organization.slug)))
        assert {org for _, _, org in accounts} <= slugs
        assert db.scalar(select(func.count()).select_from(User)) == len(accounts)
        tree = {o.slug: o.parent_id for o in db.scalars(select(Organization))}
        assert tree["dongfeng"] is None and tree["yangguang-1"] is not None
        assert (
            db.scalar(select(func.count()).select_from(Membership).where(Membership.role == Role.MEMBER))
            == 8 + voting_demo.HEPING_VOTERS + voting_demo.YANGGUANG_VOTERS  # the elections' voters
        )
    # Not twice into the same database.
    assert main(["demo", "--password", "x" * 10], settings=settings) == 1
    assert main(["audit", "verify"], settings=settings) == 0


def test_demo_accounts_can_log_in(settings: Settings, client, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import log_in

    main(["demo", "--password", "demo-pass-2", "--members", "4", "--residents", "2"], settings=settings)
    capsys.readouterr()
    log_in(client, "yg_shuji", "demo-pass-2")
    assert client.get("/o/yangguang-1/members").status_code == 200
    assert client.get("/o/heping/members").status_code == 403


def test_user_add_bootstraps_an_admin(settings: Settings, database: Database, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO("a strong password\n"))
    assert main(["user", "add", "founder", "--role", "admin", "--password-stdin"], settings=settings) == 0
    with database.reading() as db:
        user = db.scalars(select(User).where(User.username == "founder")).one()
        assert user.is_admin
        assert db.scalars(select(AuditEntry.action)).all() == ["accounts.user.create"]


def test_user_add_refuses_bad_input(settings: Settings, database: Database, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["user", "add", "someone", "--role", "admin", "--password-stdin"], settings=settings) == 1
    assert "password" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("long enough pw\n"))
    assert (
        main(
            ["user", "add", "someone", "--role", "member", "--org", "nowhere", "--password-stdin"],
            settings=settings,
        )
        == 1
    )
    assert main(["user", "add", "someone", "--role", "member", "--password-stdin"], settings=settings) == 2
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(User)) == 0


def test_the_installed_command_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "GRASSROOTS_DATA_DIR": str(tmp_path)}
    env.pop("GRASSROOTS_DATABASE_URL", None)
    command = [sys.executable, "-m", "grassroots.cli"]
    done = subprocess.run(
        [*command, "demo", "--password", "pw-123456", "--members", "2", "--residents", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "shuji secretary dongfeng" in done.stdout
    verify = subprocess.run(
        [*command, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0 and "intact" in verify.stdout
    assert (tmp_path / "grassroots.db").exists() and (tmp_path / "secret_key").exists()
