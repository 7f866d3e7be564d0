"""Journey a: a resident registers, posts a thread and a nested reply, and the public reads them.

The organization's numbers are set so that a newcomer's first posts appear at once (journey b
is the one where they wait for a moderator)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.conftest import Journey, Person


def _words(journey: Journey) -> dict[str, str]:
    if journey.lang == "en":
        return {
            "org": f"Sunrise Community {journey.width}",
            "board": f"Neighbourhood talk {journey.width}",
            "title": "Fix the lift in building 3",
            "body": "The lift has been **broken** for a week.",
            "reply": "I called the property office today.",
            "nested": "They promised Friday.",
        }
    return journey.typed(
        {
            "org": f"阳光社区{journey.width}",
            "board": f"邻里议事{journey.width}",
            "title": "三号楼电梯坏了",
            "body": "电梯已经**坏了一周**。",
            "reply": "我今天打了物业电话。",
            "nested": "物业答应周五修好。",
        }
    )


def _forum_for_newcomers(journey: Journey, words: dict[str, str]) -> tuple[str, str]:
    admin = steps.admin(journey)
    org, board = journey.unique("sunrise"), journey.unique("talk")
    steps.create_organization(admin, words["org"], org)
    steps.create_board(admin, org, words["board"], board)
    admin.open(f"/moderation/rules/{org}")
    admin.field(admin.t("How many first posts of a new account a moderator reads before they appear")).fill(
        "0"
    )
    admin.look("moderation-numbers")
    admin.press(admin.t("Save"), admin.page.locator("main"))
    return org, board


def reply_to(person: Person, floor: int, text: str) -> None:
    post = person.page.locator(f"#floor-{floor}")
    with person.page.expect_navigation():
        person.link(person.t("Reply"), post).click()
    person.heading(person.t("Reply"))
    person.field(person.t("Your reply")).fill(text)
    person.press(person.t("Preview"))
    expect(person.page.get_by_role("region", name=person.t("Preview"))).to_contain_text(text)
    person.look("reply-preview")
    person.press(person.t("Publish"))


def run_forum_journey(journey: Journey) -> None:
    words = _words(journey)
    org, board = _forum_for_newcomers(journey, words)
    resident = steps.newcomer(journey, "resident")
    resident.look("me")

    resident.open("/forum/")
    resident.look("forum-index")
    with resident.page.expect_navigation():
        resident.link(words["board"]).click()
    resident.heading(words["board"])
    resident.look("board")
    with resident.page.expect_navigation():
        resident.link(resident.t("New thread")).click()
    resident.field(resident.t("Title")).fill(words["title"])
    resident.field(resident.t("Question for the solicitation, or what you want to say")).fill(words["body"])
    resident.look("new-thread")
    resident.press(resident.t("Publish"))
    expect(resident.page).to_have_url(re.compile(r"/forum/t/\d+"))
    resident.heading(words["title"])
    thread_url = resident.page.url

    reply_to(resident, 1, words["reply"])
    expect(resident.page.locator("#floor-2")).to_contain_text(words["reply"])
    reply_to(resident, 2, words["nested"])
    nested = resident.page.locator("#floor-3")
    expect(nested).to_contain_text(words["nested"])
    resident.look("thread")

    public = journey.person("public")
    public.open(thread_url)
    public.heading(words["title"])
    expect(public.page.locator("#floor-1 .post-body strong")).to_be_visible()  # Markdown, rendered
    # The nested reply sits inside the tree, one level deeper than the reply it answers.
    expect(public.page.locator("li.post.d1#floor-2")).to_contain_text(words["reply"])
    expect(public.page.locator("li.post.d2#floor-3")).to_contain_text(words["nested"])
    public.look("thread-public")
    public.open(f"/o/{org}/")
    expect(public.link(words["title"])).to_be_visible()
    public.look("org-front")
    public.open(f"/forum/{board}/")
    expect(public.link(words["title"])).to_be_visible()


def test_a_resident_registers_posts_a_thread_and_a_nested_reply(journey: Journey) -> None:
    run_forum_journey(journey)


def test_the_same_in_english(journey_en: Journey) -> None:
    run_forum_journey(journey_en)
