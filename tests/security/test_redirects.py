"""Open redirects: every `next=` the site follows (logging in, registering, switching the
language, and the login page it sends the public to) stays on this site, whatever it is given.

A Location is judged as a browser reads it (WHATWG URL): tabs and newlines are dropped, a
backslash is a slash, and leading spaces and control characters are trimmed."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

import pytest
from starlette.testclient import TestClient

from tests.conftest import csrf_from, page
from tests.security.conftest import PASSWORD, Scene, SceneTemplate


# Where a next= leads does not depend on the backend: SQLite only, for time.
@pytest.fixture
def scene_template(sqlite_scene: SceneTemplate) -> SceneTemplate:
    return sqlite_scene


VECTORS = [
    "//evil.example",
    "//evil.example/%2F..",
    "///evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example@good.example",
    "/%09/evil.example",
    "〳evil.example",
    "//%65vil.example",
    "/ /evil.example",
    "\\/evil.example",
]


def stays_here(location: str) -> bool:
    """Whether a browser would stay on this site following `location`."""
    seen = re.sub(r"[\t\n\r]", "", location).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08 \x0b\x0c")
    seen = seen.replace("\\", "/")
    parts = urlsplit(seen)
    if parts.scheme or parts.netloc:
        return parts.netloc in ("testserver", "") and parts.scheme in ("http", "https", "")
    return seen.startswith("/") and not seen.startswith("//")


def test_the_judge_knows_the_tricks() -> None:
    assert stays_here("/forum/") and stays_here("/login?next=%2F%2Fevil.example")
    for vector in ("//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example"):
        assert not stays_here(vector), vector


def _login(client: TestClient, target: str):  # type: ignore[no-untyped-def]
    form = client.get("/login", params={"next": target})
    carried = page(form).select_one('input[name="next"]')
    sent = str(carried["value"]) if carried else target
    data = {"username": "resident01", "password": PASSWORD, "next": sent, "csrf_token": csrf_from(form)}
    return client.post("/login", data=data)


def _login_by_field(client: TestClient, target: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login"))
    data = {"username": "member01", "password": PASSWORD, "next": target, "csrf_token": token}
    return client.post("/login", data=data)


_names = itertools.count()


def _register(client: TestClient, target: str):  # type: ignore[no-untyped-def]
    form = client.get("/register", params={"next": target})
    carried = page(form).select_one('input[name="next"]')
    data = {
        "username": f"newcomer{next(_names)}x",
        "display_name": "新人",
        "password": "long enough password",
        "next": str(carried["value"]) if carried else target,
        "csrf_token": csrf_from(form),
    }
    return client.post("/register", data=data)


def _language(client: TestClient, target: str):  # type: ignore[no-untyped-def]
    return client.get("/lang/en", params={"next": target})


DOORS = [_login, _login_by_field, _register, _language]


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__.strip("_"))
def test_no_next_leaves_the_site(as_role: Callable[[str], TestClient], scene: Scene, door) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    for vector in VECTORS:
        client = as_role("anonymous")
        response = door(client, vector)
        assert response.status_code == 303, (vector, response.status_code)
        if not stays_here(response.headers["location"]):
            wrong.append(f"{vector!r} → {response.headers['location']!r}")
    assert not wrong, "\n".join(wrong)


def test_the_way_back_after_logging_in_is_kept(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    client = as_role("anonymous")
    sent_away = client.get("/me")
    assert sent_away.headers["location"] == "/login?next=/me"
    assert unquote(urlsplit(sent_away.headers["location"]).query) == "next=/me"
    assert _login(client, "/forum/?page=2").headers["location"] == "/forum/?page=2"
