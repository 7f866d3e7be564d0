"""The disclosure area's pages are public, read most and changed rarely, so anonymous readers are
served from each worker's fragment cache, keyed by a token that every publication, edit,
withdrawal and objection renews in the database: every worker on every host sees the change on
its next request. A token also carries when it was made, for Last-Modified.

Time changes pages too: a notice published for later appears, one expires, a publicity period
ends. The moment the next of those falls due is kept beside the token; once it has passed, the
key also carries the minute, until the next change works out the moment after it."""

from __future__ import annotations

import hashlib
import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grassroots import tokens
from grassroots.db import Database, utcnow

from .models import Disclosure, State

TOKEN = "disclosures"  # noqa: S105 (a cache name, not a secret)
NEXT_MOMENT = "disclosures.next"
NEVER = "-"


@dataclass(frozen=True)
class Stamp:
    """What a cached page depends on: a key part for the cache, an ETag and a modification time."""

    key: str
    modified: datetime

    def etag(self, path: str, locale: str) -> str:
        digest = hashlib.sha256(f"{self.key}|{path}|{locale}".encode()).hexdigest()[:32]
        return f'W/"{digest}"'


def changed(db: Session) -> None:
    """Renew the token, and work out when time next changes a page by itself."""
    db.flush()
    now = utcnow()
    tokens.renew(db, TOKEN, f"{secrets.token_hex(8)}.{int(now.timestamp())}")
    upcoming = [
        db.scalar(select(func.min(column)).where(Disclosure.state == State.PUBLISHED, column > now))
        for column in (Disclosure.publish_at, Disclosure.expires_at, Disclosure.publicity_ends_at)
    ]
    moments = [m for m in upcoming if m is not None]
    tokens.renew(db, NEXT_MOMENT, str(int(min(moments).timestamp())) if moments else NEVER)


# A worker looks at the token at most this often when it answers the public from memory, so a
# change made through another worker or host shows there within this time.
STAMP_SECONDS = 1.0
_recent: weakref.WeakKeyDictionary[Database, tuple[float, Stamp]] = weakref.WeakKeyDictionary()


def kept_stamp(database: Database) -> Stamp | None:
    """The stamp this worker read less than STAMP_SECONDS ago, if it did."""
    kept = _recent.get(database)
    return kept[1] if kept is not None and time.monotonic() - kept[0] < STAMP_SECONDS else None


def read_stamp(database: Database) -> Stamp:
    """Read the stamp in a unit of its own and keep it (blocking: call it in a thread)."""
    with database.reading() as db:
        fresh = stamp(db)
    _recent[database] = (time.monotonic(), fresh)
    return fresh


def stamp(db: Session) -> Stamp:
    """The current stamp, in one query."""
    found = tokens.read(db, [TOKEN, NEXT_MOMENT])
    token = found.get(TOKEN, "0.0")
    made = datetime.fromtimestamp(int(token.rpartition(".")[2] or 0), UTC)
    next_moment = found.get(NEXT_MOMENT, NEVER)
    now = utcnow()
    if next_moment != NEVER and now.timestamp() >= int(next_moment):
        minute = now.replace(second=0, microsecond=0)
        return Stamp(f"{token}@{int(minute.timestamp())}", max(made, minute))
    return Stamp(token, made)
