"""Engine, sessions, the declarative Base and the per-request unit of work.

SQLite: WAL, foreign keys on, and writes go through one connection per process that starts
its transactions with BEGIN IMMEDIATE. Writers then queue on a lock instead of failing
half-way with SQLITE_BUSY, and whatever a writer reads (the audit chain's head, a counter)
cannot change under it. research/performance.md measured the single writer connection
cutting write p99 four- to eightfold.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from grassroots.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def text_enum(kind: type[enum.Enum], length: int = 16) -> Enum:
    """An enum column stored as its values' text (no database enum type to migrate), so a new
    member needs no ALTER TYPE, and the rows read the same in SQLite and PostgreSQL."""
    return Enum(kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every backend, handed back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use grassroots.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """Owns the engines. `reading()` and `writing()` each yield one unit of work."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.is_sqlite = settings.is_sqlite
        # One connection per thread that runs pages, and a few for the CLI and health checks.
        pool_size = settings.threads + 2
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(self.url, pool_size=pool_size, immediate=False)
            self.write_engine = _sqlite_engine(self.url, pool_size=1, immediate=True)
        else:
            # No pre-ping: it costs a round trip per request. After a server restart the first
            # query on a dead connection fails once, and SQLAlchemy then renews the whole pool;
            # only a connection that sat idle a while is pinged first (see _ping_when_idle).
            self.write_engine = create_engine(
                self.url, pool_size=pool_size, max_overflow=4, pool_recycle=3600
            )
            _ping_when_idle(self.write_engine)
            # Reads need no transaction of their own: autocommit saves BEGIN and COMMIT.
            self.read_engine = self.write_engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads: it is closed, never committed, so a write slipped
        into a GET is lost rather than half-kept."""
        session = self._read()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._unit_of_work(self._write) as session:
            yield session

    @contextmanager
    def _unit_of_work(self, factory: sessionmaker[Session]) -> Iterator[Session]:
        session = factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.is_sqlite:
            self.read_engine.dispose()


# A pooled connection unused for this long is pinged before it is handed out.
IDLE_PING_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a connection that sat idle in the pool for IDLE_PING_S before handing it out, and
    replace it when the ping fails. On a busy site connections never sit that long, so this
    costs nothing; on a quiet one, a restart of PostgreSQL while nobody asked would otherwise
    make the first request of each worker afterwards fail on a dead connection (a 503).
    Under load, the first failure renews the pool anyway (bench/load_faults.py)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping may have begun a transaction
        except Exception as exc:
            # The pool then discards this connection and hands out a new one.
            raise DisconnectionError(
                f"pooled connection found dead after {time.monotonic() - since:.0f} s"
            ) from exc


def _sqlite_engine(url: str, *, pool_size: int, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=30,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL persists in the file. Asking for it again on every new connection can fail with
        # "database is locked" while another connection writes, so only ask when it is not on.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        for pragma in (
            "foreign_keys=ON",
            "synchronous=NORMAL",
            "busy_timeout=30000",
            "cache_size=-32768",
            "temp_store=MEMORY",
            # Deleted rows are overwritten, not left in free pages: the rows an election's
            # close rewrites (voting.ballots) must not stay readable in their old order.
            "secure_delete=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


# SQLSTATEs that say the server cannot be reached or is going away, not that a statement is wrong:
# connection exceptions (08…), shutdown, crash and start-up (57P01…57P05), too many connections.
UNAVAILABLE_SQLSTATES = ("08", "57P", "53300")


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached just now (down, restarting, the
    connection cut) rather than that a statement failed: worth a 503 and a retry, not a 500.
    A refused connection has no SQLSTATE; SQLite's errors have no such attribute at all."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError) or not hasattr(exc.orig, "sqlstate"):
        return False
    state = exc.orig.sqlstate
    return state is None or str(state).startswith(UNAVAILABLE_SQLSTATES)


def vacuum_analyze(database: Database, tables: list[str]) -> None:
    """After a bulk load on PostgreSQL: what autovacuum would soon do on a live site (planner
    statistics, the visibility map that index-only scans need), done now rather than while the
    site is being measured. Nothing to do on SQLite."""
    if not database.url.startswith("postgresql"):
        return
    with database.write_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
