"""Objections (异议) during a publicity period: anyone lodges one, with or without an account and
a contact; moderation screens it like any text; the organization's secretary records how it was
handled. The disclosure's page counts those received and handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import audit, security
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, Throttled
from grassroots.i18n import gettext as _
from moderation import screening
from moderation.registry import ExtraAction, ItemView

from . import cache
from .models import Disclosure, Objection, ObjectionState, State

CONTENT_KIND = "disclosure.objection"
BODY_MAX = 5000
CONTACT_MAX = 200
RESPONSE_MAX = 2000
LODGE_LIMIT = security.Limit("disclosure.objection", 5, timedelta(hours=1))


def lodge(
    db: Session, *, disclosure: Disclosure, author: User | None, body: str, contact: str, client: str
) -> Objection:
    """Record an objection. Raises Conflict outside the publicity period, Throttled past the
    limit for one person or address, FormInvalid for an empty or overlong text, moderation's
    Blocked for a refused word."""
    key = f"user:{author.id}" if author else f"address:{client}"
    wait = security.seconds_until_allowed(db, LODGE_LIMIT, key)
    if wait:
        raise Throttled(
            _("Too many objections at once. Please wait %(minutes)d minutes.", minutes=(wait + 59) // 60),
            wait,
        )
    now = utcnow()
    if disclosure.state is not State.PUBLISHED or not disclosure.publicity_ends_at:
        raise Conflict(_("This disclosure takes no objections."))
    if now >= disclosure.publicity_ends_at or now < disclosure.publish_at:
        raise Conflict(_("The publicity period has ended: objections are no longer taken."))
    body, contact = body.replace("\r\n", "\n").strip(), " ".join(contact.split())
    errors = {}
    if not body:
        errors["body"] = _("Say what you object to.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("At most %(max)d characters.", max=BODY_MAX)
    if len(contact) > CONTACT_MAX:
        errors["contact"] = _("At most %(max)d characters.", max=CONTACT_MAX)
    if errors:
        raise FormInvalid(errors)
    submission = screening.Submission(
        kind=CONTENT_KIND, organization_id=disclosure.organization_id,
        author_id=author.id if author else None, text=body, place=disclosure.title[:60],
    )  # fmt: skip
    verdict = screening.screen(db, submission)
    held = verdict.outcome is screening.Outcome.HOLD
    objection = Objection(
        disclosure_id=disclosure.id, organization_id=disclosure.organization_id,
        author_id=author.id if author else None, body=verdict.text, contact=contact,
        state=ObjectionState.HELD if held else ObjectionState.RECEIVED, created_at=now,
    )  # fmt: skip
    db.add(objection)
    db.flush()
    security.count_event(db, LODGE_LIMIT, key)
    screening.recorded(db, submission, verdict, objection.id)
    if not held:
        _received(db, objection)
    return objection


def _received(db: Session, objection: Objection) -> None:
    disclosure = db.get_one(Disclosure, objection.disclosure_id)
    disclosure.objections_received += 1
    audit.record(
        db, actor=None, action=AuditAction.DISCLOSURE_OBJECTION_LODGE, subject=disclosure,
        organization_id=disclosure.organization_id, data={"objection": objection.id},
    )  # fmt: skip
    cache.changed(db)


def handle(db: Session, *, objection: Objection, actor: User, response: str) -> None:
    """Record how the objection was handled (published on the disclosure's objections page).
    Raises Conflict when it waits for moderation or was handled already."""
    if objection.state is not ObjectionState.RECEIVED:
        raise Conflict(_("This objection is not waiting to be handled."))
    response = response.replace("\r\n", "\n").strip()
    if not response:
        raise FormInvalid({"response": _("Say how it was handled: the public sees it.")})
    if len(response) > RESPONSE_MAX:
        raise FormInvalid({"response": _("At most %(max)d characters.", max=RESPONSE_MAX)})
    objection.state, objection.response, objection.handled_at = ObjectionState.HANDLED, response, utcnow()
    disclosure = db.get_one(Disclosure, objection.disclosure_id)
    disclosure.objections_handled += 1
    audit.record(
        db, actor=actor, action=AuditAction.DISCLOSURE_OBJECTION_HANDLE, subject=disclosure,
        organization_id=disclosure.organization_id, data={"objection": objection.id, "response": response},
    )  # fmt: skip
    cache.changed(db)


def objections_to(
    db: Session, disclosure: Disclosure, *, states: tuple[ObjectionState, ...]
) -> list[Objection]:
    query = select(Objection).where(Objection.disclosure_id == disclosure.id, Objection.state.in_(states))
    return list(db.scalars(query.order_by(Objection.id)))


class ObjectionAdapter:
    """How the moderation queue shows an objection held by screening, and what its decisions mean:
    approved, it reaches the secretary; rejected or hidden, it never does."""

    kind = CONTENT_KIND

    def describe(self, db: Session, item_id: int) -> ItemView | None:
        return self.describe_many(db, [item_id]).get(item_id)

    def describe_many(self, db: Session, item_ids: Sequence[int]) -> dict[int, ItemView]:
        rows = db.execute(
            select(Objection, Disclosure.title).join(Disclosure).where(Objection.id.in_(set(item_ids)))
        ).all()
        return {
            o.id: ItemView(
                organization_id=o.organization_id,
                author_id=o.author_id,
                title=title,
                html=_escaped(o.body),
                link=f"/disclosure/objections/{o.disclosure_id}",
                place=title[:60],
                context=(title,),
                public=False,
            )  # fmt: skip
            for o, title in rows
        }

    def publish(self, db: Session, item_id: int) -> None:
        objection = db.get_one(Objection, item_id)
        if objection.state is ObjectionState.HELD:
            objection.state = ObjectionState.RECEIVED
            _received(db, objection)

    def hide(self, db: Session, item_id: int, reason: str) -> None:
        """Nothing of an objection is public; a hidden or rejected one stays held."""

    def reject(self, db: Session, item_id: int, reason: str) -> None:
        """See hide."""

    def edit(self, db: Session, item_id: int, text: str, editor_id: int) -> None:
        raise FormInvalid({"text": _("An objection is read as its writer sent it.")})

    def source(self, db: Session, item_id: int) -> str:
        return db.get_one(Objection, item_id).body

    def actions(self, db: Session, item_id: int) -> list[ExtraAction]:
        return []

    def perform(self, db: Session, item_id: int, name: str, choice: str) -> None:
        raise FormInvalid({"action": _("There is no such action.")})


def _escaped(text: str) -> str:
    return "<p>" + escape(text).replace("\n", "<br>") + "</p>"
