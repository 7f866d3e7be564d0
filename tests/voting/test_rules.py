"""The party rules' boundaries, each as its own test, and the general rules' choices."""

from __future__ import annotations

import pytest

from voting.rules import PARTY, MajorityBase, Rules, general
from voting.strokes import in_stroke_order


def test_seven_seats_with_eight_candidates_is_refused() -> None:
    assert not PARTY.enough_candidates(candidates=8, seats=7)


def test_seven_seats_with_nine_candidates_is_enough() -> None:
    assert PARTY.enough_candidates(candidates=9, seats=7)


@pytest.mark.parametrize(
    ("seats", "candidates", "enough"),
    [(5, 5, False), (5, 6, True), (3, 4, True), (10, 12, True), (10, 11, False)],
)
def test_margin_of_a_fifth_rounded_up(seats: int, candidates: int, enough: bool) -> None:
    assert PARTY.enough_candidates(candidates=candidates, seats=seats) is enough


def test_a_single_post_may_be_uncontested() -> None:
    assert PARTY.enough_candidates(candidates=1, seats=1)
    assert not PARTY.enough_candidates(candidates=0, seats=1)


def test_forty_present_of_fifty_expected_is_not_a_quorum() -> None:
    assert not PARTY.quorum_met(present=40, expected=50)


def test_forty_one_present_of_fifty_expected_is_a_quorum() -> None:
    assert PARTY.quorum_met(present=41, expected=50)


def test_twenty_approvals_of_forty_present_is_not_elected() -> None:
    assert not PARTY.passes(approvals=20, base=40)


def test_twenty_one_approvals_of_forty_present_is_elected() -> None:
    assert PARTY.passes(approvals=21, base=40)


def test_general_rules_take_at_least_their_quorum() -> None:
    rules = general(majority_base=MajorityBase.VALID, quorum_num=1, quorum_den=2, margin_percent=0)
    assert rules.quorum_met(present=5, expected=10)
    assert not rules.quorum_met(present=4, expected=10)
    assert rules.enough_candidates(candidates=3, seats=3)


def test_configuration_survives_its_round_trip_and_has_a_stable_hash() -> None:
    rules = general(majority_base=MajorityBase.ROLL, quorum_num=2, quorum_den=3, margin_percent=10)
    again = Rules.from_config(rules.as_config())
    assert again == rules
    assert again.config_hash() == rules.config_hash() != PARTY.config_hash()


def test_a_quorum_above_one_is_refused() -> None:
    with pytest.raises(ValueError):
        general(majority_base=MajorityBase.PRESENT, quorum_num=6, quorum_den=5, margin_percent=0)


def test_names_in_surname_stroke_order_unknown_surnames_last() -> None:
    names = ["赵六", "王五", "李四", "丁一", "欧阳明", "张三"]
    # 丁 2, 王 4, 李 7, 张 7 (Unicode order within a count), 赵 9, then 欧 (not in the table).
    assert in_stroke_order(names) == ["丁一", "王五", "张三", "李四", "赵六", "欧阳明"]
