"""Full-page screenshots of the site's main pages at a phone and a desktop width.

Start the site first, for example:

    export GRASSROOTS_DATA_DIR=$(mktemp -d)
    grassroots demo --password shot-pass-123
    grassroots serve --port 8765 &

then run this with a Python that has the `playwright` package. It is not one of the project's
dependencies: install it into a venv of its own, and never run `playwright install`, as the
script drives the system's Chromium:

    python bin/screenshots.py [BASE_URL] [--out DIR] [--chromium PATH]

JavaScript is off in the browser, as the site must work without it; forms are filled and
submitted by clicking, so CSRF tokens and cookies work as they do for a person. Besides the PNGs
it prints, for each page: the HTTP status; whether the page scrolls sideways, and which elements
stick out; at phone width, links and controls smaller than a tap target should be; and on Chinese
pages, Latin words that may be untranslated text. It exits 1 if any response was a 5xx or a page
could not be captured.

Each run registers an account at each width (to show a long display name) and fails two logins on
purpose, with a made-up username so no demo account gets locked. The site also limits failed logins
per address: about ten runs within its login window (15 minutes by default) reach that limit, and
then every login is refused for a while, which the script reports as unexpected statuses.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Response, sync_playwright

PASSWORD = "shot-pass-123"  # noqa: S105 - the demo accounts' password, as given to `grassroots demo`
WIDTHS = (360, 1280)
PHONE_WIDTH = WIDTHS[0]
HEIGHT = 800
TIMEOUT_MS = 10_000
MIN_TARGET = 24  # px, WCAG 2.2 "target size (minimum)"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Latin words that belong on a Chinese page: the other language's own name, acronyms and product
# names, demo usernames.
LONG_NAME = "W" * 40  # the longest display name allowed, with nowhere to break a line
LATIN_ALLOWED = re.compile(rf"^(English|CSV|JSON|Excel|WPS|admin|[a-z]+_[a-z]+|[a-z]+\d+|{LONG_NAME})$")
LATIN_WORD = re.compile(r"[A-Za-z][\w'\-]*")

Action = Callable[[Page, str], Response | None]


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    user: str | None = None
    lang: str | None = None  # None: what the browser asks for, which is Chinese
    action: Action | None = None  # run after loading `path`; returns the response it led to
    expect: int = 200


@dataclass
class Outcome:
    shot: Shot
    width: int
    file: Path
    status: int | None
    scroll_width: int
    overflowing: list[str] = field(default_factory=list)
    small_targets: list[str] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)


def submit(page: Page, fields: dict[str, str]) -> Response | None:
    """Fill the main form's fields and click its submit button, as a person would."""
    for name, value in fields.items():
        page.fill(f"main form [name={name}]", value)
    with page.expect_navigation() as navigation:
        page.click("main form button[type=submit]")
    return navigation.value


def unique(prefix: str) -> str:
    return f"{prefix}{time.time_ns() % 10**12}"


def wrong_password(page: Page, base: str) -> Response | None:
    return submit(page, {"username": unique("nobody"), "password": "not-the-password"})


def short_username(page: Page, base: str) -> Response | None:
    return submit(page, {"username": "x", "display_name": "", "password": "short"})


def long_name(page: Page, base: str) -> Response | None:
    """Register someone whose display name is 40 letters with no space, then show their page."""
    response = submit(page, {"username": unique("long"), "display_name": LONG_NAME, "password": PASSWORD})
    if response is None or response.status >= 400:
        return response
    return page.goto(f"{base}/me")


def follow(selector: str) -> Action:
    """Open the first link on the page that `selector` finds (an item whose id the demo decides)."""

    def action(page: Page, base: str) -> Response | None:
        link = page.query_selector(selector)
        if link is None:
            raise RuntimeError(f"no link {selector} on {page.url}")
        return page.goto(base + (link.get_attribute("href") or "/"))

    return action


