"""The organization tree, roles held in it, and how a secretary verifies members."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from grassroots import audit
from grassroots.accounts.models import (
    JoinRequest,
    MemberInvite,
    Membership,
    Organization,
    RequestStatus,
    Role,
    User,
)
from grassroots.accounts.tree import OrgRef, OrgTree, load_org_tree
from grassroots.accounts.validation import display_name_problem, has_control_characters
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotFound, Throttled
from grassroots.i18n import gettext as _
from grassroots.security import Limit, count_event, seconds_until_allowed

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
INVITE_LENGTH = 12
ROLL_MAX_ROWS = 5000
REDEEM_LIMIT = Limit("invite-redeem", 10, timedelta(hours=1))


# ---------------------------------------------------------------- organizations


def _org_problems(
    tree: OrgTree, *, slug: str, name: str, parent_id: int | None, org_id: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = _("Use 2 to 40 lowercase letters, digits and hyphens.")
    elif any(o.slug == slug and o.id != org_id for o in tree.by_id.values()):
        errors["slug"] = _("Another organization uses that address.")
    if not name or len(name) > 80 or has_control_characters(name):
        errors["name"] = _("Please give a name of at most 80 characters.")
    if parent_id is not None:
        if parent_id not in tree.by_id:
            errors["parent_id"] = _("Please choose an organization from the list.")
        elif org_id is not None and org_id in tree.path(parent_id):
            errors["parent_id"] = _("An organization cannot sit under itself or its own children.")
    return errors


def create_organization(
    db: Session, *, actor: User | None, slug: str, name: str, parent_id: int | None, description: str = ""
) -> Organization:
    tree = load_org_tree(db)
    slug, name = slug.strip().lower(), name.strip()
    errors = _org_problems(tree, slug=slug, name=name, parent_id=parent_id, org_id=None)
    if errors:
        raise FormInvalid(errors)
    org = Organization(
        slug=slug,
        name=name,
        parent_id=parent_id,
        description=description.strip(),
        position=len(tree.children.get(parent_id, [])),
    )
    db.add(org)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=AuditAction.ORG_CREATE,
        subject=org,
        organization_id=org.id,
        data={"slug": slug, "name": name, "parent_id": parent_id},
    )
    return org


def update_organization(
    db: Session,
    *,
    actor: User,
    org: Organization,
    slug: str,
    name: str,
    parent_id: int | None,
    description: str,
) -> None:
    tree = load_org_tree(db)
    slug, name = slug.strip().lower(), name.strip()
    errors = _org_problems(tree, slug=slug, name=name, parent_id=parent_id, org_id=org.id)
    if errors:
        raise FormInvalid(errors)
    before = {"slug": org.slug, "name": org.name, "parent_id": org.parent_id, "description": org.description}
    org.slug, org.name, org.parent_id, org.description = slug, name, parent_id, description.strip()
    after = {"slug": slug, "name": name, "parent_id": parent_id, "description": org.description}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            db, actor=actor, action=AuditAction.ORG_UPDATE, subject=org, organization_id=org.id, data=changed
        )


def get_organization(db: Session, org_id: int) -> Organization:
    org = db.get(Organization, org_id)
    if org is None:
        raise NotFound(_("There is no such organization."))
    return org


# ---------------------------------------------------------------- roles


def roles_of(db: Session, user_id: int) -> dict[int, Role]:
    rows = db.execute(
        select(Membership.organization_id, Membership.role).where(Membership.user_id == user_id)
    )
    return {org_id: role for org_id, role in rows}


def get_membership(db: Session, user: User, org: OrgRef) -> Membership | None:
    query = select(Membership).where(Membership.user_id == user.id, Membership.organization_id == org.id)
    return db.scalars(query).one_or_none()


def list_memberships(db: Session, org: OrgRef) -> list[Membership]:
    query = (
        select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .where(Membership.organization_id == org.id)
        .order_by(User.username)
    )
    # Roles are stored by name, so rank them here: secretaries first.
    return sorted(db.scalars(query), key=lambda m: -m.role)


def set_role(
    db: Session,
    *,
    actor: User | None,
    user: User,
    org: OrgRef,
    role: Role | None,
    action: AuditAction | None = None,
    data: dict[str, object] | None = None,
) -> Membership | None:
    """Give `user` exactly `role` in `org` (None removes it), recording the change."""
    membership = get_membership(db, user, org)
    before = membership.role if membership else None
    if before == role:
        return membership
    if role is None:
        assert membership is not None
        db.delete(membership)
        membership = None
    elif membership is None:
        membership = Membership(
            user_id=user.id, organization_id=org.id, role=role, verified_by_id=getattr(actor, "id", None)
        )
        db.add(membership)
    else:
        membership.role = role
    db.flush()
    if action is None:
        action = AuditAction.ACCOUNT_ROLE_REVOKE if role is None else AuditAction.ACCOUNT_ROLE_GRANT
    audit.record(
        db,
        actor=actor,
        action=action,
        subject=user,
        organization_id=org.id,
        data={
            "username": user.username,
            "organization": org.slug,
            "from": before.name.lower() if before else None,
            "to": role.name.lower() if role else None,
            **(data or {}),
        },
    )
    return membership


def make_member(
    db: Session,
    *,
    actor: User | None,
    user: User,
    org: OrgRef,
    action: AuditAction,
    data: dict[str, object] | None = None,
) -> None:
    """Verify `user` as a member of `org`, leaving a higher role they hold there as it is."""
    membership = get_membership(db, user, org)
    if membership is not None and membership.role >= Role.MEMBER:
        raise Conflict(_("%(name)s is already a member here.", name=user.display_name))
    set_role(db, actor=actor, user=user, org=org, role=Role.MEMBER, action=action, data=data)


# ---------------------------------------------------------------- join requests


def request_to_join(db: Session, *, user: User, org: OrgRef, message: str) -> JoinRequest:
    message = message.strip()
    if len(message) > 1000:
        raise FormInvalid({"message": _("Please keep the message under 1000 characters.")})
    membership = get_membership(db, user, org)
    if membership is not None and membership.role >= Role.MEMBER:
        raise Conflict(_("You are already a member of %(org)s.", org=org.name))
    pending = db.scalars(
        select(JoinRequest).where(
            JoinRequest.user_id == user.id,
            JoinRequest.organization_id == org.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    ).first()
    if pending is not None:
        raise Conflict(_("Your request to join %(org)s is waiting for the secretary.", org=org.name))
    join_request = JoinRequest(user_id=user.id, organization_id=org.id, message=message)
    db.add(join_request)
    db.flush()
    return join_request


def list_join_requests(
    db: Session, org: OrgRef, status: RequestStatus = RequestStatus.PENDING
) -> list[JoinRequest]:
    query = (
        select(JoinRequest)
        .options(selectinload(JoinRequest.user))
        .where(JoinRequest.organization_id == org.id, JoinRequest.status == status)
        .order_by(JoinRequest.created_at)
    )
    return list(db.scalars(query))


def list_requests_of(db: Session, user: User) -> list[JoinRequest]:
    query = (
        select(JoinRequest)
        .options(selectinload(JoinRequest.organization))
        .where(JoinRequest.user_id == user.id)
        .order_by(JoinRequest.created_at.desc())
    )
    return list(db.scalars(query))


def get_join_request(db: Session, request_id: int) -> JoinRequest:
    join_request = db.get(JoinRequest, request_id)
    if join_request is None:
        raise NotFound(_("There is no such request."))
    return join_request


def decide_join_request(db: Session, *, actor: User, join_request: JoinRequest, approve: bool) -> None:
    if join_request.status is not RequestStatus.PENDING:
        raise Conflict(_("This request was already decided."))
    join_request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    join_request.decided_by_id = actor.id
    join_request.decided_at = utcnow()
    data = {"request_id": join_request.id}
    if approve:
        make_member(
            db,
            actor=actor,
            user=join_request.user,
            org=join_request.organization,
            action=AuditAction.ACCOUNT_JOIN_APPROVE,
            data=data,
        )
    else:
        audit.record(
            db,
            actor=actor,
            action=AuditAction.ACCOUNT_JOIN_REJECT,
            subject=join_request.user,
            organization_id=join_request.organization_id,
            data={"username": join_request.user.username, **data},
        )


# ---------------------------------------------------------------- member roll and invite codes


@dataclass(frozen=True)
class IssuedInvite:
    full_name: str
    note: str
    code: str


def _new_invite_code() -> str:
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, INVITE_LENGTH, 4))


def _invite_digest(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def parse_roll(text: str) -> list[tuple[str, str]]:
    """Rows of (name, note) from CSV text: a name per line, an optional note after a comma.
    A first line naming the columns is skipped."""
    rows: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("name", "姓名", "full_name"):
            continue
        name, note = cells[0], (cells[1] if len(cells) > 1 else "")
        problem = display_name_problem(name) or (_("note too long") if len(note) > 200 else None)
        if problem:
            errors.append(_("Line %(line)d: %(problem)s", line=number, problem=problem))
        rows.append((name, note))
    if errors:
        raise FormInvalid({"roll": " ".join(errors[:10])})
    if not rows:
        raise FormInvalid({"roll": _("The roll is empty: put one name on each line.")})
    if len(rows) > ROLL_MAX_ROWS:
        raise FormInvalid({"roll": _("A roll has at most %(max)d lines.", max=ROLL_MAX_ROWS)})
    return rows


def decode_roll_file(data: bytes) -> str:
    """CSV saved by Excel on a Chinese Windows is GBK; elsewhere UTF-8, often with a BOM."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormInvalid({"roll": _("The file is not text in UTF-8 or GBK; please save it as CSV.")})


