"""Setting an election up: its post, seats, rules and windows, and who is not expected."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from disclosure.models import Kind
from disclosure.publishing import link_election
from disclosure.reading import get_disclosure
from grassroots import audit
from grassroots.accounts.models import User
from grassroots.accounts.services import get_user_by_username
from grassroots.accounts.tree import OrgRef
from grassroots.audit import AuditAction
from grassroots.errors import Conflict, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.numbers import to_int

from .models import Election, Phase, RollEntry
from .rules import PARTY, MajorityBase, Rules, general
from .verifier import canonical

TITLE_MAX = 200
LIMITS = {
    "seats": (1, 99),
    "nominations_each": (1, 99),
    "nomination_days": (0, 60),
    "publicity_days": (0, 60),
    "voting_minutes": (1, 60 * 24 * 14),
}


def _numbers(typed: Mapping[str, str], errors: dict[str, str]) -> dict[str, int]:
    numbers = {}
    for name, (low, high) in LIMITS.items():
        number = to_int(typed.get(name, ""))
        if number is None or not low <= number <= high:
            errors[name] = _("A whole number from %(low)d to %(high)d.", low=low, high=high)
        else:
            numbers[name] = number
    return numbers


def rules_from_form(typed: Mapping[str, str], errors: dict[str, str]) -> Rules:
    """The party rules, or general ones with the base, quorum (percent) and margin typed."""
    if typed.get("rule_set", "party") == "party":
        return PARTY
    base, quorum, margin = (
        typed.get("majority_base", ""),
        typed.get("quorum_percent", ""),
        typed.get("margin_percent", ""),
    )
    if base not in set(MajorityBase):
        errors["majority_base"] = _("Choose what the majority is counted of.")
    for name, raw in (("quorum_percent", quorum), ("margin_percent", margin)):
        if (percent := to_int(raw)) is None or percent > 100:
            errors[name] = _("A percentage from 0 to 100.")
    if errors:
        return PARTY
    return general(
        majority_base=MajorityBase(base), quorum_num=int(quorum), quorum_den=100, margin_percent=int(margin)
    )


def create_election(db: Session, *, actor: User, org: OrgRef, typed: Mapping[str, str]) -> Election:
    """A draft election of `org`. Raises FormInvalid naming each bad field."""
    errors: dict[str, str] = {}
    title = " ".join(typed.get("title", "").split())
    if not title or len(title) > TITLE_MAX:
        errors["title"] = _("Give it a title of at most %(max)d characters.", max=TITLE_MAX)
    numbers = _numbers(typed, errors)
    rules = rules_from_form(typed, errors)
    post_id = _post_of(db, org, typed.get("post_id", "").strip(), errors)
    if errors:
        raise FormInvalid(errors)
    config = rules.as_config()
    election = Election(
        organization_id=org.id, post_id=post_id, title=title, rules=canonical(config),
        rules_hash=rules.config_hash(), public_recommendation=typed.get("public_recommendation") == "on",
        receipt_shows_ballot=typed.get("receipt_shows_ballot", "on") == "on",
        self_nomination=typed.get("self_nomination") == "on",
        phase=Phase.DRAFT, **numbers,
    )  # fmt: skip
    db.add(election)
    db.flush()
    if post_id is not None:
        link_election(db, post_id=post_id, election_id=election.id)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ELECTION_CREATE, subject=election,
        organization_id=org.id, data={"title": title, "seats": election.seats, "rules": config,
                                      "rules_hash": election.rules_hash,
                                      "receipt_shows_ballot": election.receipt_shows_ballot,
                                      "public_recommendation": election.public_recommendation,
                                      "self_nomination": election.self_nomination},
    )  # fmt: skip
    return election


def _post_of(db: Session, org: OrgRef, raw: str, errors: dict[str, str]) -> int | None:
    """The vacant post, found through the disclosure area's own reading function."""
    if not raw:
        return None
    try:
        number = to_int(raw, digits=11)
        post = get_disclosure(db, number, Kind.POST) if number is not None else None
    except NotFound:
        post = None
    if post is None or post.organization_id != org.id:
        errors["post_id"] = _("No vacant post of this organization has that number.")
        return None
    return post.id


def exclude_from_expected(
    db: Session, *, actor: User, election: Election, username: str, reason: str
) -> None:
    """Not expected (应到会) for a recorded reason, such as long illness or work far away:
    only during publicity, before the roll is frozen. Raises FormInvalid, Conflict."""
    if election.phase is not Phase.PUBLICITY:
        raise Conflict(_("The voter roll can change only during publicity."))
    user = get_user_by_username(db, username.strip())
    entry = db.get(RollEntry, (election.id, user.id)) if user else None
    if entry is None:
        raise FormInvalid({"username": _("Nobody of that name is on the voter roll.")})
    reason = " ".join(reason.split())
    if not reason or len(reason) > 200:
        raise FormInvalid({"reason": _("Give the reason, in at most 200 characters.")})
    entry.excluded_reason = reason
    db.flush()
    # The entry is public (it is in the election's record), and a reason such as an illness is
    # not: it says how the roll changed, while who and why stay with the roll for the officials.
    size, excluded = roll_size(db, election)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ROLL_EXCLUDE, subject=election,
        organization_id=election.organization_id, data={"roll": size, "excluded": excluded},
    )  # fmt: skip


def roll_size(db: Session, election: Election) -> tuple[int, int]:
    """How many are on the roll, and how many of them are not expected."""
    reasons = list(db.scalars(select(RollEntry.excluded_reason).where(RollEntry.election_id == election.id)))
    return len(reasons), sum(1 for reason in reasons if reason)


def exclusions(db: Session, election: Election) -> list[tuple[str, str]]:
    """Who is not expected and why, for the officials: names and reasons, by name."""
    rows = db.execute(
        select(User.display_name, RollEntry.excluded_reason)
        .join(RollEntry, RollEntry.user_id == User.id)
        .where(RollEntry.election_id == election.id, RollEntry.excluded_reason != "")
        .order_by(User.display_name)
    )
    return [(name, reason) for name, reason in rows]
