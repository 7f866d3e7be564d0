"""Which boards a person may read and post in: the policy's questions asked of a board."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from grassroots import policy
from grassroots.accounts.tree import OrgTree

from .models import Board


class BoardPlace(Protocol):
    """What reading a board depends on: a Board, or a row of these columns."""

    organization_id: int
    members_only: bool


def may_read_board(actor: policy.Actor, tree: OrgTree, board: BoardPlace) -> bool:
    path = tree.path(board.organization_id)
    if board.members_only:
        return policy.may_read_members_boards(actor, path)
    return policy.may_read_public(actor, path)


def may_post_in_board(actor: policy.Actor, tree: OrgTree, board: Board) -> bool:
    return may_read_board(actor, tree, board) and policy.may_post(actor, tree.path(board.organization_id))


def may_manage_boards(actor: policy.Actor, tree: OrgTree, organization_id: int) -> bool:
    """The issue gives boards to the organization's secretary as well as the admin."""
    return policy.may_run_organization(actor, tree.path(organization_id))


def readable_boards(db: Session, actor: policy.Actor, tree: OrgTree) -> list[Row[Any]]:
    """Rows of id, name, organization_id and members_only. Read past the ORM on the session's
    connection: Board objects cost the search page a tenth of its time."""
    rows = db.connection().execute(_BOARD_PLACES)
    return [board for board in rows if may_read_board(actor, tree, board)]


def readable_board_ids(db: Session, actor: policy.Actor, tree: OrgTree) -> list[int]:
    return [board.id for board in readable_boards(db, actor, tree)]


_BOARD_PLACES = select(Board.id, Board.name, Board.organization_id, Board.members_only)
