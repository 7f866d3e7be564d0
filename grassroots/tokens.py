"""Cache tokens: one random value per cached thing, kept in the database so that every worker on
every host sees a change on its next request. Whoever changes the thing calls `renew` in the same
transaction; whoever caches it keeps the token it read and compares."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Select, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from grassroots.db import Base


class CacheToken(Base):
    """A random token per cached thing; a new token means the cached copy is stale."""

    __tablename__ = "cache_tokens"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def renew(db: Session, name: str, value: str | None = None) -> str:
    """Give `name` a new token (or `value`, when it carries data of its own) and return it."""
    token = value or secrets.token_hex(16)
    done = db.execute(update(CacheToken).where(CacheToken.name == name).values(token=token))
    if not done.rowcount:  # type: ignore[attr-defined]
        db.execute(insert(CacheToken).values(name=name, token=token))
    return token


def read(db: Session, names: Sequence[str]) -> dict[str, str]:
    """The current tokens of `names`, in one query past the ORM; missing ones are left out.
    Pages that read tokens on every request pay for building the statement, so it is built once."""
    return {name: token for name, token in db.connection().execute(_statement(tuple(names)))}


@lru_cache(maxsize=32)
def _statement(names: tuple[str, ...]) -> Select[tuple[str, str]]:
    table = CacheToken.__table__
    return select(table.c.name, table.c.token).where(table.c.name.in_(names))
