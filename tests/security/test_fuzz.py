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
from tests.security.conftest import MORE_FORM_PAGES, ROLES, Form, Scene, discover_forms, token_of
from tests.security.test_access import EXPECTED
from tests.security.test_injection import QUERY_NAMES

EXAMPLES_PER_FORM = 6
EXAMPLES_PER_ROUTE = 2
# Forms that end the fuzzer's own session: sent once, untouched, at the very end instead.
LAST = ("/logout",)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_FORM,
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
# What has broken parsers before, drawn often: digits that are not ASCII, numbers too big for
# a column, signs, NUL, SQL and Markdown metacharacters, a lone surrogate, a cut character.
TRICKY = [
    "²", "١٢", "１", "99999999999999999999", "-1", "0", "1.5", " 1", "1:2", "²:1", "1:²", ":", "\x00", "%",
    "'", '"', "\\", "' OR 1=1 --", "<script>", "](javascript:x)", "\ud800", "\udfff", "\r\n", "\u202e",
    "", " ", "on", "true", "2026-02-30", "9999-12-31", "0000-00-00", "25:61",
]  # fmt: skip
tricky = st.sampled_from([t.encode("utf-8", "surrogatepass") for t in TRICKY])
value = st.one_of(
    tricky,
    tricky,
    as_bytes,
    control.map(str.encode),
    numbers.map(str.encode),
    huge.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=64),  # not UTF-8 at all
)


def _body(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode() for k, v in pairs)


@st.composite
def submissions(draw: st.DrawFn, form: Form) -> list[tuple[bytes, bytes]]:
    """What is sent for a form: each field missing, as the page gave it, or something else,
    sometimes twice; now and then a field nobody asked for. Half the time one tricky value
    goes into every field at once, the way the systematic sweeps of test_injection.py do."""
    pairs: list[tuple[bytes, bytes]] = []
    defaults = form.defaults()
    names = [name for name, _kind, _v in form.fields if name != "csrf_token"] + [n for n, _c in form.choices]
    same = draw(st.one_of(st.none(), tricky))
    for name in dict.fromkeys(names):
        how = draw(st.sampled_from(["missing", "default", "random", "random", "twice"]))
        if how == "missing":
            continue
        if how == "default":
            pairs.append((name.encode(), defaults.get(name, "").encode()))
            continue
        pairs.append((name.encode(), same if same is not None else draw(value)))
        if how == "twice":
            pairs.append((name.encode(), draw(value)))
    if draw(st.booleans()):
        pairs.append((draw(as_bytes) or b"extra", draw(value)))
    return pairs


def _audit_chain_problem(database: Database) -> audit.ChainProblem | None:
    with database.reading() as db:
        return audit.verify_chain(audit.iter_entries(db), audit.get_head(db))


def test_no_form_answers_500(as_role: Callable[[str], TestClient], scene: Scene, database: Database) -> None:
    clients = {role: as_role(role) for role in ROLES}
    pages = [scene.fill(cases[0].path) for (method, _p), cases in EXPECTED.items() if method == "GET"]
    pages += [scene.fill(p) for p in MORE_FORM_PAGES]
    forms = [f for f in discover_forms(clients, pages) if not f.action.split("?")[0].endswith(LAST)]
    assert len(forms) >= 50, f"only {len(forms)} forms found"
    tokens = {role: token_of(client) for role, client in clients.items()}

    def fuzz(form: Form) -> None:
        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES_PER_FORM)
        @given(submissions(form))
        def send(pairs: list[tuple[bytes, bytes]]) -> None:
            body = _body([*pairs, (b"csrf_token", tokens[form.role].encode())])
            response = clients[form.role].post(
                form.action, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
            )
            assert response.status_code < 500, f"{form.role} POST {form.action} {body[:300]!r}"

        send()

    for form in forms:  # every form gets its share of examples
        fuzz(form)
    for role, client in clients.items():
        assert client.post("/logout", data={"csrf_token": tokens[role]}).status_code == 303
    assert _audit_chain_problem(database) is None


@st.composite
def queries(draw: st.DrawFn) -> bytes:
    """A query string: each name the code reads, absent or with a value (every route reads
    its own and ignores the rest), and now and then one nobody reads."""
    same = draw(st.one_of(st.none(), tricky))
    pairs = [
        (name.encode(), same if same is not None else v)
        for name in QUERY_NAMES
        if (v := draw(st.one_of(st.none(), value))) is not None
    ]
    pairs += draw(st.lists(st.tuples(as_bytes, value), max_size=2))
    return _body(pairs)


