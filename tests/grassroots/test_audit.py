"""The hash chain: appends, verification, and tampering caught entry by entry."""

from __future__ import annotations

import threading

from sqlalchemy import delete, select, update

from grassroots import audit
from grassroots.audit import AuditAction, AuditEntry, AuditHead
from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings


def _append(database: Database, count: int) -> None:
    for i in range(count):
        with database.writing() as session:
            audit.record(
                session,
                actor=None,
                action=AuditAction.ORG_UPDATE,
                subject=("organizations", i),
                data={"n": i, "名称": "社区"},
            )


def _verify(database: Database) -> audit.ChainProblem | None:
    with database.reading() as session:
        return audit.verify_chain(audit.iter_entries(session), audit.get_head(session))


def test_an_untouched_chain_verifies(database: Database) -> None:
    _append(database, 5)
    assert _verify(database) is None
    with database.reading() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        head = audit.get_head(session)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert (head.seq, head.hash) == (5, entries[-1].hash)


def test_an_empty_log_verifies(database: Database) -> None:
    assert _verify(database) is None


def test_altered_content_is_named(database: Database) -> None:
    _append(database, 5)
    with database.writing() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(data='{"n": 99}'))
    problem = _verify(database)
    assert problem is not None and problem.seq == 3


def test_altered_actor_is_caught(database: Database) -> None:
    _append(database, 3)
    with database.writing() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor_name="someone-else"))
    problem = _verify(database)
    assert problem is not None and problem.seq == 2


def test_a_removed_entry_is_caught(database: Database) -> None:
    _append(database, 5)
    with database.writing() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    problem = _verify(database)
    assert problem is not None and problem.seq == 2


def test_removing_the_newest_entries_is_caught_by_the_head(database: Database) -> None:
    _append(database, 5)
    with database.writing() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    problem = _verify(database)
    assert problem is not None and problem.seq == 4


def test_reordered_entries_are_caught(database: Database) -> None:
    _append(database, 4)
    with database.writing() as session:
        rows = {e.seq: e for e in session.scalars(select(AuditEntry))}
        # Swap the stored content of entries 2 and 3, keeping their places.
        fields = (
            "seq",
            "created_at",
            "actor_id",
            "actor_name",
            "action",
            "subject_type",
            "subject_id",
            "organization_id",
            "data",
            "prev_hash",
            "hash",
        )
        two = {f: getattr(rows[2], f) for f in fields}
        three = {f: getattr(rows[3], f) for f in fields}
        for entry in (rows[2], rows[3]):
            entry.hash = entry.hash[::-1]  # clear the unique hashes for the swap
            entry.seq = -entry.seq
        session.flush()
        for f in fields:
            setattr(rows[2], f, three[f])
            setattr(rows[3], f, two[f])
    problem = _verify(database)
    assert problem is not None and problem.seq == 2


def test_rehashing_an_altered_entry_still_breaks_the_next_link(database: Database) -> None:
    _append(database, 4)
    with database.writing() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.seq == 2)).one()
        entry.data = '{"n": 42}'
        entry.hash = audit.hash_content(audit.content_of(entry))
    problem = _verify(database)
    assert problem is not None and problem.seq == 3


def test_concurrent_writers_keep_one_unbroken_chain(settings: Settings) -> None:
    """Several processes' worth of connections append at once; the chain stays whole."""
    databases = [Database(settings) for _ in range(4)]
    errors: list[BaseException] = []

    def work(database: Database) -> None:
        try:
            _append(database, 15)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert _verify(databases[0]) is None
        with databases[0].reading() as session:
            assert audit.get_head(session).seq == 60
    finally:
        for d in databases:
            d.dispose()


def test_cli_verify_exits_0_then_1_naming_the_entry(database: Database, settings: Settings, capsys) -> None:  # type: ignore[no-untyped-def]
    _append(database, 3)
    assert main(["audit", "verify"], settings=settings) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    with database.writing() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="accounts.role.revoke"))
    assert main(["audit", "verify"], settings=settings) == 1
    assert "broken at entry 2" in capsys.readouterr().out


def test_head_row_moves_with_every_append(database: Database) -> None:
    _append(database, 2)
    with database.reading() as session:
        head = session.get(AuditHead, 1)
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert head is not None and last is not None and head.hash == last.hash


def test_canonical_json_is_stable() -> None:
    assert audit.canonical_json({"b": 1, "a": "社区"}) == '{"a":"社区","b":1}'
