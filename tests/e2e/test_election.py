"""Journey d: an election from the vacant post to the verified record, and the keyboard-only ballot.

A secretary publishes a vacant post and creates its election; members nominate; the secretary
reviews each nominee, the nominees accept, the list is fixed (publicity of 0 days); two officials
open the vote; everyone checks in and votes (ballot, review, cast, receipt), one voter with the
keyboard alone; two officials close it early; the secretary counts and a second official
publishes; anyone reads the results and finds a ballot by its receipt; and the operator's
`grassroots election export` then `grassroots election verify` succeed on the record.

The nomination window is counted in whole days and can only be ended after it: like the HTTP
tests (tests/voting), the journey moves that one time past in the database, the server's clock
being out of a browser's reach. Everything else is done on the pages.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta

from playwright.sync_api import Locator, expect

from tests.e2e import steps
from tests.e2e.conftest import Journey, Person

# username stem → display name; the first two are the officials, m1 and m2 stand.
PEOPLE = {"sec1": "李书记", "sec2": "王委员", "m1": "赵一", "m2": "钱二", "m3": "孙三"}
ROLES = {"sec1": "secretary", "sec2": "secretary", "m1": "member", "m2": "member", "m3": "member"}
# Who approves whom; the keyboard voter is m3.
VOTES = {"sec1": "m1", "sec2": "m1", "m1": "m1", "m2": "m2"}
KEYBOARD_VOTER = "m3"


def end_nomination_window(journey: Journey, election_id: int) -> None:
    """Move the nomination window's end a day back, as tests/voting does (see the docstring)."""
    with sqlite3.connect(journey.site.data_dir / "grassroots.db") as db:
        (stored,) = db.execute(
            "SELECT nomination_ends_at FROM voting_elections WHERE id = ?", (election_id,)
        ).fetchone()
        earlier = datetime.fromisoformat(stored) - timedelta(days=1, seconds=1)
        db.execute(
            "UPDATE voting_elections SET nomination_ends_at = ? WHERE id = ?",
            (earlier.strftime("%Y-%m-%d %H:%M:%S.%f"), election_id),
        )


def candidate(person: Person, name: str) -> Locator:
    return person.page.locator("#candidates > li").filter(has=person.page.get_by_text(name, exact=True))


def publish_vacant_post(secretary: Person, org_name: str) -> int:
    secretary.open("/disclosure/")
    secretary.look("disclosure-index")
    publish = secretary.page.locator("form.filters.card")
    secretary.field(secretary.t("Organization"), publish).select_option(label=org_name)
    secretary.field(secretary.t("Kind"), publish).select_option(label=secretary.t("Vacant post"))
    secretary.press(secretary.t("Write it"), publish)
    today = date.today()
    secretary.field(secretary.t("Title")).fill("支部委员会委员")
    secretary.field(secretary.t("Duties")).fill("负责组织生活和党员教育。")
    secretary.field(secretary.t("Requirements")).fill("正式党员，党龄三年以上。")
    secretary.field(secretary.t("Seats")).fill("1")
    secretary.field(secretary.t("Nomination opens")).fill(today.isoformat())
    secretary.field(secretary.t("Nomination closes")).fill((today + timedelta(days=7)).isoformat())
    secretary.look("disclosure-publish")
    secretary.press(secretary.t("Publish"), secretary.page.locator("main"))
    expect(secretary.page).to_have_url(re.compile(r"/disclosure/posts/\d+$"))
    secretary.heading("支部委员会委员")
    secretary.look("disclosure-post")
    return int(secretary.page.url.rsplit("/", 1)[1])


def create_election(secretary: Person, org: str, post_id: int) -> int:
    secretary.link(secretary.t("Elections"), secretary.page.locator("header")).click()
    secretary.look("elections")
    secretary.page.locator("main").locator(f'a[href="/elections/new?org={org}"]').click()
    secretary.field(secretary.t("Title")).fill("支部委员会委员选举")
    secretary.field(secretary.t("Number of the vacant post in the disclosure area (optional)")).fill(
        str(post_id)
    )
    secretary.field(secretary.t("Seats")).fill("1")
    secretary.field(secretary.t("Nominations each person may make")).fill("2")
    secretary.field(secretary.t("Nomination window in days")).fill("1")
    secretary.field(secretary.t("Publicity period in days")).fill("0")
    secretary.field(secretary.t("Voting time in minutes")).fill("60")
    secretary.field(secretary.t("A receipt finds how its ballot was marked")).check()
    secretary.look("election-new")
    secretary.press(secretary.t("Create the election"))
    expect(secretary.page).to_have_url(re.compile(r"/elections/\d+$"))
    return int(secretary.page.url.rsplit("/", 1)[1])


