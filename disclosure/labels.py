"""The words for the disclosure area's codes, in the reader's language."""

from __future__ import annotations

from grassroots.i18n import gettext as _

from .forms import NoticeCategory, PostStatus
from .models import Kind


def area_title() -> str:
    return _("Open affairs")


def kind_label(kind: Kind | str) -> str:
    return {Kind.POST: _("Vacant post"), Kind.CANDIDATE: _("Candidate"), Kind.NOTICE: _("Notice")}[Kind(kind)]


def category_label(code: str) -> str:
    """A notice's category, or a vacant post's status: both are what the list shows as its tag."""
    return {
        NoticeCategory.DECISION: _("Decision"),
        NoticeCategory.MEETING: _("Meeting record"),
        NoticeCategory.FINANCE: _("Finance"),
        NoticeCategory.PERSONNEL: _("Personnel"),
        NoticeCategory.OTHER: _("Other"),
        PostStatus.OPEN: _("Open for nomination"),
        PostStatus.CLOSED: _("Nomination closed"),
        PostStatus.FILLED: _("Filled"),
    }.get(code, "")


def role_label(role: str) -> str:
    return _("the administrator") if role == "admin" else _("the secretary")


def field_label(name: str) -> str:
    return {
        "title": _("Title"), "duties": _("Duties"), "requirements": _("Requirements"), "seats": _("Seats"),
        "nomination_opens": _("Nomination opens"), "nomination_closes": _("Nomination closes"),
        "status": _("Status"), "name": _("Name"), "biography": _("Biography"),
        "statement": _("Statement of intent"), "timeline": _("Past posts"),
        "nominated_how": _("How nominated"), "review": _("Review result"), "category": _("Category"),
        "body": _("Text"), "photo": _("Photo"), "video": _("Video"), "attachments": _("Attachments"),
    }.get(name, name)  # fmt: skip


HELPERS = {
    "kind_label": kind_label,
    "category_label": category_label,
    "role_label": role_label,
    "field_label": field_label,
}
