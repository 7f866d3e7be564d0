"""Adapters: how the queue shows, hides and links an item of content it knows only by kind,
and the further actions (lock, pin, move...) the content offers its moderators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ItemView:
    organization_id: int
    author_id: int | None  # None: written without an account
    title: str
    html: str
    link: str
    place: str = ""  # where it lives, in words: the board's name
    container: str = ""  # where slow mode applies, as screening's Submission names it
    # The item's surroundings, as plain text: the thread's title, the post it answers.
    context: tuple[str, ...] = ()
    # The conversation around it, as plain text lines: on the item's own page, not in the queue.
    nearby: tuple[str, ...] = ()
    public: bool = True  # shown to everyone now; the public log links only to public items


@dataclass(frozen=True)
class ExtraAction:
    """An action the content offers besides approve, reject, hide and edit."""

    name: str  # e.g. "lock"; passed back to perform
    label: str  # translated, for the button
    choices: tuple[tuple[str, str], ...] = field(default=())  # (value, label), e.g. boards to move to


class ContentAdapter(Protocol):
    kind: str

    def describe(self, db: Session, item_id: int) -> ItemView | None: ...

    def describe_many(self, db: Session, item_ids: Sequence[int]) -> dict[int, ItemView]:
        """`describe` for a page of items at once, in a fixed number of queries; gone ones left out."""

    def publish(self, db: Session, item_id: int) -> None:
        """A held or hidden item was approved: make it visible (and searchable, and counted)."""

    def hide(self, db: Session, item_id: int, reason: str) -> None: ...

    def reject(self, db: Session, item_id: int, reason: str) -> None: ...

    def edit(self, db: Session, item_id: int, text: str, editor_id: int) -> None:
        """A moderator's edit, kept as a revision like the author's own."""

    def source(self, db: Session, item_id: int) -> str:
        """The item's text as written, for the moderator's edit form."""

    def actions(self, db: Session, item_id: int) -> list[ExtraAction]: ...

    def perform(self, db: Session, item_id: int, name: str, choice: str) -> None:
        """Carry out one of `actions`; raises FormInvalid for a choice that is not offered."""


_ADAPTERS: dict[str, ContentAdapter] = {}


def register(adapter: ContentAdapter) -> None:
    _ADAPTERS[adapter.kind] = adapter


def adapter_for(kind: str) -> ContentAdapter:
    return _ADAPTERS[kind]


def known(kind: str) -> bool:
    return kind in _ADAPTERS
