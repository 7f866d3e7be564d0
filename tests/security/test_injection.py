"""SQL metacharacters and other strange values in every parameter of every GET route: path
parameters and query strings. Never a 500; search still finds what it should and treats
`%`, `_` and quotes as the characters they are."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.testclient import TestClient

from tests.conftest import page
from tests.security.conftest import Scene
from tests.security.test_access import ALL, EXPECTED

PAYLOADS = [
    "'",
    '"',
    ";--",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE users",
    "' UNION SELECT NULL, NULL --",
    "%",
    "_",
    "%%",
    "\\",
    "\\'",
    "\x00",
    "%00",
    "x" * 4000,
    "字" * 1000,
    "-1",
    "0",
    "99999999999999999999999",
    "1.5",
    "1e9",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits: int() reads them
    "１２",  # full-width digits
    " 1 ",
    "\u202e",
    "*",
    "[",
    "(",
    "$1",
    "<>",
]

# As they go into a URL, plus what no text encodes to: a lone surrogate, bytes that are not
# UTF-8, an overlong slash, a cut character.
ENCODED = [quote(value, safe="") for value in PAYLOADS] + ["%ED%A0%80", "%FF%FE", "%C0%AF", "%E4%B8"]
# The sweeps over every parameter of every route use these (the search test and the fuzzer
# the rest): the whole suite must stay within a few minutes on both backends.
CORE = [
    quote(value, safe="")
    for value in ("'", '"', ";--", "' OR 1=1 --", "%", "_", "\\", "\x00", "x" * 4000, "²", "9" * 23)
] + ["%ED%A0%80", "%FF%FE"]

# Into every parameter at once (a URL has its limits: no long ones).
ALL_AT_ONCE = [quote(v, safe="") for v in ("'", "' OR 1=1 --", "%", "\\", "\x00", "²", "9" * 23)] + [
    "%ED%A0%80"
]

# Every query parameter the code reads (test_every_query_name_is_known keeps this complete).
QUERY_NAMES = sorted(
    {
        "a", "after", "age", "b", "before", "board", "category", "code", "done", "handled", "id",
        "kind", "new", "newest", "next", "order", "org", "overdue", "page", "parent", "place", "q",
        "quote", "reason", "sanction", "sort", "status", "thread",
    }
)  # fmt: skip
SOURCE_DIRS = ("grassroots", "forum", "disclosure", "voting", "moderation")
ROOT = Path(__file__).resolve().parents[2]


def test_every_query_name_is_known() -> None:
    found = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(re.findall(r'(?:query|query_params\.get)\("([a-z_]+)"', path.read_text()))
    assert found <= set(QUERY_NAMES), f"add to QUERY_NAMES: {sorted(found - set(QUERY_NAMES))}"


def get_cases(scene: Scene, *, public_only: bool = False) -> list[tuple[str, str]]:
    """(route pattern, example path) of every GET route, its first example."""
    return [
        (pattern, cases[0].path)
        for (method, pattern), cases in EXPECTED.items()
        if method == "GET" and (not public_only or cases[0].may == ALL)
    ]


def _with_path_value(template: str, pattern: str, value: str, scene: Scene) -> list[str]:
    """The example path with each of its `{placeholders}` in turn replaced by `value`."""
    base, _sep, query = template.partition("?")
    names = re.findall(r"{(\w+)}", base)
    out = []
    for name in names:
        filled = scene.fill(base.replace("{" + name + "}", "\x01"))
        out.append(filled.replace("\x01", value) + (f"?{scene.fill(query)}" if query else ""))
    return out


def _sent(client: TestClient, url: str, params: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """`params` already percent-encoded, sent as they are."""
    if params:
        url += "?" + "&".join(f"{name}={value}" for name, value in params.items())
    return client.get(url)


def test_metacharacters_in_every_path_parameter(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    client = as_role("admin")
    problems = []
    for pattern, template in get_cases(scene):
        for value in CORE:
            for url in _with_path_value(template, pattern, value, scene):
                response = _sent(client, url)
                if response.status_code >= 500:
                    problems.append(f"GET {url[:120]!r}: {response.status_code}")
    assert not problems, f"{len(problems)} server errors:\n" + "\n".join(sorted(set(problems)))


def test_metacharacters_in_every_query_parameter(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    """Every parameter the code reads, all at once, on every route (as the public, who may be
    answered from memory, and as the admin, who may see everything); then each of an example's
    own parameters alone, so that one refused early hides no other."""
    problems = []
    for role in ("anonymous", "admin"):
        client = as_role(role)
        for _pattern, template in get_cases(scene, public_only=role == "anonymous"):
            path = scene.fill(template)
            own = dict(part.split("=", 1) for part in urlsplit(path).query.split("&") if "=" in part)
            bare = path.split("?")[0]
            tries = [("all", value, dict.fromkeys(QUERY_NAMES, value)) for value in ALL_AT_ONCE]
            if role == "admin":
                tries += [(name, value, {**own, name: value}) for name in own for value in CORE]
            for label, value, params in tries:
                response = _sent(client, bare, params)
                if response.status_code >= 500:
                    problems.append(f"{role} GET {bare} {label}={value[:20]!r}: {response.status_code}")
    assert not problems, f"{len(problems)} server errors:\n" + "\n".join(sorted(set(problems)))


def _results(client: TestClient, query: str) -> list[str]:
    response = client.get("/forum/search", params={"q": query})
    assert response.status_code == 200, (query, response.status_code)
    return [a.get_text(strip=True) for a in page(response).select("main ol a, main ul.results a, .result a")]


def test_search_treats_metacharacters_as_text(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    client = as_role("admin")
    found = _results(client, "楼道灯坏了")
    assert found, "the scene's thread is found by its title"
    for query in ("%", "_", "%%", "' OR 1=1 --", '" OR ""="', "\\", "*", "' OR '1'='1"):
        hits = _results(client, query)  # wildcards and quotes are text: they match nothing here
        assert "楼道灯坏了" not in " ".join(hits), (query, hits)
    assert _results(client, "楼道灯坏了' OR '1'='1") is not None


def test_every_payload_in_the_lookups(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    """Search and the code lookups take what people paste: every payload, as the public."""
    client = as_role("anonymous")
    lookups = [
        "/forum/search?q=",
        scene.fill("/elections/{e_published}/receipt?code="),
        "/mailbox/stats?org=",
    ]
    problems = [
        f"GET {url}{value[:20]}: {response.status_code}"
        for url in lookups
        for value in ENCODED
        if (response := client.get(url + value)).status_code >= 500
    ]
    assert not problems, "\n".join(problems)
