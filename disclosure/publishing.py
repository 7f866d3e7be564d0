"""Publishing, revising and withdrawing disclosures. Each act writes a whole revision (or, for a
withdrawal, the public notice of it), an audit entry, and a new cache token, in the caller's
transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from grassroots import audit, markup
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid
from grassroots.i18n import gettext as _

from . import cache, forms
from .models import Disclosure, Kind, Revision, State

SUMMARY_CHARS = 140
REASON_MAX = 1000
# A publish time a little in the past is the form's own "now": the minute it was filled in.
PAST_GRACE = timedelta(minutes=10)
MAIN_TEXT = {Kind.POST: "duties", Kind.CANDIDATE: "biography", Kind.NOTICE: "body"}


def publish(
    db: Session,
    *,
    actor: User,
    role: str,
    organization_id: int,
    kind: Kind,
    typed: Mapping[str, str],
    media: Mapping[str, Any] | None = None,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    publicity_days: int = 0,
    post_id: int | None = None,
) -> Disclosure:
    """A new disclosure and its first revision. `role` is how the public log names the actor.
    Raises FormInvalid for bad fields or times."""
    title, values = forms.clean_fields(kind, typed)
    now = utcnow()
    moment = publish_at or now
    if moment < now - PAST_GRACE:
        raise FormInvalid({"publish_at": _("A new disclosure cannot be published in the past.")})
    if expires_at is not None and expires_at <= moment:
        raise FormInvalid({"expires_at": _("It must expire after it is published.")})
    disclosure = Disclosure(
        organization_id=organization_id,
        kind=kind,
        state=State.PUBLISHED,
        title=title,
        post_id=post_id,
        publish_at=moment,
        expires_at=expires_at,
        publicity_ends_at=moment + timedelta(days=publicity_days) if publicity_days else None,
        created_at=now,
        updated_at=now,
    )
    db.add(disclosure)
    db.flush()
    _add_revision(db, disclosure, title, {**values, **(media or {})}, role=role, note="")
    audit.record(
        db, actor=actor, action=AuditAction.DISCLOSURE_PUBLISH, subject=disclosure,
        organization_id=organization_id,
        data={"kind": kind.value, "title": title, "publish_at": moment.isoformat(),
              "publicity_days": publicity_days},
    )  # fmt: skip
    cache.changed(db)
    return disclosure


def revise(
    db: Session,
    *,
    disclosure: Disclosure,
    actor: User,
    role: str,
    typed: Mapping[str, str],
    media: Mapping[str, Any] | None = None,
    note: str,
) -> Revision:
    """A new whole revision. Raises Conflict for a withdrawn disclosure, FormInvalid for bad
    fields, a missing note or no change at all."""
    if disclosure.state is State.WITHDRAWN:
        raise Conflict(withdrawn_message())
    title, values = forms.clean_fields(disclosure.kind, typed)
    note = " ".join(note.split())
    if not note:
        raise FormInvalid({"note": _("Say what changed and why: the history shows it to everyone.")})
    if len(note) > REASON_MAX:
        raise FormInvalid({"note": _("At most %(max)d characters.", max=REASON_MAX)})
    previous = db.get_one(Revision, disclosure.current_revision_id)
    merged = {**json.loads(previous.fields), **values, **(media or {})}
    if title == previous.title and _canonical(merged) == previous.fields:
        raise FormInvalid({"note": _("Nothing was changed.")})
    revision = _add_revision(db, disclosure, title, merged, role=role, note=note)
    audit.record(
        db, actor=actor, action=AuditAction.DISCLOSURE_REVISE, subject=disclosure,
        organization_id=disclosure.organization_id,
        data={"revision": revision.number, "title": title, "note": note},
    )  # fmt: skip
    cache.changed(db)
    return revision


def link_election(db: Session, *, post_id: int, election_id: int) -> None:
    """The election that fills a vacant post: its page then offers the nomination form while
    the post is open. A link, not a change of what the post says, so no new revision."""
    post = db.get_one(Disclosure, post_id)
    if post.kind is not Kind.POST:
        raise Conflict(_("Only a vacant post is filled by an election."))
    post.election_id = election_id
    cache.changed(db)


def withdrawn_message() -> str:
    return _("A withdrawn disclosure cannot be changed; publish a new one.")


def withdraw(db: Session, *, disclosure: Disclosure, actor: User, role: str, reason: str) -> None:
    """Take a disclosure down, leaving in its place the public notice of when, by which role
    and why. Raises Conflict when it is withdrawn already, FormInvalid without a reason."""
    if disclosure.state is State.WITHDRAWN:
        raise Conflict(_("This disclosure was withdrawn already."))
    reason = " ".join(reason.split())
    if not reason:
        raise FormInvalid({"reason": _("Say why: the public sees the reason in its place.")})
    if len(reason) > REASON_MAX:
        raise FormInvalid({"reason": _("At most %(max)d characters.", max=REASON_MAX)})
    disclosure.state = State.WITHDRAWN
    disclosure.withdrawn_at = disclosure.updated_at = utcnow()
    disclosure.withdrawn_role, disclosure.withdrawn_reason = role, reason
    audit.record(
        db, actor=actor, action=AuditAction.DISCLOSURE_WITHDRAW, subject=disclosure,
        organization_id=disclosure.organization_id, data={"reason": reason},
    )  # fmt: skip
    cache.changed(db)


def _add_revision(
    db: Session, disclosure: Disclosure, title: str, values: dict[str, Any], *, role: str, note: str
) -> Revision:
    rendered = {name: markup.render(values[name]) for name in forms.MARKDOWN_FIELDS if values.get(name)}
    disclosure.revision_count += 1
    revision = Revision(
        disclosure_id=disclosure.id,
        number=disclosure.revision_count,
        title=title,
        fields=_canonical(values),
        rendered=json.dumps(rendered, ensure_ascii=False),
        note=note,
        editor_role=role,
        created_at=utcnow(),
    )
    db.add(revision)
    db.flush()
    main = rendered.get(MAIN_TEXT[disclosure.kind], "")
    text = " ".join(markup.plain_text(main).split())
    disclosure.title, disclosure.current_revision_id = title, revision.id
    disclosure.summary = text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")
    disclosure.category = str(values.get("category") or values.get("status") or "")
    disclosure.updated_at = revision.created_at
    return revision


def _canonical(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
