"""What the public reads: lists by organization, kind and date, one disclosure with its current
revision, its history, and a readable comparison of any two of its revisions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from grassroots.db import utcnow
from grassroots.errors import NotFound
from grassroots.i18n import gettext as _

from .models import Disclosure, Kind, Revision, State

PER_PAGE = 30


def visible_now(now: datetime | None = None):  # type: ignore[no-untyped-def]
    """The condition for what lists show: published, due, not expired."""
    now = now or utcnow()
    return (
        (Disclosure.state == State.PUBLISHED)
        & (Disclosure.publish_at <= now)
        & or_(Disclosure.expires_at.is_(None), Disclosure.expires_at > now)
    )


def list_public(
    db: Session,
    *,
    organization_ids: Sequence[int] | None = None,
    kind: Kind | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[Disclosure], int]:
    """One page of what is shown now, newest first, and how many there are."""
    condition = visible_now()
    if organization_ids is not None:
        condition &= Disclosure.organization_id.in_(organization_ids)
    if kind is not None:
        condition &= Disclosure.kind == kind
    total = db.scalar(select(func.count()).select_from(Disclosure).where(condition)) or 0
    rows = db.scalars(
        select(Disclosure)
        .where(condition)
        .order_by(Disclosure.publish_at.desc(), Disclosure.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def get_disclosure(db: Session, disclosure_id: int, kind: Kind, *, preview: bool = False) -> Disclosure:
    """The disclosure of that kind. One not yet due is found only with `preview` (its
    organization's secretary); a withdrawn or expired one is found, to show why it is gone."""
    found = db.get(Disclosure, disclosure_id)
    if found is None or found.kind is not kind or (found.publish_at > utcnow() and not preview):
        raise NotFound(_("There is no such disclosure."))
    return found


def current(db: Session, disclosure: Disclosure) -> tuple[dict[str, Any], dict[str, str]]:
    """The current revision's fields and their rendered Markdown."""
    revision = db.get_one(Revision, disclosure.current_revision_id)
    return json.loads(revision.fields), json.loads(revision.rendered)


def revisions(db: Session, disclosure: Disclosure) -> list[Revision]:
    return list(
        db.scalars(select(Revision).where(Revision.disclosure_id == disclosure.id).order_by(Revision.number))
    )


def candidates_for(db: Session, post: Disclosure) -> list[Disclosure]:
    return list(
        db.scalars(
            select(Disclosure)
            .where(Disclosure.post_id == post.id, Disclosure.kind == Kind.CANDIDATE, visible_now())
            .order_by(Disclosure.id)
        )
    )


def current_fields(db: Session, disclosures: Sequence[Disclosure]) -> dict[int, dict[str, Any]]:
    """The current fields of several disclosures, in one query (a post's candidate cards)."""
    ids = [d.current_revision_id for d in disclosures if d.current_revision_id]
    if not ids:
        return {}
    rows = db.execute(select(Revision.disclosure_id, Revision.fields).where(Revision.id.in_(ids)))
    return {disclosure_id: json.loads(fields) for disclosure_id, fields in rows}


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def compare(db: Session, disclosure: Disclosure, older: int, newer: int) -> list[FieldChange]:
    """Field by field, as text: revision `older` against `newer` (the page marks the changes
    with the shared text diff). Raises NotFound when either number is not one of this
    disclosure's revisions."""
    mine = Revision.disclosure_id == disclosure.id
    query = select(Revision).where(mine, Revision.number.in_((older, newer)))
    found = {r.number: r for r in db.scalars(query)}
    if older not in found or newer not in found:
        raise NotFound(_("This disclosure has no such revision."))
    before, after = _as_text(found[older]), _as_text(found[newer])
    return [FieldChange(name, before.get(name, ""), after.get(name, "")) for name in {**before, **after}]


def _as_text(revision: Revision) -> dict[str, str]:
    fields = {"title": revision.title, **json.loads(revision.fields)}
    return {name: _text(value) for name, value in fields.items()}


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(v.get("filename", "") if isinstance(v, dict) else str(v) for v in value)
    return "" if value is None else str(value)
