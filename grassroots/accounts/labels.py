"""How roles, request states and organizations are named on pages."""

from __future__ import annotations

from grassroots.accounts.models import RequestStatus, Role
from grassroots.accounts.tree import OrgNode
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


def org_options(rows: list[tuple[OrgNode, int]]) -> list[tuple[int, str]]:
    """(id, name indented by depth) for a <select>: a tree without JavaScript."""
    return [(org.id, "\u3000" * depth + org.name) for org, depth in rows]


# Checked in order: Edge and WeChat also announce Chrome or Safari, so they come first.
_BROWSERS = [
    ("Edg/", "Edge"),
    ("MicroMessenger", "WeChat"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


def device_label(user_agent: str) -> str:
    """ "Chrome · Android" rather than the browser's whole self-description."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    label = " · ".join(part for part in (browser, system) if part)
    return label or _("Unknown browser")
