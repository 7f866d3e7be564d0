"""Who may do what, where: DESIGN.md's role table, in one place.

Every handler asks one of the `may_*` functions below. Each organization's roles reach down
to its child organizations, so the level a person holds somewhere is the highest role they hold
there or in any organization above it. Nobody, the site administrator included, may see how
anyone voted: no function here grants it, because ballots are stored without their voter.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grassroots.accounts.models import Role


class Level(enum.IntEnum):
    PUBLIC = 0
    RESIDENT = 1
    MEMBER = 2
    MODERATOR = 3
    SECRETARY = 4
    ADMIN = 5


class Action(enum.StrEnum):
    READ_PUBLIC = "read public boards, disclosures, results, audit log"
    READ_MEMBERS_BOARDS = "read members-only boards"
    POST = "post threads and replies, flag posts"
    WRITE_LETTER = "write to a secretary"
    OBJECT = "object during a publicity period"
    NOMINATE = "nominate"
    VOTE = "vote (if on the election's voter roll)"
    MODERATE = "work the moderation queue, lock/pin/feature/move"
    RUN_ORGANIZATION = "answer letters, publish disclosures, run elections, verify members"
    MANAGE_SITE = "manage organizations, boards, roles, watched words"


# The lowest level that may do each action. NOMINATE and VOTE carry conditions besides.
REQUIRED: Mapping[Action, Level] = {
    Action.READ_PUBLIC: Level.PUBLIC,
    Action.READ_MEMBERS_BOARDS: Level.MEMBER,
    Action.POST: Level.RESIDENT,
    Action.WRITE_LETTER: Level.PUBLIC,
    Action.OBJECT: Level.PUBLIC,
    Action.NOMINATE: Level.MEMBER,
    Action.VOTE: Level.MEMBER,
    Action.MODERATE: Level.MODERATOR,
    Action.RUN_ORGANIZATION: Level.SECRETARY,
    Action.MANAGE_SITE: Level.ADMIN,
}


@dataclass(frozen=True)
class Actor:
    """Who is asking: nobody (the public), or a user with their roles by organization id."""

    user_id: int | None = None
    is_admin: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def level_in(self, org_path: Sequence[int]) -> Level:
        """`org_path` is the organization's id followed by its ancestors' ids."""
        if self.is_admin:
            return Level.ADMIN
        if not self.is_authenticated:
            return Level.PUBLIC
        held = [self.roles[org_id] for org_id in org_path if org_id in self.roles]
        return Level(max(held, default=Role.RESIDENT).value)


ANONYMOUS = Actor()


def allowed(
    actor: Actor,
    action: Action,
    org_path: Sequence[int] = (),
    *,
    public_recommendation: bool = False,
    on_voter_roll: bool = False,
) -> bool:
    level = actor.level_in(org_path)
    if action is Action.NOMINATE and public_recommendation and level >= Level.RESIDENT:
        return True
    if action is Action.VOTE and not on_voter_roll:
        return False
    return level >= REQUIRED[action]


def may_read_public(actor: Actor, org_path: Sequence[int] = ()) -> bool:
    return allowed(actor, Action.READ_PUBLIC, org_path)


def may_read_members_boards(actor: Actor, org_path: Sequence[int]) -> bool:
    return allowed(actor, Action.READ_MEMBERS_BOARDS, org_path)


def may_post(actor: Actor, org_path: Sequence[int]) -> bool:
    return allowed(actor, Action.POST, org_path)


def may_write_letter(actor: Actor, org_path: Sequence[int]) -> bool:
    return allowed(actor, Action.WRITE_LETTER, org_path)


def may_answer_letters(actor: Actor, org_path: Sequence[int]) -> bool:
    """Read an organization's mailbox and act on its letters: its secretary's work."""
    return allowed(actor, Action.RUN_ORGANIZATION, org_path)


def may_object(actor: Actor, org_path: Sequence[int]) -> bool:
    return allowed(actor, Action.OBJECT, org_path)


def may_nominate(actor: Actor, org_path: Sequence[int], *, public_recommendation: bool) -> bool:
    return allowed(actor, Action.NOMINATE, org_path, public_recommendation=public_recommendation)


def may_vote(actor: Actor, org_path: Sequence[int], *, on_voter_roll: bool) -> bool:
    return allowed(actor, Action.VOTE, org_path, on_voter_roll=on_voter_roll)


def may_moderate(actor: Actor, org_path: Sequence[int]) -> bool:
    return allowed(actor, Action.MODERATE, org_path)


def moderates_somewhere(actor: Actor) -> bool:
    """Whether the moderation queue is this person's to work in some organization."""
    return any(allowed(actor, Action.MODERATE, (org_id,)) for org_id in actor.roles) or actor.is_admin


def may_run_organization(actor: Actor, org_path: Sequence[int]) -> bool:
    """Answer letters, publish disclosures, run elections, verify members."""
    return allowed(actor, Action.RUN_ORGANIZATION, org_path)


def may_second_election_step(actor: Actor, org_path: Sequence[int], *, requested_by_id: int) -> bool:
    """Opening a vote, closing it early and publishing its result take two officials: one asks,
    another who also runs the organization (a secretary there or above, or an admin) confirms."""
    return may_run_organization(actor, org_path) and actor.user_id != requested_by_id


def may_create_poll(
    actor: Actor, org_path: Sequence[int], *, on_thread: bool, thread_author_id: int | None = None
) -> bool:
    """A poll on a thread: its author (who may post there), or a moderator of the board's
    organization or above. A poll on its own page speaks for the organization: those who run it."""
    if not on_thread:
        return may_run_organization(actor, org_path)
    if actor.user_id is not None and actor.user_id == thread_author_id and may_post(actor, org_path):
        return True
    return may_moderate(actor, org_path)


def may_close_poll(
    actor: Actor, org_path: Sequence[int], *, created_by_id: int | None, on_thread: bool
) -> bool:
    """Close a poll before its end: whoever made it, or whoever could have made it for others."""
    if actor.user_id is not None and actor.user_id == created_by_id:
        return True
    return may_moderate(actor, org_path) if on_thread else may_run_organization(actor, org_path)


def may_vote_in_poll(actor: Actor, org_path: Sequence[int], *, members_only: bool) -> bool:
    """A poll is open to the members of its organization (or of one above it), or to everyone
    signed in. Not a matter of a voter roll: a poll is not an election."""
    if not actor.is_authenticated:
        return False
    return not members_only or actor.level_in(org_path) >= Level.MEMBER


def may_manage_site(actor: Actor) -> bool:
    """Organizations, boards, roles, watched words."""
    return allowed(actor, Action.MANAGE_SITE)


def may_change_account(actor: Actor, user_id: int) -> bool:
    """Only the person themselves changes their name, password and sessions."""
    return actor.user_id is not None and actor.user_id == user_id


def may_see_how_anyone_voted(actor: Actor) -> bool:
    return False
