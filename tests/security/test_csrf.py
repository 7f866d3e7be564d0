"""CSRF on every POST route: without the token, or with another session's, the request is
refused (403) and nothing in the database changes.

Each POST is sent as someone allowed to make it (test_access.py's table), with the data that
makes it act, so that a missing check would show as a change."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import select
from starlette.testclient import TestClient

from grassroots.db import Database
from grassroots.schema import metadata
from tests.security.conftest import ROLES, Scene, token_of, walk_routes
from tests.security.test_access import EXPECTED, Case

# What a refused request may still leave behind: nothing. (Rate-limit counts are written only
# by views that ran, and a refused request runs none.)
IGNORED_TABLES: frozenset[str] = frozenset()


def fingerprint(database: Database) -> dict[str, str]:
    """A digest of every row of every table."""
    digests = {}
    with database.reading() as db:
        for table in metadata.sorted_tables:
            if table.name in IGNORED_TABLES:
                continue
            rows = db.execute(select(table).order_by(*table.primary_key.columns)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def strongest(one: Case) -> str:
    return "admin" if "admin" in one.may else sorted(one.may)[0]


def test_every_post_route_is_in_the_table(app) -> None:  # type: ignore[no-untyped-def]
    posts = {pattern for method, pattern in walk_routes(list(app.routes)) if method == "POST"}
    assert posts <= {pattern for method, pattern in EXPECTED if method == "POST"}


def test_every_post_without_a_valid_token_is_refused_and_changes_nothing(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    clients = {role: as_role(role) for role in ROLES}
    for client in clients.values():
        token_of(client)  # each session has a token of its own, which is not sent
    foreign_token = token_of(as_role("resident"))
    problems: list[str] = []
    before = fingerprint(database)
    for (method, _pattern), cases in EXPECTED.items():
        if method != "POST":
            continue
        for one in cases:
            role = strongest(one)
            client = clients[role]
            data = {name: scene.fill(value) for name, value in one.data.items()}
            for label, sent in (
                ("no token", data),
                ("another session's token", {**data, "csrf_token": foreign_token}),
            ):
                response = client.post(scene.fill(one.path), data=sent)
                if response.status_code != 403:
                    problems.append(
                        f"{role} POST {scene.fill(one.path)} with {label}: {response.status_code}"
                    )
            after = fingerprint(database)
            changed = sorted(name for name in after if after[name] != before[name])
            if changed:
                problems.append(f"{role} POST {scene.fill(one.path)} changed {', '.join(changed)}")
                before = after
    assert not problems, "\n".join(problems)
    # The control: the same kind of request with the session's own token does change things.
    watched = clients["resident"].post(
        scene.fill("/forum/t/{thread}/watch"), data={"csrf_token": token_of(clients["resident"])}
    )
    assert watched.status_code == 303
    assert fingerprint(database) != before
