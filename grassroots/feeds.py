"""Atom feeds (RFC 4287), written by hand: a feed is a few lines of XML, every value escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from starlette.datastructures import URL
from starlette.responses import Response

EPOCH = "1970-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class Entry:
    link: str  # absolute; also the entry's id
    title: str
    author: str
    published: datetime
    updated: datetime
    html: str  # safe HTML, sent escaped as type="html"
    summary: str  # plain text


def self_url(site_url: str, url: URL) -> str:
    """The feed's own address as the public knows the site, query included."""
    return site_url.rstrip("/") + url.path + (f"?{url.query}" if url.query else "")


def atom_response(self_url: str, title: str, entries: Sequence[Entry]) -> Response:
    updated = max((e.updated for e in entries), default=None)
    body = "".join(
        "<entry>"
        f"<id>{escape(e.link)}</id><title>{escape(e.title)}</title>"
        f'<link rel="alternate" href="{escape(e.link)}"/>'
        f"<author><name>{escape(e.author)}</name></author>"
        f"<published>{e.published.isoformat()}</published><updated>{e.updated.isoformat()}</updated>"
        f'<content type="html">{escape(e.html)}</content>'
        f"<summary>{escape(e.summary)}</summary>"
        "</entry>"
        for e in entries
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(self_url)}</id><title>{escape(title)}</title>"
        f'<link rel="self" href="{escape(self_url)}"/>'
        f"<updated>{updated.isoformat() if updated else EPOCH}</updated>{body}</feed>\n"
    )
    return Response(xml, media_type="application/atom+xml; charset=utf-8")
