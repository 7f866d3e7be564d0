"""Full-page screenshots of the site's main pages at a phone and a desktop width.

Start the site first, for example:

    export GRASSROOTS_DATA_DIR=$(mktemp -d)
    grassroots demo --password shot-pass-123
    grassroots serve --port 8765 &

then run this with a Python that has the `playwright` package (it is not one of the project's
dependencies; install it into a venv of its own and never run `playwright install`: the script
drives the system's Chromium):

    python bin/screenshots.py [BASE_URL] [--out DIR] [--chromium PATH]

JavaScript is off in the browser, as the site must work without it; forms are filled and
submitted by clicking, so CSRF tokens and cookies work as they do for a person. For each page it
prints the HTTP status, whether the page scrolls sideways, the elements sticking out past the
viewport, and (on Chinese pages) runs of Latin letters that may be untranslated text. It exits 1
if any response was a 5xx or a page could not be captured.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Response, sync_playwright

PASSWORD = "shot-pass-123"  # noqa: S105 - the demo data's password, given to `grassroots demo`
WIDTHS = (360, 1280)
HEIGHT = 800
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Words allowed in Latin letters on a Chinese page: the other language's own name and demo data.
LATIN_ALLOWED = re.compile(r"^(English|admin|yg_shuji|member\d+|resident\d+|secretary\d*|[a-z_]+\d+)$")

Action = Callable[[Page], Response | None]


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    user: str | None = None
    lang: str | None = None  # None: the browser's own preference (Chinese)
    action: Action | None = None  # run after loading `path`; returns the response it led to


@dataclass
class Outcome:
    shot: Shot
    width: int
    file: Path
    status: int | None
    scroll_width: int
    overflowing: list[str]
    latin: list[str]


def submit(page: Page, fields: dict[str, str]) -> Response | None:
    """Fill the main form's fields and click its submit button, as a person would."""
    for name, value in fields.items():
        page.fill(f"main form [name={name}]", value)
    with page.expect_navigation() as navigation:
        page.click("main form button[type=submit]")
    return navigation.value


def wrong_password(page: Page) -> Response | None:
    return submit(page, {"username": "resident01", "password": "not-the-password"})


def short_username(page: Page) -> Response | None:
    return submit(page, {"username": "x", "display_name": "", "password": "short"})


SHOTS = [
    Shot("front", "/"),
    Shot("register", "/register"),
    Shot("login", "/login"),
    Shot("login-error", "/login", action=wrong_password),
    Shot("register-error", "/register", action=short_username),
    Shot("me", "/me", user="member01"),
    Shot("branch", "/o/yangguang-1/"),
    Shot("members", "/o/yangguang/members", user="yg_shuji"),
    Shot("admin", "/admin/", user="admin"),
    Shot("audit", "/audit/"),
    Shot("not-found", "/no-such-page"),
    Shot("login-en", "/login", lang="en"),
    Shot("me-en", "/me", user="member01", lang="en"),
]

# The elements that stick out past the viewport while their parent does not: where overflow starts.
OVERFLOW_JS = """
(width) => {
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || (el.parentElement !== document.body && sticksOut(el.parentElement))) continue;
    const box = el.getBoundingClientRect();
    let label = el.tagName.toLowerCase();
    if (el.id) label += '#' + el.id;
    if (el.classList.length) label += '.' + [...el.classList].join('.');
    const text = (el.innerText || '').trim().slice(0, 30).replace(/\\s+/g, ' ');
    found.push(`${label} [${Math.round(box.left)}..${Math.round(box.right)}] ${text}`);
  }
  return found.slice(0, 12);
}
"""


def log_in(context: BrowserContext, base: str, username: str) -> None:
    page = context.new_page()
    try:
        page.goto(f"{base}/login")
        response = submit(page, {"username": username, "password": PASSWORD})
        if response is None or "/login" in page.url:
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
        target = shot.path
        if shot.lang:
            target = f"/lang/{shot.lang}?next={shot.path}"
        response = page.goto(base + target)
        if shot.action is not None:
            response = shot.action(page)
        file = out / f"{shot.name}-{width}.png"
        page.screenshot(path=str(file), full_page=True)
        scroll_width = int(page.evaluate("document.documentElement.scrollWidth"))
        overflowing = page.evaluate(OVERFLOW_JS, width) if scroll_width > width else []
        latin: list[str] = []
        if shot.lang is None:
            text = page.inner_text("body")
            words = re.findall(r"[A-Za-z][A-Za-z_'.\-]*[A-Za-z0-9]|[A-Za-z]", text)
            latin = sorted({w for w in words if not LATIN_ALLOWED.match(w)})
        return Outcome(
            shot, width, file, response.status if response else None, scroll_width, overflowing, latin
        )
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8765")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write PNGs ({DEFAULT_OUT})")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    server_errors: list[str] = []
    failures: list[str] = []
    outcomes: list[Outcome] = []

    def watch(response: Response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="shots-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=args.chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            java_script_enabled=False,
            locale="zh-CN",
            viewport={"width": WIDTHS[0], "height": HEIGHT},
        )
        context.on("response", watch)
        try:
            for width in WIDTHS:
                for shot in SHOTS:
                    try:
                        outcomes.append(capture(context, base, shot, width, out))
                    except Exception as exc:  # report every page, then fail at the end
                        failures.append(f"{shot.name} at {width}px: {exc}")
        finally:
            context.close()

    for o in outcomes:
        flag = "" if o.scroll_width <= o.width else f"  SCROLLS SIDEWAYS (scrollWidth {o.scroll_width})"
        print(f"{o.status}  {o.width:>4}px  {o.shot.path:<24} {o.file}{flag}")
        for element in o.overflowing:
            print(f"        overflows: {element}")
        if o.latin:
            print(f"        Latin text on a Chinese page: {' '.join(o.latin)}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    for error in server_errors:
        print(f"SERVER ERROR: {error}", file=sys.stderr)
    return 1 if server_errors or failures else 0


if __name__ == "__main__":
    sys.exit(main())
