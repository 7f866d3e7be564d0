"""How polls read on the page: translated names, the bar chart's rows (drawn as SVG by the
server), and the rounds of a ranked count made into table rows."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from grassroots.i18n import gettext as _

from .models import Method, PollKind, Shown, Voters

BAR_WIDTH = 220  # the bars' longest, in SVG units; the SVG scales to the screen
ROW = 40
CHART_NAME = 28  # characters of an option's text in the chart; the table has it whole


def kind_label(kind: str, method: str | None = None, seats: int = 1, max_choices: int = 1) -> str:
    if kind == PollKind.SINGLE:
        return _("Single choice")
    if kind == PollKind.MULTIPLE:
        return _("Multiple choice, at most %(limit)d", limit=max_choices)
    return {
        Method.SCHULZE: _("Ranked choice, counted by the Schulze method (Condorcet)"),
        Method.IRV: _("Ranked choice, counted by instant run-off"),
        Method.STV: _("Ranked choice for %(seats)d seats, counted by single transferable vote", seats=seats),
    }.get(method or "", _("Ranked choice"))  # type: ignore[call-overload]


def voters_label(voters: str) -> str:
    if voters == Voters.MEMBERS:
        return _("Members of the organization may vote")
    return _("Everyone signed in may vote")


def shown_label(shown: str) -> str:
    if shown == Shown.AFTER_VOTING:
        return _("Results are shown to each person after voting, and to all at the close")
    return _("Results are shown when the poll closes")


def chart(counts: list[int], options: list[str], ballots: int) -> list[dict[str, Any]]:
    """One bar per option, as a share of the ballots, in the options' own order."""
    base = max(ballots, 1)
    top = max(counts, default=0)
    return [
        {
            "name": name if len(name) <= CHART_NAME else name[: CHART_NAME - 1] + "…",
            "number": number,
            "width": BAR_WIDTH * number // base,
            "lead": bool(top) and number == top,
            "y": ROW * index,
        }
        for index, (name, number) in enumerate(zip(options, counts, strict=True))
    ]


def score(raw: str) -> str:
    """A fraction as stored ("17/3") written to two decimals; exact in the record."""
    value = Fraction(raw)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.2f}"


def _name(options: list[str], index: int) -> str:
    return options[index] if 0 <= index < len(options) else str(index)


def event_text(event: list[Any], options: list[str]) -> str:
    kind, who = event
    names = "、".join(_name(options, i) for i in who) if isinstance(who, list) else _name(options, who)
    return {
        "win": _("Elected: %(names)s", names=names),
        "lose": _("Eliminated: %(names)s", names=names),
        "tie_win": _("Tie for election between %(names)s, decided by the order of the options", names=names),
        "tie_lose": _(
            "Tie for elimination between %(names)s, decided by the order of the options", names=names
        ),
    }.get(kind, kind)


def runoff_events(rounds: list[dict[str, Any]], options: list[str]) -> list[str]:
    """What happened in each instant run-off round."""
    said = []
    for r in rounds:
        if r["winner"] is not None:
            said.append(_("%(name)s has more than half of the ballots still counting and wins.",
                          name=_name(options, r["winner"])))  # fmt: skip
        elif r["eliminated"] is not None and r["tied"]:
            tied = "、".join(_name(options, i) for i in r["tied"])
            said.append(_("Lowest tied (%(tied)s): %(name)s, listed last, is eliminated.", tied=tied,
                          name=_name(options, r["eliminated"])))  # fmt: skip
        elif r["eliminated"] is not None:
            said.append(_("%(name)s has the fewest and is eliminated.", name=_name(options, r["eliminated"])))
        else:
            said.append(_("No ballot is still counting: nobody wins."))
    return said


def rounds_table(rounds: list[dict[str, Any]], options: list[str], key: str) -> list[list[str]]:
    """Per option, its number in each round ("" once it is out); `key` is "tallies" or "scores"."""
    rows = []
    for index, name in enumerate(options):
        cells = [r[key].get(str(index)) for r in rounds]
        rows.append([name, *("" if c is None else score(str(c)) for c in cells)])
    return rows


HELPERS = {
    "kind_label": kind_label,
    "voters_label": voters_label,
    "shown_label": shown_label,
    "event_text": event_text,
    "bar_width": BAR_WIDTH,
    "chart_row": ROW,
}
