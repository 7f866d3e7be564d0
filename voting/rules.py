"""The rule sets an election is run under, as pure integer arithmetic.

"party" follows 《中国共产党基层组织选举工作条例》(2020) as research/voting.md §1.9 reads it:
committee candidates exceed seats by at least 20 % (rounded up; a single post may be
uncontested), the meeting is valid only when those present exceed four fifths of those
expected, and a candidate is elected with approvals above half of those present. "general" lets
an organization choose the majority base, the quorum and the margin. Every threshold is an
integer inequality, never a float (Helios #417 shows what float division does to a majority).
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from voting.verifier import canonical, sha256


class MajorityBase(enum.StrEnum):
    PRESENT = "present"  # those checked in (实到会)
    ROLL = "roll"  # those expected (应到会)
    VALID = "valid"  # valid ballots


class RuleSetKind(enum.StrEnum):
    PARTY = "party"
    GENERAL = "general"


@dataclass(frozen=True)
class Rules:
    """How many candidates, how many present and how many approvals an election needs.

    The quorum is met when `quorum_den * present > quorum_num * expected` (strict, as 超过 reads)
    or `>=` when `quorum_strict` is off; the margin when `100 * (candidates - seats) >=
    margin_percent * seats`; a candidate is elected when `2 * approvals > base`.
    """

    kind: RuleSetKind
    majority_base: MajorityBase = MajorityBase.PRESENT
    quorum_num: int = 4
    quorum_den: int = 5
    quorum_strict: bool = True
    margin_percent: int = 20

    def __post_init__(self) -> None:
        if not (0 <= self.quorum_num <= self.quorum_den and self.quorum_den > 0):
            raise ValueError("quorum must be a fraction between 0 and 1")
        if not 0 <= self.margin_percent <= 100:
            raise ValueError("margin must be between 0 and 100 percent")

    def as_config(self) -> dict[str, Any]:
        return {
            key: str(value) if isinstance(value, enum.Enum) else value for key, value in asdict(self).items()
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Rules:
        return cls(
            kind=RuleSetKind(config["kind"]),
            majority_base=MajorityBase(config["majority_base"]),
            quorum_num=int(config["quorum_num"]),
            quorum_den=int(config["quorum_den"]),
            quorum_strict=bool(config["quorum_strict"]),
            margin_percent=int(config["margin_percent"]),
        )

    def config_hash(self) -> str:
        """The SHA-256 of the canonical configuration: what the record and the chain name."""
        return sha256(canonical(self.as_config()))

    def enough_candidates(self, *, candidates: int, seats: int) -> bool:
        """差额: seats 7 need 9 candidates under the party rules (7 with 8 is refused)."""
        if seats < 1 or candidates < seats:
            return False
        if seats == 1:
            return True  # a single post (a secretary) may be uncontested
        return 100 * (candidates - seats) >= self.margin_percent * seats

    def quorum_met(self, *, present: int, expected: int) -> bool:
        """Party rules: 41 of 50 expected is valid, 40 is not (four fifths must be exceeded)."""
        if expected <= 0:
            return False
        left, right = self.quorum_den * present, self.quorum_num * expected
        return left > right if self.quorum_strict else left >= right

    def passes(self, *, approvals: int, base: int) -> bool:
        """Exactly half is not enough: 20 of 40 is not elected, 21 is."""
        return base > 0 and 2 * approvals > base


PARTY = Rules(kind=RuleSetKind.PARTY)


def general(*, majority_base: MajorityBase, quorum_num: int, quorum_den: int, margin_percent: int) -> Rules:
    """An organization's own rules: quorum "at least" rather than "more than" the fraction."""
    return Rules(
        kind=RuleSetKind.GENERAL,
        majority_base=majority_base,
        quorum_num=quorum_num,
        quorum_den=quorum_den,
        quorum_strict=False,
        margin_percent=margin_percent,
    )
