"""Journey b: a new member's first post is held; a moderator approves it from the queue, and then
the public sees it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.conftest import Journey


def test_a_new_members_post_is_held_until_a_moderator_approves_it(journey: Journey) -> None:
    words = journey.typed(
        {"org": f"和平社区{journey.width}", "board": f"和平议事{journey.width}", "title": "建议增设快递柜",
         "body": "小区门口快递堆放太乱，建议增设快递柜。", "reason": "内容正常"}
    )  # fmt: skip
    org, board = journey.unique("heping"), journey.unique("heping-talk")
    moderator = steps.newcomer(journey, "moderator")
    member = steps.newcomer(journey, "member")
    admin = steps.admin(journey)
    steps.create_organization(admin, words["org"], org)
    steps.grant(admin, journey.unique("moderator"), words["org"], "moderator")
    steps.grant(admin, journey.unique("member"), words["org"], "member")
    steps.create_board(admin, org, words["board"], board, moderators=journey.unique("moderator"))

    member.open(f"/forum/{board}/new")
    member.field(member.t("Title")).fill(words["title"])
    member.field(member.t("Question for the solicitation, or what you want to say")).fill(words["body"])
    member.press(member.t("Publish"))
    expect(member.page).to_have_url(re.compile(r"/forum/t/\d+"))
    thread_url = member.page.url
    expect(member.page.locator("#floor-1")).to_contain_text(
        member.t("Awaiting review: only you can see this post until a moderator approves it.")
    )
    member.look("thread-held")

    public = journey.person("public")
    public.open(f"/forum/{board}/")
    public.heading(words["board"])
    expect(public.link(words["title"])).to_have_count(0)
    public.open(thread_url)
    expect(public.page.get_by_text(words["body"])).to_have_count(0)
    public.look("held-thread-public")

    moderator.page.reload()
    with moderator.page.expect_navigation():
        moderator.link(moderator.t("Moderation"), moderator.page.locator("header")).click()
    moderator.look("moderation-queue")
    with moderator.page.expect_navigation():
        moderator.link(words["title"]).click()
    expect(moderator.page.locator("main")).to_contain_text(words["body"])
    moderator.look("moderation-item")
    moderator.field(moderator.t("Reason (needed to reject or hide)")).fill(words["reason"])
    moderator.press(moderator.t("Approve"))
    moderator.open("/moderation/log")
    expect(moderator.page.locator("main")).to_contain_text(words["reason"])
    moderator.look("moderation-log")

    public.open(f"/forum/{board}/")
    with public.page.expect_navigation():
        public.link(words["title"]).click()
    public.heading(words["title"])
    expect(public.page.locator("#floor-1 .post-body")).to_contain_text(words["body"])
    expect(
        public.page.get_by_text(
            public.t("Awaiting review: only you can see this post until a moderator approves it.")
        )
    ).to_have_count(0)
    public.look("approved-thread-public")
