"""A published result goes out beyond the election's own page: as a personnel notice in the
disclosure area (党务公开), and as an entry of the results feed."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from disclosure import publishing
from disclosure.forms import NoticeCategory
from disclosure.models import Disclosure, Kind
from grassroots.accounts.models import User
from grassroots.i18n import gettext as _

from .candidates import list_candidates
from .labels import contender_name, outcome_label
from .models import Election


def summary(db: Session, election: Election) -> str:
    """One plain line: the outcome, who is elected, and how many took part."""
    result = json.loads(election.result)
    names = {str(c.id): c.name for c in list_candidates(db, election, qualified_only=True)}
    parts = [outcome_label(result["outcome"])]
    if result["elected"]:
        elected = "、".join(contender_name(key, names) for key in result["elected"])
        parts.append(_("Elected: %(names)s.", names=elected))
    parts.append(
        _(
            "Present %(present)d of %(expected)d expected.",
            present=result["present"],
            expected=result["expected"],
        )
    )
    return " ".join(parts)


def publish_notice(db: Session, *, actor: User, election: Election) -> Disclosure:
    """The result as a notice, pointing to the full result and to the record anyone can check."""
    full, record = _("The full result"), _("The record to check it")
    links = f"[{full}](/elections/{election.id}/results) · [{record}](/elections/{election.id}/record.json)"
    typed = {
        "title": _("Election result: %(title)s", title=election.title)[:200],
        "category": NoticeCategory.PERSONNEL.value,
        "body": summary(db, election) + "\n\n" + links,
    }
    return publishing.publish(
        db, actor=actor, role="secretary", organization_id=election.organization_id,
        kind=Kind.NOTICE, typed=typed, post_id=election.post_id,
    )  # fmt: skip
