"""What a username, display name and password may be."""

from __future__ import annotations

import unicodedata

from grassroots.i18n import gettext as _

USERNAME_MIN, USERNAME_MAX = 2, 32
DISPLAY_NAME_MAX = 40
PASSWORD_MIN, PASSWORD_MAX = 8, 256
USERNAME_PUNCTUATION = "_.-"


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in text)


def normalize_username(raw: str) -> str:
    """Usernames compare without regard to case or to full-width forms."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def username_problem(username: str) -> str | None:
    if len(username) < USERNAME_MIN or len(username) > USERNAME_MAX:
        return _("A username has %(min)d to %(max)d characters.", min=USERNAME_MIN, max=USERNAME_MAX)
    if not all(ch.isalnum() or ch in USERNAME_PUNCTUATION for ch in username):
        return _("A username may hold only letters, digits, underscores, dots and hyphens.")
    return None


def display_name_problem(name: str) -> str | None:
    if not name:
        return _("Please give the name others will see.")
    if len(name) > DISPLAY_NAME_MAX:
        return _("A name has at most %(max)d characters.", max=DISPLAY_NAME_MAX)
    if has_control_characters(name):
        return _("The name holds characters that cannot be shown.")
    return None


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return _("A password has at least %(min)d characters.", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("A password has at most %(max)d characters.", max=PASSWORD_MAX)
    return None
