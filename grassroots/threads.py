"""What a feature that hangs something on a forum thread (a poll) knows of the thread, and how it
adds a section to the thread's page, without either feature importing the other: the forum
fills in `ThreadRef` and draws the sections, app.py connects the two."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from grassroots.web import Context


@dataclass(frozen=True)
class ThreadRef:
    """A thread the person asking may read."""

    id: int
    title: str
    author_id: int | None
    organization_id: int
    members_only: bool  # its board is for members only
    url: str


@dataclass(frozen=True)
class ThreadSection:
    """A part of a thread's page drawn by another feature. `stamp` is what the part shows the
    public depends on, read in one small query: the forum keeps the page it shows to readers
    who are not logged in under a key that holds every section's stamp."""

    render: Callable[[Context, ThreadRef], Markup]
    stamp: Callable[[Session, int], Hashable]


def no_thread(ctx: Context, thread_id: int) -> ThreadRef | None:
    return None
