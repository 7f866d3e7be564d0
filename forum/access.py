"""Which boards a person may read and post in: the policy's questions asked of a board."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import policy
from grassroots.accounts.tree import OrgTree

from .models import Board


def may_read_board(actor: policy.Actor, tree: OrgTree, board: Board) -> bool:
    path = tree.path(board.organization_id)
    if board.members_only:
        return policy.may_read_members_boards(actor, path)
    return policy.may_read_public(actor, path)


def may_post_in_board(actor: policy.Actor, tree: OrgTree, board: Board) -> bool:
    return may_read_board(actor, tree, board) and policy.may_post(actor, tree.path(board.organization_id))


def may_manage_boards(actor: policy.Actor, tree: OrgTree, organization_id: int) -> bool:
    """The issue gives boards to the organization's secretary as well as the admin."""
    return policy.may_run_organization(actor, tree.path(organization_id))


def readable_boards(db: Session, actor: policy.Actor, tree: OrgTree) -> list[Board]:
    return [board for board in db.scalars(select(Board)) if may_read_board(actor, tree, board)]


def readable_board_ids(db: Session, actor: policy.Actor, tree: OrgTree) -> list[int]:
    return [board.id for board in readable_boards(db, actor, tree)]
