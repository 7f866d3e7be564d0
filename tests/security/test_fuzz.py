"""Never a 500: a property-based fuzzer (hypothesis) sends random and malformed data to every
form the site shows (found on its pages, as each role sees them) with a valid session and
CSRF token, and random query strings to every GET route. Values are random unicode (control
characters and lone surrogates included, the latter percent-encoded as the bytes a broken
client would send), huge strings, wrong types, missing and duplicated fields, and bytes that
are not UTF-8. Afterwards the audit chain still verifies.

The run is bounded (settings below) so that the whole security suite adds a few minutes to
`make test`; examples are derandomized, so a failure found once is found again."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from grassroots import audit
from grassroots.db import Database
from tests.security.conftest import ROLES, Form, Scene, discover_forms, token_of
from tests.security.test_access import EXPECTED
from tests.security.test_injection import QUERY_NAMES

FORM_EXAMPLES = 500
QUERY_EXAMPLES = 300
# Forms that end the fuzzer's own session: sent once, untouched, at the very end instead.
LAST = ("/logout",)
FUZZ_SETTINGS = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
control = st.text(
    st.sampled_from([chr(c) for c in [*range(0, 32), 127, 0x85, 0x2028, 0x202E, 0xFEFF]]), max_size=8
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["0", "-1", "1e309", "²", "١", "１", "0x10", " 7 ", "NaN", "true", "[]", "{}", "null"]),
)
huge = st.builds(
    lambda ch, n: ch * n, st.sampled_from(["x", "字", "<", "%", "\x00", "😀"]), st.integers(1, 30_000)
)
as_bytes = any_text.map(lambda t: t.encode("utf-8", "surrogatepass"))  # a lone surrogate: ED A0 80
value = st.one_of(
    as_bytes,
    control.map(str.encode),
    numbers.map(str.encode),
    huge.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=64),  # not UTF-8 at all
)


def _body(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode() for k, v in pairs)


@st.composite
def submissions(draw: st.DrawFn, forms: list[Form]) -> tuple[Form, list[tuple[bytes, bytes]]]:
    """One form, and what is sent for it: each field missing, as the page gave it, or
    something else, sometimes twice; now and then a field nobody asked for."""
    form = draw(st.sampled_from(forms))
    pairs: list[tuple[bytes, bytes]] = []
    defaults = form.defaults()
    names = [name for name, _kind, _v in form.fields if name != "csrf_token"] + [n for n, _c in form.choices]
    for name in dict.fromkeys(names):
        how = draw(st.sampled_from(["missing", "default", "random", "random", "twice"]))
        if how == "missing":
            continue
        if how == "default":
            pairs.append((name.encode(), defaults.get(name, "").encode()))
            continue
        pairs.append((name.encode(), draw(value)))
        if how == "twice":
            pairs.append((name.encode(), draw(value)))
    if draw(st.booleans()):
        pairs.append((draw(as_bytes) or b"extra", draw(value)))
    return form, pairs


def _audit_chain_problem(database: Database) -> audit.ChainProblem | None:
    with database.reading() as db:
        return audit.verify_chain(audit.iter_entries(db), audit.get_head(db))


def test_no_form_answers_500(as_role: Callable[[str], TestClient], scene: Scene, database: Database) -> None:
    clients = {role: as_role(role) for role in ROLES}
    pages = [scene.fill(cases[0].path) for (method, _p), cases in EXPECTED.items() if method == "GET"]
    forms = [f for f in discover_forms(clients, pages) if not f.action.split("?")[0].endswith(LAST)]
    assert len(forms) >= 50, f"only {len(forms)} forms found"
    tokens = {role: token_of(client) for role, client in clients.items()}
    failures: list[str] = []

    @FUZZ_SETTINGS
    @given(submissions(forms))
    def send(submission: tuple[Form, list[tuple[bytes, bytes]]]) -> None:
        form, pairs = submission
        body = _body([*pairs, (b"csrf_token", tokens[form.role].encode())])
        response = clients[form.role].post(
            form.action, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        if response.status_code >= 500:
            failures.append(f"{form.role} POST {form.action} {body[:300]!r}: {response.status_code}")
        assert response.status_code < 500, failures[-1]

    send()
    for role, client in clients.items():
        assert client.post("/logout", data={"csrf_token": tokens[role]}).status_code == 303
    assert _audit_chain_problem(database) is None


@st.composite
def queries(draw: st.DrawFn, paths: list[str]) -> tuple[str, bytes]:
    path = draw(st.sampled_from(paths)).split("?")[0]
    names = st.one_of(st.sampled_from(QUERY_NAMES).map(str.encode), as_bytes)
    pairs = draw(st.lists(st.tuples(names, value), min_size=1, max_size=6))
    return path, _body(pairs)


def test_no_query_string_answers_500(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    clients = {role: as_role(role) for role in ("anonymous", "member", "admin")}
    paths = [scene.fill(cases[0].path) for (method, _p), cases in EXPECTED.items() if method == "GET"]

    @settings(FUZZ_SETTINGS, max_examples=QUERY_EXAMPLES)
    @given(st.sampled_from(sorted(clients)), queries(paths))
    def fetch(role: str, query: tuple[str, bytes]) -> None:
        path, encoded = query
        response = clients[role].get(f"{path}?{encoded.decode()}"[:7000])
        assert response.status_code < 500, f"{role} GET {path}?{encoded[:300]!r}: {response.status_code}"

    fetch()
    assert _audit_chain_problem(database) is None