def nominate(person: Person, election_id: int, name: str, reason: str) -> None:
    person.open(f"/elections/{election_id}")
    with person.page.expect_navigation():
        person.link(person.t("Nominate"), person.page.locator("main")).click()
    person.field(person.t("Find a member by name")).fill(name)
    person.press(person.t("Find"))
    person.page.get_by_label(re.compile(rf"^{name}\s")).check()
    person.field(person.t("Why you recommend them")).fill(reason)
    person.look("nominate")
    person.press(person.t("Nominate"), person.page.locator("main form[method=post]"))
    expect(person.page.locator("main")).to_be_visible()


def run(person: Person, election_id: int, action: str) -> None:
    """A button in the secretary's card of the election page."""
    person.open(f"/elections/{election_id}")
    person.press(action, person.page.locator("#secretary"))


def vote_with_the_mouse(person: Person, election_id: int, approve: str) -> str:
    person.open(f"/elections/{election_id}")
    with person.page.expect_navigation():
        person.link(person.t("Check in")).click()
    person.look("checkin")
    person.press(person.t("I am present"))
    expect(person.page).to_have_url(re.compile(rf"/elections/{election_id}/ballot$"))
    person.heading(person.t("Ballot"))
    person.look("ballot")
    for name in PEOPLE.values():
        group = person.page.get_by_role("group", name=re.compile(rf"^{name}"))
        if group.count():
            mark = person.t("Approve") if name == approve else person.t("Disapprove")
            group.get_by_label(mark, exact=True).check()
    person.press(person.t("Review my ballot"))
    person.heading(person.t("Check your ballot"))
    person.look("ballot-review")
    person.press(person.t("Cast my ballot"))
    person.heading(person.t("Your ballot is cast"))
    person.look("receipt-given")
    return person.page.locator("#receipt-code").inner_text().strip()


FOCUSED_JS = (
    "() => { const e = document.activeElement; return e ? (e.id || e.name || e.textContent.trim()) : ''; }"
)


def focused(person: Person) -> str:
    return person.page.evaluate(FOCUSED_JS)


def tab_to(person: Person, wanted: re.Pattern[str], limit: int = 80) -> str:
    """Press Tab until the focus is on an element whose id matches (as a person tabs through)."""
    for _ in range(limit):
        person.page.keyboard.press("Tab")
        now = focused(person)
        if wanted.fullmatch(now):
            return now
    raise AssertionError(f"Tab never reached {wanted.pattern}; the focus is on {focused(person)}")


def mark_with_keys(person: Person, key: str, mark: str) -> None:
    """In a candidate's radio group: Tab into it, then arrows (which also check) or Space."""
    order = ["approve", "disapprove", "abstain"]
    now = tab_to(person, re.compile(rf"m-{key}-(approve|disapprove|abstain)"))
    steps_right = order.index(mark) - order.index(now.rsplit("-", 1)[1])
    for _ in range(abs(steps_right)):
        person.page.keyboard.press("ArrowRight" if steps_right > 0 else "ArrowLeft")
    assert focused(person) == f"m-{key}-{mark}"
    person.page.keyboard.press("Space")
    expect(person.page.locator(f"#m-{key}-{mark}")).to_be_checked()


def vote_with_the_keyboard(person: Person, election_id: int) -> str:
    """Check in, mark every candidate, review and cast with Tab, arrows, Space and Enter only."""
    person.open(f"/elections/{election_id}/checkin")
    tab_to(person, re.compile(re.escape(person.t("I am present"))))
    with person.page.expect_navigation():
        person.page.keyboard.press("Enter")
    person.open(f"/elections/{election_id}/ballot")
    keys = [
        name.removeprefix("mark-")
        for name in person.page.locator("input[type=radio][value=approve]").evaluate_all(
            "(inputs) => inputs.map((i) => i.name)"
        )
    ]
    assert len(keys) == 2
    marks = ["approve", "abstain"]
    for key, mark in zip(keys, marks, strict=True):
        mark_with_keys(person, key, mark)
    expect(person.page.locator("#approval-count")).to_be_visible()  # ballot.js counts, under the CSP
    assert tab_to(person, re.compile("step")) == "step"
    expect(person.page.get_by_role("button", name=person.t("Review my ballot"))).to_be_focused()
    with person.page.expect_navigation():
        person.page.keyboard.press("Enter")
    person.heading(person.t("Check your ballot"))
    tab_to(person, re.compile("step"))
    expect(person.page.get_by_role("button", name=person.t("Cast my ballot"))).to_be_focused()
    with person.page.expect_navigation():
        person.page.keyboard.press("Enter")
    person.heading(person.t("Your ballot is cast"))
    return person.page.locator("#receipt-code").inner_text().strip()


