"""Steps several journeys share: the administrator setting up an organization through /admin/,
its boards, and people registering."""

from __future__ import annotations

from playwright.sync_api import Locator, expect

from tests.e2e.conftest import PASSWORD, Journey, Person


def section(person: Person, heading: str) -> Locator:
    """The card of a page that a heading names: pages with several forms are read by section."""
    page = person.page
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def admin(journey: Journey) -> Person:
    """The administrator the CLI made, logged in through the login page."""
    person = journey.person("admin")
    person.log_in("admin")
    assert PASSWORD
    return person


def create_organization(admin: Person, name: str, slug: str) -> None:
    admin.open("/admin/")
    form = section(admin, admin.t("Organizations"))
    admin.field(admin.t("Organization name"), form).fill(name)
    admin.field(admin.t("Web address"), form).fill(slug)
    admin.field(admin.t("Description"), form).fill(name)
    admin.look("admin")
    admin.press(admin.t("Create organization"), form)
    expect(admin.page).to_have_url(f"{admin.journey.site.url}/o/{slug}/")
    admin.heading(name)


def grant(admin: Person, username: str, org_name: str, role: str) -> None:
    """role: member, moderator or secretary, as the administrator's form offers them."""
    admin.open("/admin/")
    form = section(admin, admin.t("Roles"))
    admin.field(admin.t("Username"), form).fill(username)
    admin.field(admin.t("Organization"), form).select_option(label=org_name)
    admin.field(admin.t("Role"), form).select_option(label=admin.t(role))
    admin.press(admin.t("Set role"), form)
    expect(admin.page.get_by_role("status")).to_contain_text(
        admin.t("Saved. The change is recorded in the audit log.")
    )


def create_board(admin: Person, org_slug: str, name: str, slug: str, moderators: str = "") -> None:
    admin.open(f"/forum/manage/{org_slug}/")
    form = section(admin, admin.t("New board"))
    admin.field(admin.t("Name"), form).fill(name)
    admin.field(admin.t("Web address"), form).fill(slug)
    admin.field(admin.t("Moderators (usernames)"), form).fill(moderators)
    admin.look("manage-boards")
    admin.press(admin.t("Create the board"), form)
    expect(admin.link(name)).to_be_visible()


def newcomer(journey: Journey, who: str, display_name: str = "") -> Person:
    """Someone who registers on the register page (and stays logged in)."""
    person = journey.person(who)
    person.register(journey.unique(who), display_name=display_name or who)
    return person
