"""When PostgreSQL is down, restarting or has cut the site's connections: a clear 503 that says
to try again (bench/load_faults.py found 500s), and the site answers again by itself."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from grassroots.app import create_app
from grassroots.db import Database, unavailable
from grassroots.settings import Settings
from tests.conftest import _empty_postgres, page


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket is closed


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=url, secret_key="test-secret-key",
        argon2_time_cost=1, argon2_memory_kib=1024,
    ).resolved()  # fmt: skip


@contextmanager
def _site_on(postgres_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Callable[[], int]]]:
    """The site on a fresh database, and a way to cut its connections from the server's side,
    as a restart of PostgreSQL does; it returns how many it cut."""
    _empty_postgres(postgres_url)
    settings = _settings(postgres_url, tmp_path)
    database = Database(settings)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")

    def cut() -> int:
        with admin.connect() as conn:
            return int(
                conn.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            )

    try:
        with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
            yield client, cut
    finally:
        admin.dispose()
        database.dispose()


def test_a_page_is_a_503_with_retry_after_while_postgresql_cannot_be_reached(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/grassroots"
    settings = _settings(url, tmp_path)
    database = Database(settings)
    try:
        with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
            response = client.get("/", headers={"accept-language": "en"})
            health = client.get("/healthz")
    finally:
        database.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert page(response).select_one("main h1").get_text(strip=True) == "The site is briefly unavailable"
    assert "content-security-policy" in response.headers
    assert "127.0.0.1" not in response.text  # nothing of the error itself is shown
    assert health.status_code == 503


def test_connections_cut_by_postgresql_give_one_503_then_pages_again(
    postgres_url: str, tmp_path: Path
) -> None:
    with _site_on(postgres_url, tmp_path) as (client, cut):
        assert client.get("/").status_code == 200  # a connection is now in the pool
        assert cut() >= 1
        during = client.get("/", headers={"accept-language": "zh-CN"})
        after = [client.get("/").status_code for _ in range(3)]
    assert during.status_code == 503
    assert page(during).select_one("main h1").get_text(strip=True) == "网站暂时无法访问"
    assert after == [200, 200, 200]


def test_only_an_unreachable_database_counts_as_unavailable() -> None:
    import sqlite3

    from sqlalchemy.exc import IntegrityError, OperationalError

    locked = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    assert not unavailable(locked)  # SQLite's: a statement waited too long, not a server away
    assert not unavailable(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not unavailable(RuntimeError("a bug"))


def test_a_connection_that_died_while_idle_in_the_pool_is_replaced_before_use(
    postgres_url: str, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A quiet site whose PostgreSQL restarted while nobody asked: the next page is a page."""
    import time

    from grassroots import db as db_module

    monkeypatch.setattr(db_module, "IDLE_PING_S", 0.05)
    with _site_on(postgres_url, tmp_path) as (client, cut):
        assert client.get("/").status_code == 200
        cut()
        time.sleep(0.1)  # longer idle than IDLE_PING_S
        statuses = [client.get("/").status_code for _ in range(3)]
        assert client.get("/healthz").status_code == 200
    assert statuses == [200, 200, 200]
