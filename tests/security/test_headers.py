"""The security headers of DESIGN.md on every response: each route's page as the public and
as the administrator, redirects, static files, uploads, feeds and JSON, and every error page
(400, 403, 404, 405, 413 and 500; 429 in test_brute_force.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from grassroots import site_routes
from grassroots.security import SECURITY_HEADERS
from grassroots.settings import Settings
from tests.security.conftest import Scene, SceneTemplate
from tests.security.test_access import EXPECTED


# The headers come from middleware, the same on both backends: SQLite only, for time.
@pytest.fixture
def scene_template(sqlite_scene: SceneTemplate) -> SceneTemplate:
    return sqlite_scene


EXPECTED_HEADERS = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}


def missing_headers(response: Any) -> list[str]:
    wrong = [name for name, value in EXPECTED_HEADERS.items() if response.headers.get(name) != value]
    policy = response.headers.get("content-security-policy", "")
    for directive in ("frame-ancestors 'none'", "script-src 'self'", "object-src 'none'"):
        if directive not in policy:
            wrong.append(directive)
    if "'unsafe-inline'" in policy or "'unsafe-eval'" in policy:
        wrong.append("no unsafe-inline or unsafe-eval")
    return wrong


def test_the_baseline_is_what_design_md_asks() -> None:
    assert EXPECTED_HEADERS["x-content-type-options"] == "nosniff"
    assert EXPECTED_HEADERS["x-frame-options"] == "DENY"
    assert EXPECTED_HEADERS["referrer-policy"]
    assert "frame-ancestors 'none'" in EXPECTED_HEADERS["content-security-policy"]


def test_every_page_carries_the_headers(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    problems = []
    for role in ("anonymous", "admin"):
        client = as_role(role)
        for (method, _pattern), cases in EXPECTED.items():
            if method != "GET":
                continue
            for one in cases:
                response = client.get(scene.fill(one.path))
                if wrong := missing_headers(response):
                    problems.append(f"{role} GET {scene.fill(one.path)} ({response.status_code}): {wrong}")
    assert not problems, "\n".join(problems)


def test_every_error_page_carries_the_headers(
    as_role: Callable[[str], TestClient], scene: Scene, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = as_role("resident")
    too_big = "x" * (settings.max_body_bytes + 1)
    responses = {
        404: client.get("/no/such/page"),
        405: client.delete("/forum/"),
        403: client.post("/me/profile", data={"display_name": "x"}),
        413: client.post("/mailbox/write", content=too_big, headers={"content-type": "text/plain"}),
        400: client.post("/login", files={f"field{i}": (None, "x") for i in range(300)}),
    }
    monkeypatch.setattr(site_routes.audit, "list_entries", _explode)
    responses[500] = client.get("/audit/")
    for status, response in responses.items():
        assert response.status_code == status, (status, response.status_code)
        assert not missing_headers(response), (status, missing_headers(response))


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug")


def test_every_route_refuses_other_methods_kindly(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    """A method a route does not take is 405 with the friendly page and the headers; HEAD of a
    page is its GET without the body."""
    client = as_role("admin")
    problems = []
    taken: dict[str, set[str]] = {}
    paths: dict[str, str] = {}
    for (method, pattern), cases in EXPECTED.items():
        taken.setdefault(pattern, set()).add(method)
        paths.setdefault(pattern, scene.fill(cases[0].path))
    for pattern, methods in taken.items():
        for other in ("PUT", "DELETE", "PATCH", "OPTIONS", "POST", "GET"):
            if other in methods or (pattern.startswith("/static") and other == "OPTIONS"):
                continue
            response = client.request(other, paths[pattern])
            if response.status_code != 405 or missing_headers(response):
                problems.append(
                    f"{other} {paths[pattern]}: {response.status_code} {missing_headers(response)}"
                )
        if "GET" in methods:
            head = client.head(paths[pattern])
            if head.status_code >= 500 or head.content or missing_headers(head):
                problems.append(f"HEAD {paths[pattern]}: {head.status_code}")
    assert not problems, "\n".join(problems)
