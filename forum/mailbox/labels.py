"""How the mailbox's statuses, categories, ratings and history read on a page."""

from __future__ import annotations

from grassroots.i18n import gettext as _

from .models import Category, EventKind, LetterEvent, Rating, Status


def category_label(category: Category | str) -> str:
    return {
        Category.SUGGESTION: _("Suggestion"),
        Category.QUESTION: _("Question"),
        Category.HELP: _("Request for help"),
        Category.COMPLAINT: _("Complaint"),
        Category.PROBLEM: _("Problem report"),
    }[Category(category)]


def status_label(status: Status | str) -> str:
    return {
        Status.RECEIVED: _("Received"),
        Status.ACCEPTED: _("Accepted"),
        Status.IN_PROGRESS: _("In progress"),
        Status.WAITING: _("Waiting for information"),
        Status.REPLIED: _("Replied"),
        Status.CLOSED: _("Closed"),
        Status.CLOSED_UNSOLVED: _("Closed, not solved"),
        Status.DECLINED: _("Declined"),
    }[Status(status)]


def rating_label(rating: Rating | str) -> str:
    return {
        Rating.SATISFIED: _("Satisfied"),
        Rating.BASIC: _("Fairly satisfied"),
        Rating.UNSATISFIED: _("Not satisfied"),
    }[Rating(rating)]


def categories() -> list[tuple[str, str]]:
    return [(c.value, category_label(c)) for c in Category]


def statuses() -> list[tuple[str, str]]:
    return [(s.value, status_label(s)) for s in Status]


def ratings() -> list[tuple[str, str]]:
    return [(r.value, rating_label(r)) for r in Rating]


def event_text(event: LetterEvent) -> str:
    """One line of the history, in the reader's language."""
    kind = event.kind
    if kind is EventKind.STATUS:
        return _("Status: %(status)s", status=status_label(event.new_status))
    if kind is EventKind.TRANSFER:
        return _("Transferred to %(org)s", org=event.detail)
    if kind is EventKind.EXTENSION:
        return _("Deadline extended by %(days)s working days", days=event.detail)
    if kind is EventKind.RATING:
        rating, _sep, solved = event.detail.partition(":")
        solved_text = _("solved") if solved == "yes" else _("not solved")
        return _("Rated: %(rating)s, %(solved)s", rating=rating_label(rating), solved=solved_text)
    return {
        EventKind.WRITTEN: _("Letter received"),
        EventKind.REPLY: _("Reply"),
        EventKind.WRITER_MESSAGE: _("Message from the writer"),
        EventKind.NOTE: _("Internal note"),
        EventKind.REOPEN: _("Reopened by the writer"),
        EventKind.PUBLISHED: _("Published"),
    }[kind]
