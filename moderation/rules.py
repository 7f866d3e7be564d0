"""The rules screening applies: each organization's numbers, each person's standing, and the
watched words, whose matcher is built once per process and rebuilt when the list changes."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from grassroots import audit, tokens
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.errors import FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.tokens import CacheToken

from .matcher import WordMatcher, clean_word
from .models import OrgRules, Standing, WatchedWord, WordAction

DEFAULT_HELD_FIRST_POSTS = 3
DEFAULT_FLAG_THRESHOLD = 3
WORD_MAX = 100
_WORDS_TOKEN = "watched_words"  # noqa: S105 (a cache name, not a secret)


@dataclass(frozen=True)
class Numbers:
    held_first_posts: int
    flag_threshold: int


def numbers_for(db: Session, organization_id: int) -> Numbers:
    row = db.get(OrgRules, organization_id)
    if row is None:
        return Numbers(DEFAULT_HELD_FIRST_POSTS, DEFAULT_FLAG_THRESHOLD)
    return Numbers(row.held_first_posts, row.flag_threshold)


def set_numbers(db: Session, organization_id: int, *, held_first_posts: int, flag_threshold: int) -> None:
    if not 0 <= held_first_posts <= 100:
        raise FormInvalid({"held_first_posts": _("Give a number from 0 to 100.")})
    if not 1 <= flag_threshold <= 100:
        raise FormInvalid({"flag_threshold": _("Give a number from 1 to 100.")})
    row = db.get(OrgRules, organization_id) or OrgRules(organization_id=organization_id)
    row.held_first_posts, row.flag_threshold = held_first_posts, flag_threshold
    db.add(row)


def published_count(db: Session, user_id: int, organization_id: int) -> int:
    row = db.get(Standing, (user_id, organization_id))
    return row.published if row else 0


def count_published(db: Session, user_id: int, organization_id: int, by: int = 1) -> None:
    """One more of the person's items in the organization went public."""
    changed = db.execute(
        update(Standing)
        .where(Standing.user_id == user_id, Standing.organization_id == organization_id)
        .values(published=Standing.published + by)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        db.add(Standing(user_id=user_id, organization_id=organization_id, published=by))
        db.flush()


# ---------------------------------------------------------------- watched words


def list_words(db: Session) -> list[WatchedWord]:
    return list(db.scalars(select(WatchedWord).order_by(WatchedWord.folded)))


def add_word(db: Session, *, actor: User, word: str, action: str) -> WatchedWord:
    """Raises FormInvalid, with the typed word kept by the caller."""
    word = word.strip()
    try:
        folded = clean_word(word)
    except ValueError:
        raise FormInvalid(
            {"word": _("Please type a word: letters, not only spaces or invisible marks.")}
        ) from None
    if len(word) > WORD_MAX:
        raise FormInvalid({"word": _("A watched word has at most %(max)d characters.", max=WORD_MAX)})
    try:
        kind = WordAction(action)
    except ValueError:
        raise FormInvalid({"action": _("Choose what happens to a text with this word.")}) from None
    if db.scalar(select(WatchedWord.id).where(WatchedWord.folded == folded)):
        raise FormInvalid({"word": _("This word is already watched.")})
    entry = WatchedWord(word=word, folded=folded, action=kind, created_by_id=actor.id)
    db.add(entry)
    db.flush()
    _words_changed(db)
    audit.record(
        db,
        actor=actor,
        action=AuditAction.MODERATION_WORD_ADD,
        subject=entry,
        data={"word": word, "action": kind},
    )
    return entry


def remove_word(db: Session, *, actor: User, word_id: int) -> None:
    entry = db.get(WatchedWord, word_id)
    if entry is None:
        raise NotFound(_("This word is not watched."))
    db.execute(delete(WatchedWord).where(WatchedWord.id == word_id))
    _words_changed(db)
    audit.record(db, actor=actor, action=AuditAction.MODERATION_WORD_REMOVE, data={"word": entry.word})


def _words_changed(db: Session) -> None:
    tokens.renew(db, _WORDS_TOKEN)


# One matcher per engine (two sites in one process, or two tests, never share one).
_matchers: weakref.WeakKeyDictionary[Engine, tuple[str | None, WordMatcher]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_TOKEN_QUERY = select(CacheToken.token).where(CacheToken.name == _WORDS_TOKEN)


def matcher(db: Session) -> WordMatcher:
    """The watched words as one automaton: checked against the list's token on every call,
    built again only when an admin changed the list."""
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    token = db.connection().scalar(_TOKEN_QUERY)
    cached = _matchers.get(engine)
    if cached is not None and cached[0] == token:
        return cached[1]
    built = WordMatcher((w.folded, w.action) for w in db.scalars(select(WatchedWord)))
    with _lock:
        _matchers[engine] = (token, built)
    return built
