"""How roles, request states and organizations are named on pages."""

from __future__ import annotations

from grassroots.accounts.models import Organization, RequestStatus, Role
from grassroots.i18n import gettext as _


def role_label(role: Role) -> str:
    return {
        Role.RESIDENT: _("resident"),
        Role.MEMBER: _("member"),
        Role.MODERATOR: _("moderator"),
        Role.SECRETARY: _("secretary"),
    }[role]


def status_label(status: RequestStatus) -> str:
    return {
        RequestStatus.PENDING: _("waiting for the secretary"),
        RequestStatus.APPROVED: _("approved"),
        RequestStatus.REJECTED: _("not approved"),
    }[status]


def org_options(rows: list[tuple[Organization, int]]) -> list[tuple[int, str]]:
    """(id, name indented by depth) for a <select>: a tree without JavaScript."""
    return [(org.id, "\u3000" * depth + org.name) for org, depth in rows]
