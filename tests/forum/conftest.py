"""Forum fixtures: boards on the first branch, and people in each role there."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forum import boards, posting
from forum.models import Board, Thread
from grassroots.accounts.models import Role, User
from grassroots.db import Database
from grassroots.notifications import Notifier
from moderation import rules, screening
from tests.conftest import World, make_user

NOTIFIER = Notifier()


@dataclass
class Forum:
    world: World
    public: Board
    members: Board
    secretary: User
    moderator: User
    member: User
    resident: User
    outsider: User


@pytest.fixture
def forum(database: Database, world: World) -> Forum:
    secretary = make_user(database, "secretary", role=Role.SECRETARY, org=world.branch_a)
    moderator = make_user(database, "moderator", role=Role.MODERATOR, org=world.branch_a)
    member = make_user(database, "member", role=Role.MEMBER, org=world.branch_a)
    resident = make_user(database, "resident", role=Role.RESIDENT, org=world.branch_a)
    outsider = make_user(database, "outsider")
    with database.writing() as db:
        public = boards.create_board(
            db,
            actor=secretary,
            organization_id=world.branch_a.id,
            slug="talk",
            name="社区议事",
            description="大家的事大家议",
            moderators="moderator",
        )
        members = boards.create_board(
            db,
            actor=secretary,
            organization_id=world.branch_a.id,
            slug="branch-life",
            name="支部生活",
            members_only=True,
        )
        # Established members of the branch: moderation's holds for new accounts are tested
        # in tests/moderation, with accounts of their own.
        for user in (secretary, moderator, member, resident, outsider):
            rules.count_published(db, user.id, world.branch_a.id, by=screening.LINK_TRUST_POSTS)
        db.expunge_all()
    return Forum(world, public, members, secretary, moderator, member, resident, outsider)


def new_thread(
    database: Database,
    board: Board,
    author: User,
    title: str = "小区停车位不够怎么办",
    body: str = "大家说说看。",
) -> Thread:
    with database.writing() as db:
        thread = posting.start_thread(
            db,
            NOTIFIER,
            board=db.get_one(Board, board.id),
            author=db.get_one(User, author.id),
            title=title,
            body=body,
        )
        db.flush()
        db.expunge(thread)
    return thread


def new_reply(
    database: Database, thread: Thread, author: User, body: str, parent_id: int | None = None
) -> int:
    with database.writing() as db:
        post = posting.reply(
            db,
            NOTIFIER,
            thread=db.get_one(Thread, thread.id),
            parent_id=parent_id,
            author=db.get_one(User, author.id),
            body=body,
        )
        db.flush()
        return post.id
