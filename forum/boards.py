"""Boards: created, described, ordered and given moderators by the secretary or the admin."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grassroots import audit, policy
from grassroots.accounts.models import User
from grassroots.accounts.organizations import roles_of
from grassroots.accounts.tree import OrgTree, load_org_tree
from grassroots.accounts.validation import has_control_characters, normalize_username
from grassroots.audit import AuditAction
from grassroots.errors import FormInvalid, NotFound
from grassroots.i18n import gettext as _

from .models import Board, BoardModerator

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$")
NAME_MAX = 60
DESCRIPTION_MAX = 2000


def get_board(db: Session, slug: str) -> Board:
    board = db.scalar(select(Board).where(Board.slug == slug[:40]))
    if board is None:
        raise NotFound(_("There is no such board."))
    return board


def list_boards(db: Session, organization_ids: list[int] | None = None) -> list[Board]:
    query = select(Board).order_by(Board.organization_id, Board.position, Board.id)
    if organization_ids is not None:
        query = query.where(Board.organization_id.in_(organization_ids))
    return list(db.scalars(query))


def moderators_of(db: Session, board_ids: list[int]) -> dict[int, list[User]]:
    rows = db.execute(
        select(BoardModerator.board_id, User)
        .join(User, User.id == BoardModerator.user_id)
        .where(BoardModerator.board_id.in_(board_ids))
        .order_by(User.display_name)
    ).all()
    found: dict[int, list[User]] = {}
    for board_id, user in rows:
        found.setdefault(board_id, []).append(user)
    return found


def _problems(db: Session, *, slug: str, name: str, description: str, board_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = _("Use 2 to 40 lowercase letters, digits and hyphens.")
    elif db.scalar(select(Board.id).where(Board.slug == slug, Board.id != (board_id or 0))):
        errors["slug"] = _("Another board uses that address.")
    if not name or len(name) > NAME_MAX or has_control_characters(name):
        errors["name"] = _("Please give a name of at most %(max)d characters.", max=NAME_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("A description has at most %(max)d characters.", max=DESCRIPTION_MAX)
    return errors


def _moderator_ids(db: Session, tree: OrgTree, organization_id: int, usernames: str) -> list[int]:
    """Each named person must already moderate the organization (or hold a higher role there)."""
    names = [normalize_username(n) for n in re.split(r"[\s,，、]+", usernames) if n.strip()]
    ids: list[int] = []
    for name in dict.fromkeys(names):
        user = db.scalar(select(User).where(User.username == name))
        actor = policy.Actor(user.id, user.is_admin, roles_of(db, user.id)) if user else None
        if actor is None or not policy.may_moderate(actor, tree.path(organization_id)):
            raise FormInvalid(
                {"moderators": _("%(name)s is not a moderator of this organization.", name=name)}
            )
        ids.append(actor.user_id or 0)
    return ids


def create_board(
    db: Session,
    *,
    actor: User,
    organization_id: int,
    slug: str,
    name: str,
    description: str = "",
    members_only: bool = False,
    moderators: str = "",
) -> Board:
    """Add a board at the end of the organization's list. Raises FormInvalid."""
    slug, name, description = slug.strip().lower(), name.strip(), description.strip()
    errors = _problems(db, slug=slug, name=name, description=description, board_id=None)
    if errors:
        raise FormInvalid(errors)
    moderator_ids = _moderator_ids(db, load_org_tree(db), organization_id, moderators)
    count = db.scalar(select(func.count()).where(Board.organization_id == organization_id)) or 0
    board = Board(
        organization_id=organization_id,
        slug=slug,
        name=name,
        description=description,
        members_only=members_only,
        position=count,
    )
    db.add(board)
    db.flush()
    db.add_all(BoardModerator(board_id=board.id, user_id=uid) for uid in moderator_ids)
    audit.record(
        db,
        actor=actor,
        action=AuditAction.FORUM_BOARD_CREATE,
        subject=board,
        organization_id=organization_id,
        data={"slug": slug, "name": name, "members_only": members_only, "moderators": moderator_ids},
    )
    return board


def update_board(
    db: Session,
    *,
    actor: User,
    board: Board,
    slug: str,
    name: str,
    description: str,
    members_only: bool,
    moderators: str,
) -> None:
    slug, name, description = slug.strip().lower(), name.strip(), description.strip()
    errors = _problems(db, slug=slug, name=name, description=description, board_id=board.id)
    if errors:
        raise FormInvalid(errors)
    moderator_ids = _moderator_ids(db, load_org_tree(db), board.organization_id, moderators)
    before = {
        "slug": board.slug,
        "name": board.name,
        "members_only": board.members_only,
        "description": board.description,
        "moderators": _current_moderators(db, board),
    }
    board.slug, board.name, board.description, board.members_only = slug, name, description, members_only
    for row in db.scalars(select(BoardModerator).where(BoardModerator.board_id == board.id)):
        db.delete(row)
    db.flush()
    db.add_all(BoardModerator(board_id=board.id, user_id=uid) for uid in moderator_ids)
    after = {
        "slug": slug,
        "name": name,
        "members_only": members_only,
        "description": description,
        "moderators": sorted(moderator_ids),
    }
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            db,
            actor=actor,
            action=AuditAction.FORUM_BOARD_UPDATE,
            subject=board,
            organization_id=board.organization_id,
            data=changed,
        )


def _current_moderators(db: Session, board: Board) -> list[int]:
    return sorted(db.scalars(select(BoardModerator.user_id).where(BoardModerator.board_id == board.id)))


def move_board(db: Session, *, actor: User, board: Board, offset: int) -> None:
    """Move a board one place up (offset -1) or down (+1) in its organization's list."""
    boards = list_boards(db, [board.organization_id])
    index = boards.index(board)
    target = index + offset
    if not 0 <= target < len(boards):
        return
    boards[index], boards[target] = boards[target], boards[index]
    for position, each in enumerate(boards):
        each.position = position
    audit.record(
        db,
        actor=actor,
        action=AuditAction.FORUM_BOARD_UPDATE,
        subject=board,
        organization_id=board.organization_id,
        data={"order": [b.slug for b in boards]},
    )
