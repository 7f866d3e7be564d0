"""DESIGN.md's role table, walked row by row and column by column."""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots import policy
from grassroots.accounts.models import Role
from grassroots.policy import Action, Actor

COLUMNS = ["public", "resident", "member", "moderator", "secretary", "admin"]

# Copied from DESIGN.md ("Roles and what they may do"); the last test checks the copy.
TABLE = """
| read public boards, disclosures, results, audit log | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
| read members-only boards | | | ✓ | ✓ | ✓ | ✓ |
| post threads and replies, flag posts | | ✓ | ✓ | ✓ | ✓ | ✓ |
| write to a secretary | ✓ (anonymous) | ✓ | ✓ | ✓ | ✓ | ✓ |
| object during a publicity period | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
| nominate | | where 公推 | ✓ | ✓ | ✓ | ✓ |
| vote (if on the election's voter roll) | | | ✓ | ✓ | ✓ | ✓ |
| work the moderation queue, lock/pin/feature/move | | | | ✓ | ✓ | ✓ |
| answer letters, publish disclosures, run elections, verify members | | | | | ✓ | ✓ |
| manage organizations, boards, roles, watched words | | | | | | ✓ |
"""

ORG, PARENT, ROOT, ELSEWHERE = 30, 20, 10, 99
PATH = (ORG, PARENT, ROOT)


def parse_table(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] not in ("action", "---") and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = cells[1:]
    return rows


def actor_for(column: str, *, held_at: int = ORG) -> Actor:
    if column == "public":
        return policy.ANONYMOUS
    if column == "admin":
        return Actor(user_id=1, is_admin=True)
    return Actor(user_id=1, roles={held_at: Role[column.upper()]})


CASES = [
    (action, column, cell)
    for action, cells in parse_table(TABLE).items()
    for column, cell in zip(COLUMNS, cells, strict=True)
]


@pytest.mark.parametrize(("action", "column", "cell"), CASES)
def test_role_table(action: str, column: str, cell: str) -> None:
    act = Action(action)
    actor = actor_for(column)
    if cell == "where 公推":
        assert policy.allowed(actor, act, PATH, public_recommendation=True)
        assert not policy.allowed(actor, act, PATH, public_recommendation=False)
        return
    expected = cell.startswith("✓")
    # Voting also needs a place on the voter roll; with one, the table decides.
    assert policy.allowed(actor, act, PATH, on_voter_roll=True) is expected
    if act is Action.VOTE:
        assert not policy.allowed(actor, act, PATH, on_voter_roll=False)


@pytest.mark.parametrize("column", ["member", "moderator", "secretary"])
def test_roles_reach_down_the_tree_but_not_up_or_across(column: str) -> None:
    held_at_root = actor_for(column, held_at=ROOT)
    held_below = actor_for(column, held_at=ORG)
    needed = {
        "member": Action.READ_MEMBERS_BOARDS,
        "moderator": Action.MODERATE,
        "secretary": Action.RUN_ORGANIZATION,
    }[column]
    assert policy.allowed(held_at_root, needed, PATH)
    assert not policy.allowed(held_below, needed, (PARENT, ROOT))
    assert not policy.allowed(held_below, needed, (ELSEWHERE,))


def test_a_registered_person_without_roles_is_a_resident_everywhere() -> None:
    resident = Actor(user_id=7)
    assert policy.may_post(resident, (ELSEWHERE,))
    assert not policy.may_read_members_boards(resident, (ELSEWHERE,))


def test_the_highest_role_on_the_path_counts() -> None:
    actor = Actor(user_id=1, roles={ORG: Role.MEMBER, ROOT: Role.SECRETARY})
    assert policy.may_run_organization(actor, PATH)


def test_nobody_may_see_how_anyone_voted() -> None:
    for column in COLUMNS:
        assert not policy.may_see_how_anyone_voted(actor_for(column))


def test_only_the_person_changes_their_account() -> None:
    assert policy.may_change_account(Actor(user_id=5), 5)
    assert not policy.may_change_account(Actor(user_id=5, is_admin=True), 6)
    assert not policy.may_change_account(policy.ANONYMOUS, 5)


def test_every_action_has_a_row() -> None:
    assert {Action(a) for a in parse_table(TABLE)} == set(Action)


def test_the_copy_matches_design_md() -> None:
    design = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"
    if not design.exists():
        pytest.skip(f"{design} is not beside this checkout")
    section = design.read_text().split("## Roles and what they may do")[1].split("## ")[0]
    assert parse_table(section) == parse_table(TABLE)
