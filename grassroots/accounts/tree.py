"""The organization tree as every page sees it, kept per process and reloaded only when an
organization changed.

Every page walks the tree (navigation, breadcrumbs, the policy's role inheritance), so loading
it from the database each time was the front page's largest cost. Instead each process keeps
the tree of plain, immutable nodes, and a request only reads one token from `cache_tokens`. Any
flush that adds, changes or removes an Organization writes a new token in the same transaction,
so every process sees the change on its next request after the commit.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from grassroots import tokens
from grassroots.accounts.models import Organization
from grassroots.errors import NotFound
from grassroots.i18n import gettext as _
from grassroots.tokens import CacheToken

TREE_TOKEN = "organizations"  # noqa: S105 (a cache name, not a secret)


class OrgRef(Protocol):
    """What services need of an organization: a tree node or a mapped Organization."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class OrgNode:
    id: int
    slug: str
    name: str
    description: str
    parent_id: int | None
    position: int
    timezone: str


@dataclass
class OrgTree:
    by_id: dict[int, OrgNode]
    children: dict[int | None, list[OrgNode]] = field(default_factory=dict)
    by_slug_map: dict[str, OrgNode] = field(default_factory=dict)

    @classmethod
    def build(cls, nodes: Iterable[OrgNode]) -> OrgTree:
        tree = cls(by_id={})
        for node in sorted(nodes, key=lambda o: (o.position, o.id)):
            tree.by_id[node.id] = node
            tree.by_slug_map[node.slug] = node
            tree.children.setdefault(node.parent_id, []).append(node)
        return tree

    @property
    def roots(self) -> list[OrgNode]:
        return self.children.get(None, [])

    def path(self, org_id: int) -> tuple[int, ...]:
        """The organization's id, then its parent's, up to the root."""
        ids: list[int] = []
        current: int | None = org_id
        while current is not None and current not in ids:
            ids.append(current)
            current = self.by_id[current].parent_id if current in self.by_id else None
        return tuple(ids)

    def ancestors(self, org_id: int) -> list[OrgNode]:
        """Root first, ending with the organization itself: a breadcrumb."""
        return [self.by_id[i] for i in reversed(self.path(org_id))]

    def flat(self) -> list[tuple[OrgNode, int]]:
        """Every organization with its depth, in tree order: for indented lists and menus."""
        rows: list[tuple[OrgNode, int]] = []
        stack = [(node, 0) for node in reversed(self.roots)]
        while stack:
            node, depth = stack.pop()
            rows.append((node, depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(node.id, [])))
        return rows

    def within(self, org_id: int) -> list[int]:
        """The organization and every organization below it."""
        return [other for other in self.by_id if org_id in self.path(other)]

    def by_slug(self, slug: str) -> OrgNode:
        node = self.by_slug_map.get(slug)
        if node is None:
            raise NotFound(_("There is no such organization."))
        return node


_tokens = CacheToken.__table__
_TOKEN_QUERY = select(_tokens.c.token).where(_tokens.c.name == TREE_TOKEN)

# One cached tree per engine, so two sites (or two tests) in one process never share a tree.
_trees: weakref.WeakKeyDictionary[Engine, tuple[str | None, OrgTree]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def load_org_tree(db: Session) -> OrgTree:
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    # Core on the session's connection: the ORM's execution path cost more than the query.
    token = db.connection().scalar(_TOKEN_QUERY)
    cached = _trees.get(engine)
    if cached is not None and cached[0] == token:
        return cached[1]
    tree = OrgTree.build(_read_nodes(db))
    with _lock:
        _trees[engine] = (token, tree)
    return tree


def _read_nodes(db: Session) -> list[OrgNode]:
    columns = (
        Organization.id,
        Organization.slug,
        Organization.name,
        Organization.description,
        Organization.parent_id,
        Organization.position,
        Organization.timezone,
    )
    return [OrgNode(*row) for row in db.execute(select(*columns))]


@event.listens_for(Session, "before_flush")
def _new_token_when_organizations_change(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if not any(isinstance(obj, Organization) for obj in changed):
        return
    tokens.renew(session, TREE_TOKEN)
