"""The secretary's inbox: the letters of the organizations a person answers for, filtered
by status, category, organization and lateness, one page at a time. Every filter is a column
of an index on mailbox_letters; "overdue" compares the stored due moment."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from grassroots import policy
from grassroots.accounts.tree import OrgTree
from grassroots.db import utcnow

from .models import Category, Letter, Status
from .workflow import CLOCK_RUNNING

PAGE = 30


@dataclass(frozen=True)
class Filters:
    status: str = ""
    category: str = ""
    organization_id: int | None = None
    overdue: bool = False
    oldest_first: bool = False
    page: int = 1


def answerable_orgs(actor: policy.Actor, tree: OrgTree) -> list[int]:
    """Organizations whose letters this person answers (a secretary's reach goes down)."""
    return [org.id for org, _ in tree.flat() if policy.may_answer_letters(actor, tree.path(org.id))]


def _filtered(org_ids: Collection[int], filters: Filters) -> Select[tuple[Letter]]:
    query = select(Letter)
    if filters.organization_id is not None:
        org_ids = [filters.organization_id] if filters.organization_id in org_ids else []
    query = query.where(Letter.organization_id.in_(list(org_ids)))
    if filters.status in Status._value2member_map_:
        query = query.where(Letter.status == Status(filters.status))
    if filters.category in Category._value2member_map_:
        query = query.where(Letter.category == Category(filters.category))
    if filters.overdue:
        query = query.where(Letter.status.in_(list(CLOCK_RUNNING)), Letter.due_at <= utcnow())
    order = Letter.id.asc() if filters.oldest_first else Letter.id.desc()
    return query.order_by(order)


def list_letters(db: Session, org_ids: Collection[int], filters: Filters) -> tuple[list[Letter], bool]:
    """One page of letters and whether another follows (no count over the whole inbox)."""
    query = _filtered(org_ids, filters).offset((filters.page - 1) * PAGE).limit(PAGE + 1)
    rows = list(db.scalars(query))
    return rows[:PAGE], len(rows) > PAGE