def import_roll(db: Session, *, actor: User, org: OrgRef, text: str) -> list[IssuedInvite]:
    """One invite code per person on the roll. The codes are returned once and stored hashed."""
    try:
        rows = parse_roll(text)
    except csv.Error as exc:
        raise FormInvalid({"roll": _("The file is not readable CSV: %(error)s", error=str(exc))}) from exc
    issued = []
    for name, note in rows:
        code = _new_invite_code()
        db.add(
            MemberInvite(
                organization_id=org.id,
                full_name=name,
                note=note,
                code_hash=_invite_digest(code),
                created_by_id=actor.id,
            )
        )
        issued.append(IssuedInvite(name, note, code))
    db.flush()
    audit.record(
        db,
        actor=actor,
        action=AuditAction.ACCOUNT_ROLL_IMPORT,
        organization_id=org.id,
        subject=("organizations", org.id),
        data={"count": len(issued)},
    )
    return issued


def redeem_invite(db: Session, *, user: User, code: str) -> Organization:
    """Make `user` a member where the code was issued. Attempts are limited to stop guessing."""
    key = str(user.id)
    wait = seconds_until_allowed(db, REDEEM_LIMIT, key)
    if wait:
        raise Throttled(
            _("Too many attempts. Please wait %(minutes)d minutes.", minutes=(wait + 59) // 60), wait
        )
    invite = db.scalars(
        select(MemberInvite).where(MemberInvite.code_hash == _invite_digest(code[:64]))
    ).one_or_none()
    if invite is None or invite.redeemed_at is not None:
        count_event(db, REDEEM_LIMIT, key)
        raise FormInvalid({"code": _("That code is not valid or was already used.")})
    make_member(
        db,
        actor=None,
        user=user,
        org=invite.organization,
        action=AuditAction.ACCOUNT_INVITE_REDEEM,
        data={"invite_id": invite.id, "roll_name": invite.full_name},
    )
    invite.redeemed_by_id, invite.redeemed_at = user.id, utcnow()
    return invite.organization


def list_invites(db: Session, org: OrgRef) -> list[MemberInvite]:
    query = (
        select(MemberInvite).where(MemberInvite.organization_id == org.id).order_by(MemberInvite.id.desc())
    )
    return list(db.scalars(query))
