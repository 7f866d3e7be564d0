"""Markdown to safe HTML: the one way text people write becomes a page.

markdown-it-py parses with raw HTML off (the `js-default` preset) and finds bare links; nh3
then cleans the result against an explicit allow-list, whatever the parser let through. Text
is stored as its source with the rendered HTML beside it, rendered once when written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "s", "a", "img",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"
UPLOADS_PREFIX = "/uploads/"

# A username as accounts.validation allows it, after an @ that does not follow a letter or
# digit (so an e-mail address is not a mention).
MENTION = re.compile(r"(?<![A-Za-z0-9_.@])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,31})")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(UPLOADS_PREFIX) else None
    if attribute == "style":
        return value if value in ("text-align:left", "text-align:center", "text-align:right") else None
    return value


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"linkify": True, "breaks": True, "html": False})
    md.enable(["linkify", "strikethrough", "table"])
    md.validateLink = _safe_link
    md.core.ruler.push("mentions", _link_mentions)
    return md


def _safe_link(url: str) -> bool:
    scheme = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _link_mentions(state: StateCore) -> None:
    known: Collection[str] = state.env.get("mentions", ())
    if not known:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        block.children = _split_mentions(block.children, known)


def _split_mentions(children: list[Token], known: Collection[str]) -> list[Token]:
    result: list[Token] = []
    inside_link = 0
    for token in children:
        inside_link += token.type == "link_open"
        inside_link -= token.type == "link_close"
        if token.type != "text" or inside_link:
            result.append(token)
            continue
        position = 0
        for match in MENTION.finditer(token.content):
            name = match.group(1).rstrip(".-")
            if name.lower() not in known:
                continue
            end = match.start() + 1 + len(name)
            result.append(_text(token.content[position : match.start()]))
            link = Token("link_open", "a", 1, attrs={"href": f"/u/{name}", "class": "mention"})
            result += [link, _text("@" + name), Token("link_close", "a", -1)]
            position = end
        result.append(_text(token.content[position:]))
    return [t for t in result if t.type != "text" or t.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def mentioned_names(source: str) -> set[str]:
    """Usernames written as @name, lower-cased; the caller decides which of them exist."""
    return {m.group(1).rstrip(".-").lower() for m in MENTION.finditer(source)}


def render(source: str, mentions: Collection[str] = ()) -> str:
    """Safe HTML for Markdown `source`. `mentions` are the lower-cased usernames that exist:
    only those become links to the person's page; any other @name stays plain text."""
    raw = _parser().render(source, {"mentions": frozenset(mentions)})
    return clean(raw)


def clean(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        allowed_classes={"a": {"mention"}},
        strip_comments=True,
    )


def plain_text(safe_html: str) -> str:
    """The words of rendered HTML, for search and feeds: tags dropped, blocks on their own lines."""
    spaced = re.sub(r"<(?:br|/p|/li|/h\d|/blockquote|/pre|/tr)\b[^>]*>", "\n", safe_html)
    return html.unescape(nh3.clean(spaced, tags=set())).strip()
