"""Shared fixtures. Every test that touches the database runs twice: on SQLite and on PostgreSQL.

PostgreSQL: a uniquely named database is created for the run and dropped afterwards; tables are
emptied between tests. Where no server answers, those tests skip with the reason, except under
CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from grassroots import migrate
from grassroots.accounts import organizations as orgs
from grassroots.accounts import services as accounts
from grassroots.accounts.models import Organization, Role, User
from grassroots.app import create_app
from grassroots.db import Database
from grassroots.schema import metadata
from grassroots.security import Passwords
from grassroots.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "GRASSROOTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct horse battery"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin_url = make_url(POSTGRES_ADMIN_URL)
    name = f"grassroots_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {admin_url.render_as_string()} ({type(exc).__name__}); "
        if _in_ci():
            pytest.fail(message + "under CI the PostgreSQL tests must run", pytrace=False)
        pytest.skip(message + "set GRASSROOTS_TEST_POSTGRES_URL to run the PostgreSQL tests")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "grassroots.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Cheap argon2 parameters: the real ones cost ~50 ms a hash, on purpose.
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    ).resolved()


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings)
    yield db
    db.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session for arranging and checking; commit to make changes visible to the app."""
    with database.writing() as session:
        yield session


@pytest.fixture
def passwords(settings: Settings) -> Passwords:
    return Passwords(settings)


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


# ---------------------------------------------------------------- arranging data


@dataclass
class World:
    """A small organization tree: a committee with two branches."""

    committee: Organization
    branch_a: Organization
    branch_b: Organization


@pytest.fixture
def world(database: Database) -> World:
    with database.writing() as session:
        admin = accounts.create_user(
            session,
            Passwords(Settings(argon2_time_cost=1, argon2_memory_kib=1024)),
            username="root-admin",
            password=PASSWORD,
            is_admin=True,
        )
        committee = orgs.create_organization(
            session, actor=admin, slug="committee", name="社区党委", parent_id=None
        )
        branch_a = orgs.create_organization(
            session, actor=admin, slug="branch-a", name="第一支部", parent_id=committee.id
        )
        branch_b = orgs.create_organization(
            session, actor=admin, slug="branch-b", name="第二支部", parent_id=committee.id
        )
    return World(committee, branch_a, branch_b)


def make_user(
    database: Database,
    username: str,
    *,
    role: Role | None = None,
    org: Organization | None = None,
    admin: bool = False,
    password: str = PASSWORD,
) -> User:
    with database.writing() as session:
        user = accounts.create_user(
            session,
            Passwords(Settings(argon2_time_cost=1, argon2_memory_kib=1024)),
            username=username,
            password=password,
            is_admin=admin,
        )
        if role is not None and org is not None:
            target = session.get(Organization, org.id)
            assert target is not None
            orgs.set_role(session, actor=None, user=user, org=target, role=role)
    return user


class QueryCounter:
    """Counts the statements both engines send while it is active."""

    def __init__(self, database: Database) -> None:
        # On PostgreSQL the read engine is the write engine with options, and shares its events.
        shared = database.read_engine.pool is database.write_engine.pool
        self.engines = {database.write_engine} if shared else {database.read_engine, database.write_engine}
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.split(" ", 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)


# ---------------------------------------------------------------- driving pages


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def csrf_from(response) -> str:  # type: ignore[no-untyped-def]
    field = page(response).select_one('input[name="csrf_token"]')
    assert field is not None, "the page has no form with a CSRF token"
    return str(field["value"])


def submit(client: TestClient, form_page: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Open `form_page` as a person would, then send the form with the token it carried."""
    token = csrf_from(client.get(form_page))
    return client.post(action, data={**data, "csrf_token": token})


def log_in(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    response = submit(client, "/login", "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    return response


def field_error(response, name: str) -> str:  # type: ignore[no-untyped-def]
    # A page with several forms gives each form's fields a prefix: f-edit-reason, f-reason.
    node = page(response).select_one(f"[id^='f-'][id$='-{name}-error']")
    return node.get_text(strip=True) if node else ""


def squash(text_value: str) -> str:
    return re.sub(r"\s+", " ", text_value).strip()


# ---------------------------------------------------------------- the browser journeys

E2E_DIR = Path(__file__).parent / "e2e"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """tests/e2e drives a real browser and runs with `make e2e` (pytest tests/e2e); the suite that
    `make test` runs leaves it out unless it is named on the command line."""
    if collection_path != E2E_DIR:
        return None
    named = any(Path(arg.split("::")[0]).resolve().is_relative_to(E2E_DIR) for arg in config.args)
    return None if named else True
