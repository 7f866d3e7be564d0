"""What the moderation pages share: who moderates where, labels for codes, names and times."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from starlette.exceptions import HTTPException

from grassroots import policy
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgNode
from grassroots.i18n import get_locale
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier
from grassroots.numbers import to_int
from grassroots.web import Context

from . import flags
from .models import HoldReason
from .registry import known


def notifier(ctx: Context) -> Notifier:
    return Notifier(ctx.settings.site_url, ctx.settings.mail_enabled)


def moderated(ctx: Context) -> list[OrgNode]:
    """The organizations the person may moderate; none means the page is not theirs."""
    ctx.require_login()
    orgs = [
        node for node, _depth in ctx.tree.flat() if policy.may_moderate(ctx.actor, ctx.tree.path(node.id))
    ]
    ctx.require(bool(orgs))
    return orgs


def timezone_of(ctx: Context, organization_id: int) -> str:
    node = ctx.tree.by_id.get(organization_id)
    return node.timezone if node else ctx.settings.timezone


def require_moderates(ctx: Context, organization_id: int) -> None:
    ctx.require(policy.may_moderate(ctx.actor, ctx.tree.path(organization_id)))


def reason_label(reason: HoldReason | str) -> str:
    return _reason_labels(get_locale())[HoldReason(reason)]


@lru_cache(maxsize=8)
def _reason_labels(locale: str) -> dict[HoldReason, str]:
    """Per language, once: a queue page labels thirty items."""
    return {
        HoldReason.NEW_ACCOUNT: _("New account"),
        HoldReason.WATCHED_WORD: _("Watched word"),
        HoldReason.LINK: _("Link from a new account"),
        HoldReason.FLAGGED: _("Flagged"),
        HoldReason.RESUBMITTED: _("Changed after review"),
    }


def action_label(action: str) -> str:
    return _action_labels(get_locale()).get(action, action)


@lru_cache(maxsize=8)
def _action_labels(locale: str) -> dict[str, str]:
    return {
        "approve": _("Approved"), "reject": _("Rejected"), "hide": _("Hidden"), "unhide": _("Shown again"),
        "edit": _("Edited"), "warn": _("Warned a person"), "suspend": _("Suspended a person"),
        "lift": _("Lifted a suspension"), "lock": _("Locked a thread"), "unlock": _("Unlocked a thread"),
        "pin": _("Pinned a thread"), "unpin": _("Unpinned a thread"), "feature": _("Featured a thread"),
        "unfeature": _("Took a thread out of the featured"), "move": _("Moved a thread"),
        "slow_mode": _("Set slow mode"), "appeal_granted": _("Granted an appeal"),
        "appeal_refused": _("Refused an appeal"),
    }  # fmt: skip


def role_label(role: str) -> str:
    return {"admin": _("administrator"), "secretary": _("secretary")}.get(role, _("moderator"))


HELPERS = {"reason_label": reason_label, "action_label": action_label, "role_label": role_label,
           "flag_label": flags.reason_label}  # fmt: skip


def names(ctx: Context, user_ids: list[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in ctx.db.scalars(select(User).where(User.id.in_(set(user_ids))))}


def content_ref(ctx: Context) -> tuple[str, int]:
    kind, raw = ctx.query("kind") or ctx.field("kind"), ctx.query("id") or ctx.field("id")
    number = to_int(raw)
    if not known(kind) or number is None:
        raise HTTPException(404, _("There is no such post."))
    return kind, number
