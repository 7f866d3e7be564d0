"""The append-only, hash-chained audit log.

Each entry stores the hash of the entry before it and its own hash, the SHA-256 of its
canonical content (which includes that previous hash). Altering, removing or reordering any
stored entry breaks the chain at that entry; removing entries from the end is caught by the
head row, which every append updates in the same transaction.

Appends are serialized: on PostgreSQL by locking the head row (SELECT … FOR UPDATE), on SQLite
by the BEGIN IMMEDIATE every write transaction starts with (grassroots.db).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from grassroots.db import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditAction(enum.StrEnum):
    """What happened, named `feature.subject.verb`."""

    ACCOUNT_USER_CREATE = "accounts.user.create"
    ACCOUNT_ADMIN_GRANT = "accounts.admin.grant"
    ACCOUNT_ADMIN_REVOKE = "accounts.admin.revoke"
    ACCOUNT_ROLE_GRANT = "accounts.role.grant"
    ACCOUNT_ROLE_REVOKE = "accounts.role.revoke"
    ACCOUNT_JOIN_APPROVE = "accounts.join.approve"
    ACCOUNT_JOIN_REJECT = "accounts.join.reject"
    ACCOUNT_MEMBER_UNVERIFY = "accounts.member.unverify"
    ACCOUNT_ROLL_IMPORT = "accounts.roll.import"
    ACCOUNT_INVITE_REDEEM = "accounts.invite.redeem"
    ORG_CREATE = "accounts.organization.create"
    ORG_UPDATE = "accounts.organization.update"
    FORUM_BOARD_CREATE = "forum.board.create"
    FORUM_BOARD_UPDATE = "forum.board.update"
    FORUM_SOLICITATION_OPEN = "forum.solicitation.open"
    FORUM_SOLICITATION_RESPOND = "forum.solicitation.respond"
    MODERATION_ACTION = "moderation.action"
    MODERATION_WORD_ADD = "moderation.word.add"
    MODERATION_WORD_REMOVE = "moderation.word.remove"
    MODERATION_RULES_UPDATE = "moderation.rules.update"
    DISCLOSURE_PUBLISH = "disclosure.item.publish"
    DISCLOSURE_REVISE = "disclosure.item.revise"
    DISCLOSURE_WITHDRAW = "disclosure.item.withdraw"
    DISCLOSURE_OBJECTION_LODGE = "disclosure.objection.lodge"
    DISCLOSURE_OBJECTION_HANDLE = "disclosure.objection.handle"
    MAILBOX_LETTER_WRITE = "mailbox.letter.write"
    MAILBOX_LETTER_STATUS = "mailbox.letter.status"
    MAILBOX_LETTER_REPLY = "mailbox.letter.reply"
    MAILBOX_LETTER_NOTE = "mailbox.letter.note"
    MAILBOX_LETTER_TRANSFER = "mailbox.letter.transfer"
    MAILBOX_LETTER_EXTEND = "mailbox.letter.extend"
    MAILBOX_LETTER_ANSWER = "mailbox.letter.answer"
    MAILBOX_LETTER_RATE = "mailbox.letter.rate"
    MAILBOX_LETTER_REOPEN = "mailbox.letter.reopen"
    MAILBOX_LETTER_PUBLISH = "mailbox.letter.publish"
    MAILBOX_SETTINGS_UPDATE = "mailbox.settings.update"
    VOTING_ELECTION_CREATE = "voting.election.create"
    VOTING_PHASE_ADVANCE = "voting.phase.advance"
    VOTING_STEP_REQUEST = "voting.step.request"
    VOTING_STEP_CONFIRM = "voting.step.confirm"
    VOTING_NOMINATION_ADD = "voting.nomination.add"
    VOTING_CANDIDATE_REVIEW = "voting.candidate.review"
    VOTING_CANDIDATE_ANSWER = "voting.candidate.answer"
    VOTING_ROLL_EXCLUDE = "voting.roll.exclude"
    VOTING_CHECKIN_ADD = "voting.checkin.add"
    VOTING_ELECTION_OPEN = "voting.election.open"
    VOTING_ELECTION_CLOSE = "voting.election.close"
    VOTING_ELECTION_TALLY = "voting.election.tally"
    VOTING_ELECTION_PUBLISH = "voting.election.publish"
    VOTING_ROUND_START = "voting.round.start"
    VOTING_POLL_CREATE = "voting.poll.create"
    VOTING_POLL_CLOSE = "voting.poll.close"


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[str] = mapped_column(String(40), default="")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    data: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """One row: the last entry's sequence number and hash."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_of(entry: AuditEntry) -> dict[str, Any]:
    """Everything the hash covers; the export and `audit verify` use the same function."""
    return {
        "seq": entry.seq,
        "at": _timestamp(entry.created_at),
        "actor_id": entry.actor_id,
        "actor": entry.actor_name,
        "action": entry.action,
        "subject": [entry.subject_type, entry.subject_id],
        "organization_id": entry.organization_id,
        "data": json.loads(entry.data),
        "prev": entry.prev_hash,
    }


def hash_content(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def record(
    db: Session,
    *,
    actor: Any,
    action: AuditAction,
    subject: Any = None,
    organization_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction. `actor` is a User or None (the system);
    `subject` a mapped object with an `id`, or a (type, id) pair."""
    head = _locked_head(db)
    subject_type, subject_id = _subject(subject)
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        action=str(action),
        subject_type=subject_type,
        subject_id=subject_id,
        organization_id=organization_id,
        data=canonical_json(data or {}),
        prev_hash=head.hash,
    )
    entry.hash = hash_content(content_of(entry))
    db.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    db.flush()
    return entry


def _locked_head(db: Session) -> AuditHead:
    query = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    # The first migration inserts this row, so concurrent first appends cannot both create it.
    return db.scalars(query).one()


def _subject(subject: Any) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        return str(subject[0]), str(subject[1])
    return type(subject).__tablename__, str(subject.id)


def get_head(db: Session) -> AuditHead:
    head = db.get(AuditHead, 1)
    return head if head is not None else AuditHead(id=1, seq=0, hash=GENESIS)


def list_entries(db: Session, *, before_seq: int | None = None, limit: int = 50) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return list(db.scalars(query))


def iter_entries(db: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in the order it was stored (by primary key, not by its claimed seq)."""
    last_id = 0
    while True:
        rows = list(
            db.scalars(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch))
        )
        if not rows:
            return
        for row in rows:
            yield row
            db.expunge(row)
        last_id = rows[-1].id


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def verify_chain(entries: Iterable[AuditEntry], head: AuditHead | None) -> ChainProblem | None:
    """The first place the chain breaks, or None when it is intact up to the head."""
    expected_prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainProblem(expected_seq, f"expected entry {expected_seq}, found entry {entry.seq}")
        if entry.prev_hash != expected_prev:
            return ChainProblem(entry.seq, "does not follow the entry before it")
        if hash_content(content_of(entry)) != entry.hash:
            return ChainProblem(entry.seq, "content does not match its hash")
        expected_prev, expected_seq = entry.hash, expected_seq + 1
    last_seq = expected_seq - 1
    if head is not None and (head.seq, head.hash) != (last_seq, expected_prev):
        return ChainProblem(last_seq + 1, f"head names entry {head.seq} but the log ends at entry {last_seq}")
    return None


def list_entries_after(db: Session, *, after_seq: int, limit: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.seq > after_seq).order_by(AuditEntry.seq).limit(limit)
    return list(db.scalars(query))
