"""The catalogs: current with the code, complete in both languages, well-formed placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from grassroots import PROJECT_ROOT, i18n

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def extracted_messages() -> set[str]:
    found: set[str] = set()
    method_map = [("grassroots/**.py", "python"), ("templates/**.html", "jinja2")]
    for package in ("forum", "voting", "disclosure", "moderation"):
        method_map.append((f"{package}/**.py", "python"))
    options = {"templates/**.html": {"trimmed": "true"}}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        PROJECT_ROOT, method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (Path(i18n.LOCALE_DIR) / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.fixture(scope="module")
def messages() -> set[str]:
    return extracted_messages()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_catalog_has_every_message_translated(locale: str, messages: set[str]) -> None:
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog(locale) if m.id}
    missing = sorted(messages - set(translated))
    assert missing == [], f"run `make messages`, then translate: {missing}"
    untranslated = sorted(
        k
        for k in messages
        if not translated[k] or (isinstance(translated[k], tuple) and not all(translated[k]))
    )
    assert untranslated == [], f"untranslated in {locale}: {untranslated}"
    fuzzy = [m.id for m in catalog(locale) if m.id and m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_placeholders_survive_translation(locale: str) -> None:
    for message in catalog(locale):
        if not message.id or not isinstance(message.id, str):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", message.id))
        assert sorted(re.findall(r"%\(\w+\)[sd]", message.string)) == wanted, message.id


def test_chinese_is_the_default_and_english_is_there() -> None:
    i18n.set_locale("zh_CN")
    assert i18n.gettext("Log in") == "登录"
    i18n.set_locale("en")
    assert i18n.gettext("Log in") == "Log in"
    i18n.set_locale("xx")
    assert i18n.get_locale() == "zh_CN"