SHOTS = [
    Shot("front", "/"),
    Shot("register", "/register"),
    Shot("login", "/login"),
    Shot("login-error", "/login", action=wrong_password, expect=400),
    Shot("register-error", "/register", action=short_username, expect=400),
    Shot("me", "/me", user="member01"),
    Shot("branch", "/o/yangguang-1/"),
    Shot("members", "/o/yangguang/members", user="yg_shuji"),
    Shot("admin", "/admin/", user="admin"),
    Shot("audit", "/audit/"),
    Shot("not-found", "/no-such-page", expect=404),
    Shot("me-long-name", "/register", action=long_name),
    Shot("forum", "/forum/"),
    Shot("board", "/forum/yangguang-yishi/"),
    Shot("thread", "/forum/t/1"),
    Shot("thread-agree", "/forum/t/1?sort=agree", user="member01"),
    Shot("solicitation-open", "/forum/t/22"),
    Shot("solicitation-answered", "/forum/t/23"),
    Shot("new-thread", "/forum/yangguang-yishi/new", user="yg_shuji"),
    Shot("search", "/forum/search?q=%E7%94%B5%E6%A2%AF"),
    Shot("notifications", "/me/notifications", user="yg_shuji"),
    Shot("person", "/u/yg_shuji"),
    Shot("manage-boards", "/forum/manage/yangguang/", user="yg_shuji"),
    Shot("thread-en", "/forum/t/1", lang="en"),
    Shot("moderation-queue", "/moderation/", user="yg_banzhu"),
    Shot("moderation-item", "/moderation/", user="yg_banzhu", action=follow("ol.queue h2 a")),
    Shot("moderation-flag", "/forum/t/1", user="member01", action=follow("a[href^='/moderation/flag']")),
    Shot("moderation-log", "/moderation/log"),
    Shot("moderation-appeals", "/moderation/appeals", user="yg_banzhu"),
    Shot("moderation-words", "/moderation/words", user="admin"),
    Shot("moderation-numbers", "/moderation/rules/yangguang", user="yg_shuji"),
    Shot("moderation-queue-en", "/moderation/", user="yg_banzhu", lang="en"),
    Shot("mailbox", "/mailbox/"),
    Shot("mailbox-write", "/mailbox/write"),
    Shot("mailbox-letter", "/mailbox/", action=follow("a[href^='/mailbox/letters/']")),
    Shot("mailbox-stats", "/mailbox/stats?org=yangguang"),
    Shot("mailbox-inbox", "/mailbox/inbox", user="yg_shuji"),
    Shot(
        "mailbox-inbox-letter", "/mailbox/inbox", user="yg_shuji", action=follow("a[href^='/mailbox/inbox/']")
    ),
    Shot("mailbox-stats-en", "/mailbox/stats?org=yangguang", lang="en"),
    Shot("disclosure-index", "/disclosure/"),
    Shot("disclosure-candidate", "/disclosure/?kind=candidates", action=follow("ol.disclosures h2 a")),
    Shot("disclosure-post", "/disclosure/?kind=posts", action=follow("ol.disclosures h2 a")),
    Shot("disclosure-history", "/disclosure/notices/6/history"),
    Shot("disclosure-withdrawn", "/disclosure/notices/7"),
    Shot("disclosure-publish", "/disclosure/new?kind=candidates&org=yangguang-1", user="yg_shuji"),
    Shot("disclosure-index-secretary", "/disclosure/", user="yg_shuji"),
    Shot(
        "disclosure-candidate-en",
        "/disclosure/?kind=candidates",
        lang="en",
        action=follow("ol.disclosures h2 a"),
    ),
    Shot("login-en", "/login", lang="en"),
    Shot("me-en", "/me", user="member01", lang="en"),
]

# How the scripts below name an element in the report.
DESCRIBE_JS = """
  const describe = (el) => {
    let label = el.tagName.toLowerCase();
    if (el.id) label += '#' + el.id;
    if (el.classList.length) label += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 24);
    return text ? `${label} "${text}"` : label;
  };
"""

# Where overflow starts: elements past the viewport's edge whose parent is not.
OVERFLOW_JS = (
    """
(width) => {"""
    + DESCRIBE_JS
    + """
  const out = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!out(el) || (el.parentElement !== document.body && out(el.parentElement))) continue;
    if (el.classList.contains('skip-link')) continue;
    const box = el.getBoundingClientRect();
    found.push(`${describe(el)} [${Math.round(box.left)}..${Math.round(box.right)}]`);
  }
  return found.slice(0, 12);
}
"""
)

