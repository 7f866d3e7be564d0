"""From nominations to the candidate list: nominate within the limits, gather the nominees when
the window ends, review each one's qualification, and fix the list in surname stroke order with
its profiles published in the disclosure area."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from disclosure import publishing
from disclosure.models import Kind
from grassroots import audit
from grassroots.accounts.models import Membership, Role, User
from grassroots.accounts.services import get_user_by_username
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotFound, NotPermitted
from grassroots.i18n import gettext as _
from grassroots.i18n import ngettext

from .models import Candidate, Election, Nomination, Phase
from .rules import Rules
from .strokes import stroke_key

NOTE_MAX = 1000
# The roles that make someone a member of the organization: on the voter roll, and nominable.
# Compared as a set, not with >=: the column holds the roles' names, and in SQL 'RESIDENT' sorts
# after 'MEMBER'.
MEMBER_ROLES = tuple(role for role in Role if role >= Role.MEMBER)
REASON_MAX = 500
FOUND_MAX = 20


def find_members(db: Session, election: Election, query: str) -> list[User]:
    """Members of the organization whose name or username holds `query`, for the nominate page."""
    words = " ".join(query.split())[:40]
    if not words:
        return []
    found = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == election.organization_id,
            Membership.role.in_(MEMBER_ROLES),
            User.display_name.contains(words, autoescape=True)
            | User.username.contains(words, autoescape=True),
        )
        .order_by(User.display_name, User.id)
        .limit(FOUND_MAX)
    )
    return list(db.scalars(found))


def reasons_for(db: Session, election: Election) -> dict[int, list[str]]:
    """What the nominators said, by nominee, without saying who said it."""
    rows = db.execute(
        select(Nomination.nominee_id, Nomination.reason)
        .where(Nomination.election_id == election.id, Nomination.reason != "")
        .order_by(Nomination.nominee_id, Nomination.reason)
    )
    said: dict[int, list[str]] = {}
    for nominee_id, reason in rows:
        said.setdefault(nominee_id, []).append(reason)
    return said


def is_member(db: Session, election: Election, user_id: int) -> bool:
    query = select(Membership.id).where(
        Membership.organization_id == election.organization_id,
        Membership.user_id == user_id,
        Membership.role.in_(MEMBER_ROLES),
    )
    return db.scalar(query) is not None


def nominate(
    db: Session, *, actor: User, election: Election, username: str, reason: str, now: datetime | None = None
) -> Nomination:
    """`actor` recommends the member named `username`, saying why. The caller has asked the
    policy (`may_nominate`). Raises FormInvalid, or Conflict outside the window or over the limit."""
    if election.phase is not Phase.NOMINATION or (now or utcnow()) >= (
        election.nomination_ends_at or utcnow()
    ):
        raise Conflict(_("Nominations are not open."))
    nominee = get_user_by_username(db, username.strip())
    if nominee is None or not is_member(db, election, nominee.id):
        raise FormInvalid({"username": _("Only a member of this organization can be nominated.")})
    if nominee.id == actor.id and not election.self_nomination:
        raise FormInvalid({"username": _("This election does not take self-nominations.")})
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise FormInvalid({"reason": _("Say why, in at most %(max)d characters.", max=REASON_MAX)})
    made = nominations_by(db, election, actor)
    if nominee.id in made:
        raise FormInvalid({"username": _("You have already nominated this person.")})
    if len(made) >= election.nominations_each:
        raise Conflict(_("You have made all the nominations you may make."))
    nomination = Nomination(
        election_id=election.id, nominator_id=actor.id, nominee_id=nominee.id, reason=reason
    )
    db.add(nomination)
    try:
        db.flush()
    except IntegrityError as error:  # the same nomination sent twice at once
        raise Conflict(_("You have already nominated this person.")) from error
    # The public audit log says that a nomination was made, not whom it named: only the counts
    # are published, when the window ends.
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_NOMINATION_ADD, subject=election,
        organization_id=election.organization_id,
    )  # fmt: skip
    return nomination


def nominations_by(db: Session, election: Election, actor: User) -> list[int]:
    query = select(Nomination.nominee_id).where(
        Nomination.election_id == election.id, Nomination.nominator_id == actor.id
    )
    return list(db.scalars(query))


def gather_nominees(db: Session, election: Election) -> list[list[Any]]:
    """A candidate row for every nominee, with their count; the counts, most first."""
    rows = db.execute(
        select(User.id, User.display_name, func.count(Nomination.id))
        .join(Nomination, Nomination.nominee_id == User.id)
        .where(Nomination.election_id == election.id)
        .group_by(User.id, User.display_name)
    ).all()
    for user_id, name, number in rows:
        db.add(Candidate(election_id=election.id, user_id=user_id, name=name, nominations=number))
    db.flush()
    return sorted(([name, number] for _id, name, number in rows), key=lambda row: (-row[1], row[0]))


def list_candidates(db: Session, election: Election, *, qualified_only: bool = False) -> list[Candidate]:
    query = select(Candidate).where(Candidate.election_id == election.id)
    if qualified_only:
        query = query.where(Candidate.qualified.is_(True))
    return sorted(db.scalars(query), key=lambda c: (c.position, -c.nominations, c.id))


def get_candidate(db: Session, election: Election, candidate_id: int) -> Candidate:
    found = db.get(Candidate, candidate_id)
    if found is None or found.election_id != election.id:
        raise NotFound(_("There is no such candidate."))
    return found


def review(
    db: Session, *, actor: User, election: Election, candidate: Candidate, qualified: bool, note: str
) -> None:
    """Record the qualification review of one nominee. The note is the profile's biography
    when qualified and the reason when not. Raises FormInvalid, Conflict."""
    if election.phase is not Phase.REVIEW:
        raise Conflict(_("Nominees are reviewed only between nomination and publicity."))
    note = note.strip()
    if not note:
        raise FormInvalid({"note": _("Write a biography, or why the nominee does not qualify.")})
    if len(note) > NOTE_MAX:
        raise FormInvalid({"note": _("At most %(max)d characters.", max=NOTE_MAX)})
    candidate.qualified, candidate.review_note = qualified, note
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_CANDIDATE_REVIEW, subject=election,
        organization_id=election.organization_id,
        data={"name": candidate.name, "qualified": qualified},
    )  # fmt: skip


def answer(db: Session, *, actor: User, election: Election, accept: bool) -> Candidate:
    """The nominee `actor` accepts standing, or declines. Raises NotPermitted for one who is not
    a nominee, Conflict outside review."""
    if election.phase is not Phase.REVIEW:
        raise Conflict(_("Nominees answer between nomination and publicity."))
    mine = db.scalars(
        select(Candidate).where(Candidate.election_id == election.id, Candidate.user_id == actor.id)
    ).one_or_none()
    if mine is None:
        raise NotPermitted(_("You are not among this election's nominees."))
    mine.accepted = accept
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_CANDIDATE_ANSWER, subject=election,
        organization_id=election.organization_id, data={"name": mine.name, "accepted": accept},
    )  # fmt: skip
    return mine


def fix_list(db: Session, *, actor: User, election: Election, rules: Rules) -> list[str]:
    """Order those qualified who accepted in surname stroke order and publish their profiles.
    Raises Conflict while a qualified nominee has not answered or anyone is unreviewed, and when
    too few stand for the seats."""
    everyone = list_candidates(db, election)
    if any(c.qualified is None for c in everyone):
        raise Conflict(_("Review every nominee first."))
    if any(c.qualified and c.accepted is None for c in everyone):
        raise Conflict(_("Every qualified nominee must first say whether they accept."))
    listed = sorted((c for c in everyone if c.qualified and c.accepted), key=lambda c: stroke_key(c.name))
    if not rules.enough_candidates(candidates=len(listed), seats=election.seats):
        raise Conflict(_("Too few qualified candidates for the seats under this election's rules."))
    for position, candidate in enumerate(listed, start=1):
        candidate.position = position
        candidate.profile_id = publish_profile(db, actor, election, candidate).id
    return [c.name for c in listed]


def publish_profile(db: Session, actor: User, election: Election, candidate: Candidate):  # type: ignore[no-untyped-def]
    typed = {
        "title": _("Candidate: %(name)s", name=candidate.name),
        "name": candidate.name,
        "biography": candidate.review_note,
        "nominated_how": ngettext(
            "%(num)d nomination", "%(num)d nominations", candidate.nominations, num=candidate.nominations
        ),
        "review": _("Qualified"),
    }
    return publishing.publish(
        db, actor=actor, role="secretary", organization_id=election.organization_id,
        kind=Kind.CANDIDATE, typed=typed, post_id=election.post_id,
    )  # fmt: skip