def test_an_election_from_vacant_post_to_verified_result(journey: Journey, tmp_path) -> None:  # type: ignore[no-untyped-def]
    journey.typed({f"p{n}": name for n, name in enumerate(PEOPLE.values())})
    org_name = journey.typed({"org": f"红星支部{journey.width}"})["org"]
    org = journey.unique("hongxing")
    people = {stem: steps.newcomer(journey, stem, display) for stem, display in PEOPLE.items()}
    admin = steps.admin(journey)
    steps.create_organization(admin, org_name, org)
    for stem, role in ROLES.items():
        steps.grant(admin, journey.unique(stem), org_name, role)
    sec1, sec2 = people["sec1"], people["sec2"]

    post_id = publish_vacant_post(sec1, org_name)
    election_id = create_election(sec1, org, post_id)
    sec1.look("election-draft")
    run(sec1, election_id, sec1.t("Open nomination"))
    nominate(people["m3"], election_id, PEOPLE["m1"], "群众基础好，办事公道。")
    nominate(people["m3"], election_id, PEOPLE["m2"], "熟悉党务工作。")
    nominate(people["sec2"], election_id, PEOPLE["m1"], "工作认真负责。")
    end_nomination_window(journey, election_id)
    run(sec1, election_id, sec1.t("End nomination and publish the counts"))

    for name in (PEOPLE["m1"], PEOPLE["m2"]):
        row = candidate(sec1, name)
        expect(row.locator("details.reasons")).to_be_attached()
        row.get_by_label(sec1.t("Qualified"), exact=True).check()
        sec1.field(sec1.t("Biography for the profile, or why the nominee does not qualify"), row).fill(
            f"{name}，2010 年入党，现任楼栋长。"
        )
        sec1.press(sec1.t("Record the review"), row)
    sec1.look("election-review")
    for stem in ("m1", "m2"):
        nominee = people[stem]
        nominee.open(f"/elections/{election_id}")
        nominee.look("election-nominee")
        nominee.press(nominee.t("I accept"), nominee.page.locator("#my-answer"))
        expect(nominee.page.locator("#my-answer")).to_contain_text(nominee.t("You accepted standing."))
    run(sec1, election_id, sec1.t("Fix the candidate list and start publicity"))
    sec1.look("election-publicity")
    with sec1.page.expect_navigation():
        candidate(sec1, PEOPLE["m1"]).get_by_role("link", name=sec1.t("Profile")).click()
    expect(sec1.page.locator("main")).to_contain_text("2010 年入党")
    sec1.look("disclosure-candidate")

    run(sec1, election_id, sec1.t("Ask for: %(step)s", step=sec1.t("Open voting")))
    run(sec2, election_id, sec2.t("Confirm: %(step)s", step=sec2.t("Open voting")))
    expect(sec2.page.locator("#turnout")).to_be_visible()
    sec2.look("election-voting")

    receipts = {
        stem: vote_with_the_mouse(people[stem], election_id, PEOPLE[whom]) for stem, whom in VOTES.items()
    }
    receipts[KEYBOARD_VOTER] = vote_with_the_keyboard(people[KEYBOARD_VOTER], election_id)
    people[KEYBOARD_VOTER].look("receipt-given-keyboard")

    run(sec1, election_id, sec1.t("Ask for: %(step)s", step=sec1.t("Close voting early")))
    run(sec2, election_id, sec2.t("Confirm: %(step)s", step=sec2.t("Close voting early")))
    run(sec1, election_id, sec1.t("Count the ballots"))
    run(sec1, election_id, sec1.t("Ask for: %(step)s", step=sec1.t("Publish the result")))
    run(sec2, election_id, sec2.t("Confirm: %(step)s", step=sec2.t("Publish the result")))

    public = journey.person("public")
    public.open(f"/elections/{election_id}")
    public.look("election-published")
    with public.page.expect_navigation():
        public.link(public.t("Results")).click()
    expect(public.page.locator("#outcome")).to_have_text(public.t("Every seat is filled."))
    expect(public.page.locator("#elected")).to_contain_text(PEOPLE["m1"])
    public.look("results")
    public.open(f"/elections/{election_id}/receipt")
    public.field(public.t("Receipt")).fill(receipts[KEYBOARD_VOTER])
    public.press(public.t("Find"))
    expect(public.page.locator("#found")).to_contain_text(public.t("Approve"))
    public.look("receipt-lookup")
    public.open("/elections/")
    expect(public.link("支部委员会委员选举").first).to_be_visible()
    public.look("elections-index")

    record = tmp_path / "record"
    exported = journey.site.cli("election", "export", str(election_id), str(record))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    verified = journey.site.cli("election", "verify", str(record), "--receipt", receipts["m1"])
    assert verified.returncode == 0, verified.stdout + verified.stderr