def test_no_query_string_answers_500(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    clients = {role: as_role(role) for role in ("anonymous", "member", "admin")}
    paths = [scene.fill(cases[0].path) for (method, _p), cases in EXPECTED.items() if method == "GET"]

    def fuzz(path: str) -> None:
        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES_PER_ROUTE)
        @given(st.sampled_from(sorted(clients)), queries())
        def fetch(role: str, encoded: bytes) -> None:
            response = clients[role].get(f"{path}?{encoded.decode()}"[:7000])
            assert response.status_code < 500, f"{role} GET {path}?{encoded[:300]!r}"

        fetch()

    for path in paths:
        fuzz(path.split("?")[0])
    assert _audit_chain_problem(database) is None


BODIES = [
    ("multipart/form-data", b"csrf_token=x"),  # no boundary
    ("multipart/form-data; boundary=", b"--\r\n"),
    ("multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"),
    (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="\xff"\r\n\r\nx\r\n--b--',
    ),
    (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="../../x"\r\n',
    ),
    ("application/x-www-form-urlencoded; charset=utf-16", "a=字".encode("utf-16")),
    ("application/x-www-form-urlencoded", b"%"),
    ("application/x-www-form-urlencoded", b"a=%zz&=&&==&a"),
    ("application/json", b'{"csrf_token": "x", "body": []}'),
    ("text/plain", b"\x00\x01\x02"),
    ("", b"a=1"),
    ("x/y; boundary=\x7f", b"a=1"),
]


def test_malformed_bodies_on_every_post_route(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    """Bodies no form makes, with the session's valid token in the query string for good
    measure (it does not count there): refused with a 4xx, never a 500."""
    client = as_role("admin")
    token = token_of(client)
    problems = []
    for (method, _pattern), cases in EXPECTED.items():
        if method != "POST":
            continue
        path = scene.fill(cases[0].path)
        for content_type, body in BODIES:
            joined = "&" if "?" in path else "?"
            response = client.post(
                f"{path}{joined}csrf_token={token}", content=body, headers={"content-type": content_type}
            )
            if not 400 <= response.status_code < 500:
                problems.append(f"POST {path} ({content_type!r}, {body[:30]!r}): {response.status_code}")
    assert not problems, "\n".join(problems)
    assert _audit_chain_problem(database) is None


# How files of each kind begin: a file that starts right and goes on as noise.
MAGIC = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"GIF87a",
    b"\xff\xd8\xff\xe0",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"%PDF-",
    b"\x00\x00\x00\x18ftyp",
    b"\x1a\x45\xdf\xa3",
    b"BM",
    b"II*\x00",
    b"\xef\xbb\xbf",
]
# What a client can put in a part's header: no control characters, no lone surrogates.
header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=60)
file_names = st.one_of(
    st.sampled_from(
        ["a.png", "../../etc/passwd", "", "x" * 300, "名单.csv", "C:\\x\\y.jpg", "..", "a.php.png"]
    ),
    header_text,
)
claimed_types = st.sampled_from(["image/png", "image/svg+xml", "text/html", "application/pdf", "video/mp4",
                                 "text/csv", "application/octet-stream", "x/y", ""])  # fmt: skip
file_contents = st.builds(lambda magic, rest: magic + rest, st.sampled_from(MAGIC), st.binary(max_size=300))
EXAMPLES_PER_UPLOAD_FORM = 50


def test_no_upload_answers_500(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    """Every form with a file field gets files that begin like a picture, a PDF, a video or
    a spreadsheet and go on as noise, under any name and any claimed type."""
    clients = {role: as_role(role) for role in ("secretary", "anonymous")}
    where = ("/disclosure/upload/{candidate}/media", "/disclosure/upload/{notice}/media", "/mailbox/write")
    pages = [scene.fill(p) for p in (*where, "/o/{branch}/members")]
    forms = [f for f in discover_forms(clients, pages) if any(kind == "file" for _n, kind, _v in f.fields)]
    assert len(forms) >= 4, [f.action for f in forms]
    tokens = {role: token_of(client) for role, client in clients.items()}

    def fuzz(form: Form) -> None:
        file_fields = [name for name, kind, _v in form.fields if kind == "file"]

        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES_PER_UPLOAD_FORM)
        @given(
            st.lists(
                st.tuples(st.sampled_from(file_fields), file_names, file_contents, claimed_types), max_size=4
            )
        )
        def send(files: list[tuple[str, str, bytes, str]]) -> None:
            sent = [(field, (name, content, claimed or "x/y")) for field, name, content, claimed in files]
            data = {**form.defaults(), "csrf_token": tokens[form.role]}
            response = clients[form.role].post(form.action, data=data, files=sent or None)
            assert response.status_code < 500, (
                f"{form.action} {[(f, n[:20], c[:24]) for f, (n, c, _t) in sent]}"
            )

        send()

    for form in forms:
        fuzz(form)
    assert _audit_chain_problem(database) is None
