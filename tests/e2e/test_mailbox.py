"""Journey c: someone writes to the secretary anonymously, the secretary accepts and replies, and
the writer reads the reply with the tracking code and rates it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import steps
from tests.e2e.conftest import Journey


def test_an_anonymous_letter_is_answered_and_rated(journey: Journey) -> None:
    words = journey.typed(
        {"org": f"幸福社区{journey.width}", "subject": "路灯不亮", "body": "五号楼前的路灯坏了两周。",
         "reply": "已联系物业，本周内修好。"}
    )  # fmt: skip
    org = journey.unique("xingfu")
    secretary = steps.newcomer(journey, "secretary")
    admin = steps.admin(journey)
    steps.create_organization(admin, words["org"], org)
    steps.grant(admin, journey.unique("secretary"), words["org"], "secretary")

    writer = journey.person("writer")
    writer.open("/mailbox/")
    writer.look("mailbox")
    with writer.page.expect_navigation():
        writer.link(writer.t("Write to the secretary"), writer.page.locator("main")).first.click()
    writer.field(writer.t("To the secretary of")).select_option(label=words["org"])
    writer.field(writer.t("Kind of letter")).select_option(label=writer.t("Problem report"))
    writer.field(writer.t("Subject")).fill(words["subject"])
    writer.field(writer.t("Your letter")).fill(words["body"])
    writer.page.get_by_label(
        writer.t("Write anonymously: keep no account, address or contact with the letter")
    ).check()
    writer.look("mailbox-write")
    writer.press(writer.t("Send the letter"))
    notice = writer.page.get_by_role("status")
    expect(notice).to_contain_text(
        writer.t(
            "Your letter was sent. Keep this tracking code: it is the only way to follow an anonymous letter."
        )
    )
    code = notice.locator(".tracking-code").inner_text().strip()
    assert code
    writer.look("mailbox-sent")

    secretary.open("/mailbox/inbox")
    secretary.look("mailbox-inbox")
    with secretary.page.expect_navigation():
        secretary.link(words["subject"]).click()
    expect(secretary.page.locator("main")).to_contain_text(words["body"])
    secretary.look("mailbox-inbox-letter")
    status = steps.section(secretary, secretary.t("Change the status"))
    secretary.field(secretary.t("New status"), status).select_option(label=secretary.t("Accepted"))
    secretary.press(secretary.t("Change"), status)
    reply = steps.section(secretary, secretary.t("Reply to the writer"))
    secretary.field(secretary.t("Reply"), reply).fill(words["reply"])
    secretary.press(secretary.t("Send the reply"), reply)
    expect(secretary.page.locator("main")).to_contain_text(words["reply"])

    writer.open("/mailbox/track")
    writer.look("mailbox-track-form")
    writer.field(writer.t("Tracking code")).fill(code)
    writer.press(writer.t("Look up"))
    expect(writer.page.locator("main")).to_contain_text(words["reply"])
    writer.look("mailbox-track")
    rate = writer.page.locator("#rate")
    rate.get_by_label(writer.t("Satisfied"), exact=True).check()
    rate.get_by_label(writer.t("Yes"), exact=True).check()
    writer.press(writer.t("Rate the reply"), rate)
    expect(writer.page.locator("#rate")).to_have_count(0)
    expect(writer.page.locator("main")).to_contain_text(writer.t("Satisfied"))
    writer.look("mailbox-rated")
