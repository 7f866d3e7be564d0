"""Adapters: how the queue shows, hides and links an item of content it knows only by kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ItemView:
    organization_id: int
    author_id: int
    title: str
    html: str
    link: str


class ContentAdapter(Protocol):
    kind: str

    def describe(self, db: Session, item_id: int) -> ItemView | None: ...

    def publish(self, db: Session, item_id: int) -> None:
        """A held item was approved: make it visible (and searchable, and counted)."""

    def hide(self, db: Session, item_id: int, reason: str) -> None: ...

    def reject(self, db: Session, item_id: int, reason: str) -> None: ...


_ADAPTERS: dict[str, ContentAdapter] = {}


def register(adapter: ContentAdapter) -> None:
    _ADAPTERS[adapter.kind] = adapter


def adapter_for(kind: str) -> ContentAdapter:
    return _ADAPTERS[kind]
