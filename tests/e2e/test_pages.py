"""The kinds of page the journeys do not pass, looked at (axe, width, language) in both languages:
the front page, error pages, the audit log, search, an administrator's organization page and
watched words, and a notice with its history."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.conftest import Journey


def run_pages(journey: Journey) -> None:
    english = journey.lang == "en"
    org_name = (
        f"Harbour Branch {journey.width}"
        if english
        else journey.typed({"o": f"港湾支部{journey.width}"})["o"]
    )
    title = "Decision on parking fees" if english else journey.typed({"t": "关于停车收费的决议"})["t"]
    org = journey.unique("harbour")
    admin = steps.admin(journey)
    steps.create_organization(admin, org_name, org)
    admin.look("org-front-admin")
    admin.open("/admin/")
    with admin.page.expect_navigation():
        admin.page.locator("main").get_by_role("link", name=org_name, exact=True).locator(
            "xpath=.."
        ).get_by_role("link", name=admin.t("edit")).click()
    admin.look("admin-org-edit")
    admin.open("/moderation/words")
    admin.look("moderation-words")
    admin.open(f"/disclosure/new?kind=notices&org={org}")
    admin.field(admin.t("Title")).fill(title)
    admin.field(admin.t("Text")).fill(title + (". Approved." if english else "。通过。"))
    admin.press(admin.t("Publish"), admin.page.locator("main"))
    expect(admin.page).to_have_url(re.compile(r"/disclosure/notices/\d+/media$"))
    admin.look("disclosure-media")
    admin.open(admin.page.url.removesuffix("/media"))
    admin.heading(title)
    admin.look("disclosure-notice")
    with admin.page.expect_navigation():
        admin.link(admin.t("History")).first.click()
    admin.look("disclosure-history")

    public = journey.person("public")
    for path, name, status in (
        ("/", "front", 200),
        ("/audit/", "audit", 200),
        ("/forum/search?q=" + ("parking" if english else "停车"), "search", 200),
        ("/no-such-page", "not-found", 404),
        ("/elections/99999", "election-not-found", 404),
    ):
        response = public.page.goto(path) if public.language_chosen else None
        if response is None:
            public.open(path)
            response = public.page.goto(path)
        assert response is not None and response.status == status, (path, response and response.status)
        public.look(name)


def test_the_other_kinds_of_page(journey: Journey) -> None:
    run_pages(journey)


def test_the_other_kinds_of_page_in_english(journey_en: Journey) -> None:
    run_pages(journey_en)
