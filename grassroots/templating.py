"""The Jinja2 environment: autoescaping, Babel's gettext, and a few helpers for templates."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path

import jinja2

from grassroots import i18n
from grassroots.accounts.labels import device_label, org_options, role_label, status_label
from grassroots.settings import Settings
from grassroots.textdiff import text_diff

STATIC_DIR = Path(__file__).parent / "static"


@cache
def static_version(name: str) -> str:
    """A content hash in the URL, so browsers may cache static files for a long time."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def make_environment(settings: Settings) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(settings.templates_dir),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    # Our gettext formats its own placeholders and the result is escaped like any other
    # value. Jinja's "newstyle" wrapper did the same through a slow generic call path
    # (a fifth of the front page's render time), and would trust HTML in translations.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(
        static_url=static_url,
        languages=i18n.LANGUAGES,
        get_locale=i18n.get_locale,
        role_label=role_label,
        status_label=status_label,
        org_options=org_options,
        device_label=device_label,
        text_diff=text_diff,
        floor_label=lambda floor: i18n.gettext("#%(floor)s", floor=floor),
    )
    env.filters["time"] = lambda moment, tz=settings.timezone, fmt="medium": i18n.format_time(moment, tz, fmt)
    env.filters["shorttime"] = lambda moment, tz=settings.timezone: i18n.format_short_time(moment, tz)
    env.filters["isotime"] = lambda moment: moment.isoformat() if isinstance(moment, datetime) else ""
    return env