SMALL_TARGETS_JS = (
    """
(min) => {"""
    + DESCRIBE_JS
    + """
  const found = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.left < 0) continue;  // hidden, or the off-screen skip link
    if (box.width < min || box.height < min) {
      found.push(`${describe(el)} ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return found;
}
"""
)

# The page's text without what is data by nature: code, and browsers' own user-agent strings.
PAGE_TEXT_JS = """
() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('code, .sessions, script, style').forEach((el) => el.remove());
  return body.textContent;
}
"""


def log_in(context: BrowserContext, base: str, username: str) -> None:
    page = context.new_page()
    try:
        response = page.goto(f"{base}/login")
        if response is None or not response.ok:
            raise RuntimeError(f"/login answered {response.status if response else 'nothing'}")
        submit(page, {"username": username, "password": PASSWORD})
        if "/login" in page.url:
            raise RuntimeError(f"could not log in as {username}")
    finally:
        page.close()


def capture(context: BrowserContext, base: str, shot: Shot, width: int, out: Path) -> Outcome:
    context.clear_cookies()
    if shot.user:
        log_in(context, base, shot.user)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": HEIGHT})
    try:
        target = f"/lang/{shot.lang}?next={shot.path}" if shot.lang else shot.path
        response = page.goto(base + target)
        if shot.action is not None and response is not None and response.ok:
            response = shot.action(page, base)
        file = out / f"{shot.name}-{width}.png"
        page.screenshot(path=str(file), full_page=True)
        # Playwright's evaluate runs even with the page's own JavaScript turned off.
        status = response.status if response else None
        scroll_width = int(page.evaluate("document.documentElement.scrollWidth"))
        outcome = Outcome(shot, width, file, status, scroll_width)
        if outcome.scroll_width > width:
            outcome.overflowing = page.evaluate(OVERFLOW_JS, width)
        if width == PHONE_WIDTH:
            outcome.small_targets = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET)
        if shot.lang is None:
            words = LATIN_WORD.findall(page.evaluate(PAGE_TEXT_JS))
            outcome.latin = sorted({w for w in words if not LATIN_ALLOWED.match(w)})
        return outcome
    finally:
        page.close()


def report(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        scrolls = f"  SCROLLS SIDEWAYS: scrollWidth {o.scroll_width}" if o.scroll_width > o.width else ""
        print(f"{o.status}  {o.width:>4}px  {o.shot.path:<22} {o.file}{scrolls}")
        for element in o.overflowing:
            print(f"        sticks out: {element}")
        if o.small_targets:
            print(f"        under {MIN_TARGET}px to tap: {'; '.join(o.small_targets)}")
        if o.latin:
            print(f"        Latin words on a Chinese page: {' '.join(o.latin)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8765")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write PNGs ({DEFAULT_OUT})")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    args = parser.parse_args(argv)
    base: str = args.base_url.rstrip("/")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    server_errors: list[str] = []
    failures: list[str] = []
    outcomes: list[Outcome] = []

    def watch(response: Response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    with (
        sync_playwright() as playwright,
        tempfile.TemporaryDirectory(prefix="screenshots-profile-") as profile,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=args.chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            java_script_enabled=False,
            locale="zh-CN",
            viewport={"width": PHONE_WIDTH, "height": HEIGHT},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", watch)
        try:
            for width in WIDTHS:
                for shot in SHOTS:
                    try:
                        outcomes.append(capture(context, base, shot, width, out))
                    except Exception as exc:  # capture every page, then fail at the end
                        failures.append(f"{shot.name} at {width}px: {exc}")
        finally:
            context.close()

    report(outcomes)
    failures += [
        f"{o.shot.name} at {o.width}px answered {o.status}, not {o.shot.expect}"
        for o in outcomes
        if o.status != o.shot.expect
    ]
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    for error in server_errors:
        print(f"SERVER ERROR: {error}", file=sys.stderr)
    return 1 if server_errors or failures else 0


if __name__ == "__main__":
    sys.exit(main())
