"""Demo data for the shell: a Chinese street committee with its communities and branches, and
accounts in every role. Feature packages add their own demo data after this (see cli.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.models import Membership, Organization, Role, User
from grassroots.accounts.organizations import create_organization, set_role
from grassroots.accounts.services import create_user
from grassroots.audit import AuditAction
from grassroots.security import Passwords

# (slug, name, parent slug, description)
ORGANIZATIONS = [
    ("dongfeng", "东风街道党工委", None, "东风街道辖两个社区，党员一千二百余名。欢迎居民群众建言献策。"),
    ("yangguang", "阳光社区党委", "dongfeng", "阳光社区位于街道东部，以老旧小区改造为工作重点。"),
    ("yangguang-1", "阳光社区第一党支部", "yangguang", "负责一至六号楼党员的组织生活。"),
    ("yangguang-2", "阳光社区第二党支部", "yangguang", "负责七至十二号楼及沿街商户党员。"),
    ("heping", "和平社区党委", "dongfeng", "和平社区以新建商品房小区为主，青年党员较多。"),
    ("heping-1", "和平社区第一党支部", "heping", "在职党员和青年党员支部。"),
    ("heping-retired", "和平社区离退休党员支部", "heping", "离退休老党员支部，每月第二个周三过组织生活。"),
]
BRANCHES = ["yangguang-1", "yangguang-2", "heping-1", "heping-retired"]
COMMUNITIES = ["yangguang", "heping"]

# (username, display name, role, organization); role "admin" is the site administrator.
STAFF = [
    ("admin", "系统管理员", "admin", "dongfeng"),
    ("shuji", "王建国", "secretary", "dongfeng"),
    ("yg_shuji", "李秀英", "secretary", "yangguang"),
    ("hp_shuji", "张伟", "secretary", "heping"),
    ("yg_banzhu", "刘洋", "moderator", "yangguang"),
    ("hp_banzhu", "陈静", "moderator", "heping"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = [
    "建华",
    "秀兰",
    "志强",
    "桂英",
    "海燕",
    "国庆",
    "晓明",
    "丽娟",
    "春梅",
    "文军",
    "红霞",
    "德胜",
    "玉珍",
    "永红",
    "子涵",
    "雨欣",
    "浩然",
    "思远",
    "佳怡",
    "俊杰",
    "淑芬",
    "振国",
    "美玲",
    "宏伟",
    "婷婷",
    "亚楠",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str


def chinese_name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + i // len(SURNAMES)) % len(GIVEN)]


def generate_password() -> str:
    return secrets.token_urlsafe(9)


def is_empty(db: Session) -> bool:
    return db.scalar(select(func.count()).select_from(User)) == 0


def load(
    db: Session, passwords: Passwords, *, password: str, members: int = 20, residents: int = 10
) -> list[DemoAccount]:
    """Create the organization tree and accounts through the same services the site uses, and
    return the accounts made, in order. Members and residents share one password hash and are
    inserted in bulk, so ten thousand load in seconds."""
    orgs = _organizations(db)
    password_hash = passwords.hash(password)
    admin_user: User | None = None
    accounts: list[DemoAccount] = []
    for username, display_name, role, slug in STAFF:
        user = create_user(
            db,
            passwords,
            username=username,
            password="",
            display_name=display_name,
            is_admin=role == "admin",
            password_hash=password_hash,
        )
        if role == "admin":
            admin_user = user
            audit.record(
                db,
                actor=None,
                action=AuditAction.ACCOUNT_USER_CREATE,
                subject=user,
                data={"username": username, "admin": True},
            )
        else:
            set_role(db, actor=admin_user, user=user, org=orgs[slug], role=Role[role.upper()])
        accounts.append(DemoAccount(username, role, slug))
    accounts += bulk_people(db, orgs, password_hash, "member", members, BRANCHES, Role.MEMBER)
    accounts += bulk_people(db, orgs, password_hash, "resident", residents, COMMUNITIES, Role.RESIDENT)
    return accounts


def _organizations(db: Session) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    for slug, name, parent, description in ORGANIZATIONS:
        orgs[slug] = create_organization(
            db,
            actor=None,
            slug=slug,
            name=name,
            description=description,
            parent_id=orgs[parent].id if parent else None,
        )
    return orgs


def bulk_people(
    db: Session,
    orgs: dict[str, Organization],
    password_hash: str,
    prefix: str,
    count: int,
    org_slugs: list[str],
    role: Role,
    *,
    name_offset: int | None = None,
) -> list[DemoAccount]:
    """`count` accounts named `prefix` and a number, spread over `org_slugs` in `role`, inserted
    in bulk with one shared password hash. `name_offset` starts their display names elsewhere
    in the sequence, so that another batch does not repeat the names of the first."""
    width = max(2, len(str(count)))
    names = [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]
    offset = name_offset if name_offset is not None else 0 if role is Role.MEMBER else 100_003
    for start in range(0, count, 1000):
        chunk = names[start : start + 1000]
        db.execute(
            insert(User),
            [
                {
                    "username": n,
                    "display_name": chinese_name(offset + start + i),
                    "password_hash": password_hash,
                    "is_admin": False,
                }
                for i, n in enumerate(chunk)
            ],
        )
    ids = (
        dict(db.execute(select(User.username, User.id).where(User.username.in_(names))).all())
        if count <= 1000
        else dict(db.execute(select(User.username, User.id).where(User.username.like(f"{prefix}%"))).all())
    )
    placed = [(name, org_slugs[i % len(org_slugs)]) for i, name in enumerate(names)]
    for start in range(0, count, 1000):
        db.execute(
            insert(Membership),
            [
                {"user_id": ids[name], "organization_id": orgs[slug].id, "role": role}
                for name, slug in placed[start : start + 1000]
            ],
        )
    return [DemoAccount(name, role.name.lower(), slug) for name, slug in placed]
