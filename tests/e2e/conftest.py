"""Journeys in a real browser: Debian's Chromium driven by Playwright against `grassroots serve`.

One server for the session: the real command line, as a subprocess on a free port, on a fresh
SQLite database in a temporary data directory. Only the administrator is made with the CLI
(`grassroots user add … --password-stdin`); everything else (organizations, roles, boards,
accounts) is done through the site's own pages, as people would.

Each person in a journey is a browser context of their own (own cookies), at the journey's
width (360 px phone or 1280 px desktop) and language. `Person.look(name)` is called on every
page a journey passes: it saves a full-page screenshot under var/e2e-shots/, runs axe-core on
the page, checks the page does not scroll sideways and, in English, that no Chinese text is
left. What it finds is collected and fails the test at its end, all of it at once.

The site's Content-Security-Policy allows scripts only from 'self', so axe-core cannot be
injected as inline content. Instead of turning CSP off (`bypass_csp`), each context answers a
same-origin address (/__e2e__/axe.min.js) with the installed axe-core file through
`context.route`: the page loads it as any script of its own and the real CSP stays on for the
whole journey (the ballot's own script is tested under it too).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, expect, sync_playwright

from grassroots.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
AXE_FILE = Path(os.environ.get("GRASSROOTS_E2E_AXE", ROOT / "var/e2e-node/node_modules/axe-core/axe.min.js"))
SHOTS = Path(os.environ.get("GRASSROOTS_E2E_SHOTS", ROOT / "var/e2e-shots"))
CHROMIUM = os.environ.get("GRASSROOTS_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
GRASSROOTS = Path(sys.executable).with_name("grassroots")
PASSWORD = "e2e-password-123"
SECRET_KEY = "e2e-fixed-secret-key-not-for-production"
HEIGHT = 800
TIMEOUT_MS = 15_000
AXE_PATH = "/__e2e__/axe.min.js"
# axe impacts that fail a test; "minor" and "moderate" are printed only.
FAILING_IMPACTS = ("serious", "critical")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

WIDTHS = [pytest.param(360, id="phone"), pytest.param(1280, id="desktop")]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


@dataclass
class Site:
    url: str
    env: dict[str, str]
    data_dir: Path
    # What the Chinese journeys typed: it shows on shared pages (lists of organizations, boards)
    # of the English ones too, and is data, not an untranslated string.
    chinese_data: set[str] = field(default_factory=set)

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run the grassroots command on the site's data directory, as its operator would."""
        return subprocess.run(
            [str(GRASSROOTS), *args], input=stdin, env=self.env, capture_output=True, text=True, timeout=120
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"grassroots serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"grassroots serve did not answer {url}/healthz within {seconds} s")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.update(
        GRASSROOTS_DATA_DIR=str(data_dir),
        GRASSROOTS_SECRET_KEY=SECRET_KEY,
        # Cheap argon2: the real parameters cost ~50 ms a hash, and the journeys log in often.
        GRASSROOTS_ARGON2_TIME_COST="1",
        GRASSROOTS_ARGON2_MEMORY_KIB="1024",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env["GRASSROOTS_SITE_URL"] = url
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(GRASSROOTS), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_up(url, server)
        made = Site(url, env, data_dir).cli("user", "add", "admin", "--role", "admin", "--password-stdin",
                                             stdin=PASSWORD + "\n")  # fmt: skip
        assert made.returncode == 0, made.stderr
        yield Site(url, env, data_dir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        print((data_dir / "serve.log").read_text()[-4000:], file=sys.stderr)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk", pytrace=False)
    if not AXE_FILE.exists():
        pytest.fail(f"no axe-core at {AXE_FILE}: run `make e2e`, which installs it", pytrace=False)
    # Playwright gives every launch a fresh profile directory of its own and removes it afterwards
    # (it refuses --user-data-dir among the arguments of launch()).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", autouse=True)
def fresh_shots() -> None:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)


# ---------------------------------------------------------------- people


@dataclass
class Findings:
    """What the pages of one test did wrong, reported together when the test ends."""

    problems: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: Counter[str] = field(default_factory=Counter)
    minor: set[str] = field(default_factory=set)  # axe's "moderate" and "minor": printed only

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


class Person:
    """Someone at a browser: their own context and page, at the journey's width and language."""

    def __init__(self, journey: Journey, name: str) -> None:
        self.journey = journey
        self.name = name
        self.context: BrowserContext = journey.browser.new_context(
            base_url=journey.site.url,
            viewport={"width": journey.width, "height": HEIGHT},
            locale="zh-CN",
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route(f"{journey.site.url}{AXE_PATH}", _serve_axe)
        self.context.on("response", self._watch)
        self.page: Page = self.context.new_page()
        self.language_chosen = journey.lang == "zh_CN"

    def _watch(self, response: Response) -> None:
        if response.status >= 500:
            self.journey.findings.add(
                self.name, f"{response.status} from {response.request.method} {response.url}"
            )

    def t(self, message: str, **variables: Any) -> str:
        return self.journey.t(message, **variables)

    # -------------------------------------------------------- moving about

    def open(self, path: str) -> Page:
        self.page.goto(path)
        if not self.language_chosen:
            # The language switch at the foot of every page, as a person would use it.
            self.page.get_by_role("link", name="English", exact=True).click()
            expect(self.page.locator("html")).to_have_attribute("lang", "en")
            self.language_chosen = True
        return self.page

    def button(self, name: str, within: Locator | Page | None = None) -> Locator:
        return (within or self.page).get_by_role("button", name=name, exact=True)

    def link(self, name: str, within: Locator | Page | None = None) -> Locator:
        return (within or self.page).get_by_role("link", name=name, exact=True)

    def field(self, label: str, within: Locator | Page | None = None) -> Locator:
        return (within or self.page).get_by_label(label, exact=True)

    def press(self, name: str, within: Locator | Page | None = None) -> None:
        """Click a button that sends a form, and wait for the page it leads to."""
        button = self.button(name, within)
        # Headless Chromium at 360 px, after a full-page screenshot, drops a click on a button far
        # down the page while a number field still has the focus (the click sends nothing). The
        # focus moved to the button first, as a tap moves it, the click goes through.
        button.focus()
        with self.page.expect_navigation():
            button.click()

    def heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def register(self, username: str, display_name: str = "") -> None:
        self.open("/register")
        self.field(self.t("Username")).fill(username)
        self.field(self.t("Name shown to others")).fill(display_name or username)
        self.field(self.t("Password")).fill(PASSWORD)
        self.press(self.t("Register"), self.page.locator("main"))
        expect(self.page.get_by_role("link", name=display_name or username, exact=True)).to_be_visible()

    def log_in(self, username: str) -> None:
        self.open("/login")
        self.look("login")
        self.field(self.t("Username")).fill(username)
        self.field(self.t("Password")).fill(PASSWORD)
        self.press(self.t("Log in"), self.page.locator("main"))
        expect(self.page.get_by_role("button", name=self.t("Log out"))).to_be_visible()

    # -------------------------------------------------------- looking at a page

    def look(self, name: str) -> None:
        """Screenshot the page, run axe-core on it, and check its width and its language."""
        journey = self.journey
        journey.findings.pages += 1
        where = f"{self.name} on {name} ({self.page.url})"
        shot = SHOTS / f"{journey.slug}-{journey.findings.pages:02d}-{name}.png"
        started = time.monotonic()
        self.page.screenshot(path=str(shot), full_page=True)
        journey.findings.seconds["screenshot"] += time.monotonic() - started
        wide = int(self.page.evaluate("document.documentElement.scrollWidth"))
        if wide > journey.width:
            journey.findings.add(where, f"scrolls sideways: {wide} px wide at {journey.width} px")
        started = time.monotonic()
        for violation in self.axe():
            journey.findings.add(where, violation)
        journey.findings.seconds["axe"] += time.monotonic() - started
        if journey.lang == "en":
            text = self.page.evaluate(_TEXT_OUTSIDE_CHINESE_JS)
            for typed in sorted(journey.site.chinese_data, key=len, reverse=True):
                text = text.replace(typed, "")
            left = HAN.findall(text)
            if left:
                journey.findings.add(where, f"Chinese text on an English page: {''.join(left)[:60]}")

    def axe(self) -> list[str]:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(url=AXE_PATH)
        results = self.page.evaluate(_AXE_RUN_JS)
        found = []
        for v in results:
            targets = "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
            line = f"axe {v['id']} ({v['impact']}) at {targets}: {v['help']}"
            if v["impact"] in FAILING_IMPACTS:
                found.append(line)
            else:
                self.journey.findings.minor.add(line)
        return found

    def close(self) -> None:
        self.context.close()


def _serve_axe(route: Any) -> None:
    route.fulfill(path=str(AXE_FILE), content_type="application/javascript")


_AXE_RUN_JS = """
async () => {
  const results = await axe.run(document, {
    resultTypes: ['violations'],
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.map(String)})),
  }));
}
"""

# The page's visible text, leaving out what is marked as Chinese on purpose (the language switch)
# and, in the main part, links, posts and codes: on shared pages (the front page, the audit log)
# those are what other journeys wrote, in Chinese; the header's and footer's links stay checked.
_TEXT_OUTSIDE_CHINESE_JS = """
() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang^="zh"], main a, main .post-body, main code').forEach((el) => el.remove());
  return body.innerText || body.textContent;
}
"""


@dataclass
class Journey:
    """One run of a journey: its width, language, people and what went wrong."""

    site: Site
    browser: Browser
    width: int
    lang: str
    slug: str
    findings: Findings = field(default_factory=Findings)
    people: list[Person] = field(default_factory=list)

    def person(self, name: str) -> Person:
        someone = Person(self, name)
        self.people.append(someone)
        return someone

    def t(self, message: str, **variables: Any) -> str:
        text = translations(self.lang).gettext(message)
        return text % variables if variables else text

    def typed(self, words: dict[str, str]) -> dict[str, str]:
        """Note what a journey will type (Markdown marks taken off, as the page shows it)."""
        if self.lang != "en":
            self.site.chinese_data.update(re.sub(r"[*_>#-]", "", w).strip() for w in words.values())
        return words

    def unique(self, stem: str) -> str:
        """A name of this run only: the journeys share one database."""
        return f"{stem}-{self.width}-{'en' if self.lang == 'en' else 'zh'}"


def make_journey(
    request: pytest.FixtureRequest, site: Site, browser: Browser, width: int, lang: str
) -> Iterator[Journey]:
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    journey = Journey(site, browser, width, lang, slug=name)
    yield journey
    for someone in journey.people:
        # Where each person ended: the page to look at when a journey fails.
        someone.page.screenshot(path=str(SHOTS / f"{journey.slug}-last-{someone.name}.png"), full_page=True)
        print(f"{journey.slug}: {someone.name} ended on {someone.page.url}")
        someone.close()
    spent = ", ".join(f"{what} {seconds:.1f} s" for what, seconds in journey.findings.seconds.items())
    print(f"{journey.slug}: {journey.findings.pages} pages looked at; {spent}")
    for line in sorted(journey.findings.minor):
        print(f"  not failing: {line}")
    if journey.findings.problems:
        problems = "\n  ".join(journey.findings.problems)
        pytest.fail(
            f"{len(journey.findings.problems)} problems on the pages passed:\n  {problems}", pytrace=False
        )


@pytest.fixture(params=WIDTHS)
def journey(request: pytest.FixtureRequest, site: Site, browser: Browser) -> Iterator[Journey]:
    """A journey in Chinese, the site's first language, at each width."""
    yield from make_journey(request, site, browser, request.param, "zh_CN")


@pytest.fixture(params=WIDTHS)
def journey_en(request: pytest.FixtureRequest, site: Site, browser: Browser) -> Iterator[Journey]:
    """The same journey in English, chosen with the language switch on the page."""
    yield from make_journey(request, site, browser, request.param, "en")
