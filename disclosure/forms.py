"""What each kind of disclosure holds, read from a form and checked: plain functions from the
typed text to clean values, raising FormInvalid with a message beside each field. The clean
values are what a revision stores, so the history compares like with like."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _

from .models import Kind

TITLE_MAX = 200
TEXT_MAX = 20_000
LINE_MAX = 200
SEATS_MAX = 99
PUBLICITY_DAYS_MAX = 60


class NoticeCategory(enum.StrEnum):
    DECISION = "decision"  # 决议
    MEETING = "meeting"  # 会议记录
    FINANCE = "finance"  # 财务
    PERSONNEL = "personnel"  # 人事
    OTHER = "other"


class PostStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    FILLED = "filled"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "line", "markdown", "int", "date", "choice", "lines"
    required: bool = False
    choices: tuple[str, ...] = ()


FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {
    Kind.POST: (
        FieldSpec("duties", "markdown", required=True),
        FieldSpec("requirements", "markdown", required=True),
        FieldSpec("seats", "int", required=True),
        FieldSpec("nomination_opens", "date", required=True),
        FieldSpec("nomination_closes", "date", required=True),
        FieldSpec("status", "choice", required=True, choices=tuple(PostStatus)),
    ),
    Kind.CANDIDATE: (
        FieldSpec("name", "line", required=True),
        FieldSpec("biography", "markdown", required=True),
        FieldSpec("statement", "markdown"),
        FieldSpec("timeline", "lines"),  # one past post a line: "2019–2022 第一支部组织委员"
        FieldSpec("nominated_how", "line"),
        FieldSpec("review", "line"),
    ),
    Kind.NOTICE: (
        FieldSpec("category", "choice", required=True, choices=tuple(NoticeCategory)),
        FieldSpec("body", "markdown", required=True),
    ),
}
MARKDOWN_FIELDS = {spec.name for specs in FIELDS.values() for spec in specs if spec.kind == "markdown"}


def clean_fields(kind: Kind, typed: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The title and the kind's fields as stored. Raises FormInvalid naming each bad field."""
    errors: dict[str, str] = {}
    title = " ".join(typed.get("title", "").split())
    if not title:
        errors["title"] = _("Give it a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("A title has at most %(max)d characters.", max=TITLE_MAX)
    values: dict[str, Any] = {}
    for spec in FIELDS[kind]:
        try:
            values[spec.name] = _clean(spec, typed.get(spec.name, ""))
        except ValueError as exc:
            errors[spec.name] = str(exc)
    if kind is Kind.POST and not errors and values["nomination_closes"] < values["nomination_opens"]:
        errors["nomination_closes"] = _("The window cannot close before it opens.")
    if errors:
        raise FormInvalid(errors)
    return title, values


def _clean(spec: FieldSpec, raw: str) -> Any:
    text = raw.replace("\r\n", "\n").strip()
    if not text:
        if spec.required:
            raise ValueError(_("This is needed."))
        return [] if spec.kind == "lines" else ("" if spec.kind in ("line", "markdown") else None)
    if spec.kind == "int":
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= SEATS_MAX:
            raise ValueError(_("A whole number from 1 to %(max)d.", max=SEATS_MAX))
        return int(text)
    if spec.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("A date like 2026-12-31.")) from None
    if spec.kind == "choice":
        if text not in spec.choices:
            raise ValueError(_("Choose one of the options."))
        return text
    limit = TEXT_MAX if spec.kind in ("markdown", "lines") else LINE_MAX
    if len(text) > limit:
        raise ValueError(_("At most %(max)d characters.", max=limit))
    if spec.kind == "lines":
        return [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    return text if spec.kind == "markdown" else " ".join(text.split())


def as_typed(values: Mapping[str, Any]) -> dict[str, str]:
    """Stored values back as a form shows them, for editing."""
    return {k: _typed(v) for k, v in values.items()}


def _typed(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def parse_moment(raw: str, timezone: str) -> datetime | None:
    """A `datetime-local` field in the organization's zone, as UTC; None when empty. Raises
    ValueError for text that is not a date and time."""
    from zoneinfo import ZoneInfo

    text = raw.strip()
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(ZoneInfo("UTC"))


def publicity_days(raw: str) -> int:
    text = raw.strip()
    if not text:
        return 0
    if not text.isascii() or not text.isdigit() or int(text) > PUBLICITY_DAYS_MAX:
        raise FormInvalid({"publicity_days": _("From 0 to %(max)d days.", max=PUBLICITY_DAYS_MAX)})
    return int(text)
