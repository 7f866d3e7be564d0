"""A poll's count from its stored ballots: the counting functions applied to the poll's kind."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .counting import approval, leaders, plurality
from .models import Method, Poll, PollKind
from .ranked import instant_runoff, preferences, schulze, stv


def count(poll: Poll, contents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """{"ballots", "counts", "leaders"} and, for a ranked poll, the method's rounds or matrix.
    For a ranked poll "counts" are the first choices, which the chart shows."""
    options = len(json.loads(poll.options))
    result: dict[str, Any] = {"ballots": len(contents)}
    if poll.kind is PollKind.RANKED:
        ranks = [list(c["ranks"]) for c in contents]
        prefs = [preferences(r) for r in ranks]
        result["counts"] = plurality(options, [p[0] for p in prefs if p])
        if poll.method is Method.SCHULZE:
            result["schulze"] = schulze(options, ranks).as_dict()
        elif poll.method is Method.IRV:
            result["irv"] = instant_runoff(options, prefs).as_dict()
        else:
            result["stv"] = stv(prefs, poll.seats).as_dict()
    elif poll.kind is PollKind.MULTIPLE:
        result["counts"] = approval(options, [c["choices"] for c in contents], poll.max_choices)
    else:
        result["counts"] = plurality(options, [c["choices"][0] for c in contents])
    result["leaders"] = leaders(result["counts"])
    return result
