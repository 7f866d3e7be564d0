"""Every route × every role against DESIGN.md's permission table.

The routes come from the app's routing table, Mounts included: a route this module's table
does not know fails `test_every_route_has_an_expectation`, so a new page cannot ship without
someone deciding who may use it. Each expectation names an example address (filled from the
scene in conftest.py) and the roles that may use it; every other role must be refused the way
the site refuses (403, 404, or a redirect to log in), and nobody ever gets a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from grassroots.app import create_app
from tests.security.conftest import ROLES, Scene, scene_settings, token_of, walk_routes

ALL = frozenset(ROLES)
SIGNED_IN = ALL - {"anonymous"}
MEMBERS = frozenset({"member", "moderator", "secretary", "admin"})
MODERATORS = frozenset({"moderator", "secretary", "admin"})
SECRETARY = frozenset({"secretary", "admin"})
ADMIN = frozenset({"admin"})
# Pages listing the organizations a person runs or moderates: a secretary elsewhere has one.
ANY_SECRETARY = SECRETARY | {"other_secretary"}
ANY_MODERATOR = MODERATORS | {"other_secretary"}
AUTHOR = frozenset({"resident"})  # resident01 wrote the scene's thread, letter, and was warned
# resident01's appeal of a suspension in heping is for heping's moderators to answer
HEPING_MODERATORS = frozenset({"other_secretary", "admin"})
VOTER = frozenset({"member"})  # member01 is on the voter roll, nobody else of the seven is


@dataclass(frozen=True)
class Case:
    """One request: `path` is filled from the scene; `data` is posted with a valid token. A
    request that uses up what it acts on (`once`) is allowed for the first allowed role to try
    it; the next ones may find it gone (404), but are still never served a 500."""

    path: str
    may: frozenset[str]
    data: dict[str, str] = field(default_factory=dict)
    once: bool = False


def case(path: str, may: frozenset[str], **data: str) -> list[Case]:
    return [Case(path, may, data)]


def once(path: str, may: frozenset[str], **data: str) -> list[Case]:
    return [Case(path, may, data, once=True)]


# (method, route pattern) -> the cases that exercise it. Keep it in the routing table's order.
EXPECTED: dict[tuple[str, str], list[Case]] = {
    ("GET", "/"): case("/", ALL),
    ("GET", "/healthz"): case("/healthz", ALL),
    ("GET", "/uploads/{name}"): case("/uploads/{upload}", ALL),
    ("GET", "/lang/{code}"): case("/lang/en?next=/forum/", ALL),
    ("GET", "/audit/"): case("/audit/", ALL),
    ("GET", "/audit/log.json"): case("/audit/log.json", ALL),
    ("GET", "/static/{path}"): case("/static/site.css", ALL),
    # manage organizations, boards, roles, watched words: the site administrator
    ("GET", "/admin/"): case("/admin/", ADMIN),
    ("POST", "/admin/orgs"): case("/admin/orgs", ADMIN),
    ("GET", "/admin/orgs/{org_id}"): case("/admin/orgs/{org_id}", ADMIN),
    ("POST", "/admin/orgs/{org_id}"): case("/admin/orgs/{org_id}", ADMIN),
    ("POST", "/admin/roles"): case("/admin/roles", ADMIN),
    ("POST", "/admin/admins"): case("/admin/admins", ADMIN),
    # accounts: the forms are everyone's; a signed-in person is sent on to /me
    ("GET", "/register"): case("/register", ALL),
    ("POST", "/register"): case("/register", ALL),
    ("GET", "/login"): case("/login", ALL),
    ("POST", "/login"): case("/login", ALL),
    ("POST", "/logout"): case("/logout", ALL),
    ("GET", "/me"): case("/me", SIGNED_IN),
    ("POST", "/me/profile"): case("/me/profile", SIGNED_IN),
    ("POST", "/me/password"): case("/me/password", SIGNED_IN),
    ("POST", "/me/sessions/end-others"): case("/me/sessions/end-others", SIGNED_IN),
    ("POST", "/me/join"): case("/me/join", SIGNED_IN),
    ("POST", "/me/invite"): case("/me/invite", SIGNED_IN),
    ("GET", "/me/notifications"): case("/me/notifications", SIGNED_IN),
    ("POST", "/me/notifications/read"): case("/me/notifications/read", SIGNED_IN),
    # organizations: verify members is the secretary's
    ("GET", "/o/{slug}/"): case("/o/{branch}/", ALL),
    ("GET", "/o/{slug}/members"): case("/o/{branch}/members", SECRETARY),
    ("POST", "/o/{slug}/members/requests/{request_id}"): case(
        "/o/{branch}/members/requests/{join_request}", SECRETARY, decision="reject"
    ),
    ("POST", "/o/{slug}/members/roll"): case("/o/{branch}/members/roll", SECRETARY),
    ("POST", "/o/{slug}/members/{user_id}/unverify"): once(
        "/o/{branch}/members/{unverify_user}/unverify", SECRETARY
    ),
    ("GET", "/u/{username}"): case("/u/{person}", ALL),
    ("GET", "/feeds/threads.atom"): case("/feeds/threads.atom", ALL),
    # boards: DESIGN.md gives them to the admin; the forum issue to the secretary as well
    ("GET", "/forum/manage/{slug}/"): case("/forum/manage/{org}/", SECRETARY),
    ("POST", "/forum/manage/{slug}/"): case("/forum/manage/{org}/", SECRETARY),
    ("GET", "/forum/manage/{slug}/{board}"): case("/forum/manage/{org}/{board}", SECRETARY),
    ("POST", "/forum/manage/{slug}/{board}"): case("/forum/manage/{org}/{board}", SECRETARY),
    ("POST", "/forum/manage/{slug}/{board}/move"): case("/forum/manage/{org}/{board}/move", SECRETARY),
    # reading: public boards for all, members-only boards for members and up
    ("GET", "/forum/"): case("/forum/", ALL),
    ("GET", "/forum/search"): case("/forum/search?q=停车", ALL),
    ("GET", "/forum/t/{thread_id}"): [
        Case("/forum/t/{thread}", ALL),
        Case("/forum/t/{members_thread}", MEMBERS),
    ],
    ("GET", "/forum/t/{thread_id}/b/{post_id}"): [
        Case("/forum/t/{thread}/b/{other_post}", ALL),
        Case("/forum/t/{members_thread}/b/{members_post}", MEMBERS),
    ],
    # posting: residents and up, members-only boards for members and up
    ("GET", "/forum/t/{thread_id}/reply"): [
        Case("/forum/t/{thread}/reply", SIGNED_IN),
        Case("/forum/t/{members_thread}/reply", MEMBERS),
    ],
    ("POST", "/forum/t/{thread_id}/reply"): [
        Case("/forum/t/{thread}/reply", SIGNED_IN),
        Case("/forum/t/{members_thread}/reply", MEMBERS),
    ],
    ("POST", "/forum/t/{thread_id}/watch"): [
        Case("/forum/t/{thread}/watch", SIGNED_IN),
        Case("/forum/t/{members_thread}/watch", MEMBERS),
    ],
    # the organization's response to a solicitation is its secretary's
    ("GET", "/forum/t/{thread_id}/respond"): case("/forum/t/{solicitation}/respond", SECRETARY),
    ("POST", "/forum/t/{thread_id}/respond"): case("/forum/t/{solicitation}/respond", SECRETARY),
    ("GET", "/forum/p/{post_id}"): [
        Case("/forum/p/{own_post}", ALL),
        Case("/forum/p/{members_post}", MEMBERS),
    ],
    # one's own post: only its author edits or deletes it (moderators hide, through the queue)
    ("GET", "/forum/p/{post_id}/edit"): case("/forum/p/{own_post}/edit", AUTHOR),
    ("POST", "/forum/p/{post_id}/edit"): case("/forum/p/{own_post}/edit", AUTHOR),
    ("GET", "/forum/p/{post_id}/delete"): case("/forum/p/{own_post}/delete", AUTHOR),
    ("POST", "/forum/p/{post_id}/delete"): case("/forum/p/{own_post}/delete", AUTHOR),
    ("POST", "/forum/p/{post_id}/agree"): case("/forum/p/{own_post}/agree", SIGNED_IN),
    ("GET", "/forum/p/{post_id}/history"): [
        Case("/forum/p/{own_post}/history", ALL),
        Case("/forum/p/{members_post}/history", MEMBERS),
    ],
    ("GET", "/forum/{board}/"): [Case("/forum/{board}/", ALL), Case("/forum/{members_board}/", MEMBERS)],
    ("GET", "/forum/{board}/new"): [
        Case("/forum/{board}/new", SIGNED_IN),
        Case("/forum/{members_board}/new", MEMBERS),
    ],
    ("POST", "/forum/{board}/new"): [
        Case("/forum/{board}/new", SIGNED_IN),
        Case("/forum/{members_board}/new", MEMBERS),
    ],
    ("POST", "/forum/{board}/watch"): [
        Case("/forum/{board}/watch", SIGNED_IN),
        Case("/forum/{members_board}/watch", MEMBERS),
    ],
    # the mailbox: anyone writes; the secretary answers; the writer follows with the code
    ("GET", "/mailbox/"): case("/mailbox/", ALL),
    ("GET", "/mailbox/letters/{letter_id}"): case("/mailbox/letters/{public_letter}", ALL),
    ("GET", "/mailbox/stats"): case("/mailbox/stats", ALL),
    ("GET", "/mailbox/inbox"): case("/mailbox/inbox", ANY_SECRETARY),
    ("GET", "/mailbox/inbox/{letter_id}"): case("/mailbox/inbox/{letter}", SECRETARY),
    ("POST", "/mailbox/inbox/{letter_id}/status"): case("/mailbox/inbox/{letter}/status", SECRETARY),
    ("POST", "/mailbox/inbox/{letter_id}/reply"): case("/mailbox/inbox/{letter}/reply", SECRETARY),
    ("POST", "/mailbox/inbox/{letter_id}/note"): case("/mailbox/inbox/{letter}/note", SECRETARY),
    ("POST", "/mailbox/inbox/{letter_id}/transfer"): case("/mailbox/inbox/{letter}/transfer", SECRETARY),
    ("POST", "/mailbox/inbox/{letter_id}/extend"): case("/mailbox/inbox/{letter}/extend", SECRETARY),
    ("GET", "/mailbox/settings/{org}"): case("/mailbox/settings/{org}", SECRETARY),
    ("POST", "/mailbox/settings/{org}"): case("/mailbox/settings/{org}", SECRETARY),
    ("GET", "/mailbox/inbox/{letter_id}/publish"): case("/mailbox/inbox/{letter}/publish", SECRETARY),
    ("POST", "/mailbox/inbox/{letter_id}/publish"): case("/mailbox/inbox/{letter}/publish", SECRETARY),
    ("GET", "/mailbox/write"): case("/mailbox/write", ALL),
    ("POST", "/mailbox/write"): case("/mailbox/write", ALL),
    ("GET", "/mailbox/track"): [Case("/mailbox/track", ALL), Case("/mailbox/track?code={code}", ALL)],
    ("GET", "/mailbox/mine"): case("/mailbox/mine", SIGNED_IN),
    ("GET", "/mailbox/mine/{letter_id}"): case("/mailbox/mine/{letter}", AUTHOR),
    ("POST", "/mailbox/writer/answer"): [
        Case("/mailbox/writer/answer", ALL, {"code": "{code}"}),
        Case("/mailbox/writer/answer", AUTHOR, {"letter_id": "{letter}"}),
    ],
    ("POST", "/mailbox/writer/rate"): [
        Case("/mailbox/writer/rate", ALL, {"code": "{code}"}),
        Case("/mailbox/writer/rate", AUTHOR, {"letter_id": "{letter}"}),
    ],
    ("POST", "/mailbox/writer/reopen"): [
        Case("/mailbox/writer/reopen", ALL, {"code": "{code}"}),
        Case("/mailbox/writer/reopen", AUTHOR, {"letter_id": "{letter}"}),
    ],
    ("GET", "/mailbox/attachments/{attachment_id}"): [
        Case("/mailbox/attachments/{attachment}", AUTHOR | SECRETARY),
        Case("/mailbox/attachments/{attachment}?code={code}", ALL),
    ],
    # moderation: the queue is for those who moderate somewhere; its acts for this one's
    ("GET", "/moderation/"): case("/moderation/", ANY_MODERATOR),
    ("POST", "/moderation/decide"): case("/moderation/decide", ANY_MODERATOR),
    ("GET", "/moderation/item"): case("/moderation/item?kind=forum.post&id={other_post}", MODERATORS),
    ("POST", "/moderation/item"): case("/moderation/item?kind=forum.post&id={other_post}", MODERATORS),
    ("GET", "/moderation/flag"): case("/moderation/flag?kind=forum.post&id={other_post}", SIGNED_IN),
    ("POST", "/moderation/flag"): case("/moderation/flag?kind=forum.post&id={other_post}", SIGNED_IN),
    ("GET", "/moderation/appeal"): case("/moderation/appeal?sanction={suspension}", AUTHOR),
    ("POST", "/moderation/appeal"): case("/moderation/appeal?sanction={suspension}", AUTHOR),
    ("GET", "/moderation/appeals"): case("/moderation/appeals", ANY_MODERATOR),
    ("POST", "/moderation/appeals"): case("/moderation/appeals", HEPING_MODERATORS, appeal="{appeal}"),
    ("GET", "/moderation/sanctions/{sanction_id}"): case(
        "/moderation/sanctions/{sanction}", AUTHOR | MODERATORS
    ),
    ("GET", "/moderation/log"): case("/moderation/log", ALL),
    ("GET", "/moderation/words"): case("/moderation/words", ADMIN),
    ("POST", "/moderation/words"): case("/moderation/words", ADMIN),
    ("GET", "/moderation/rules/{slug}"): case("/moderation/rules/{org}", SECRETARY),
    ("POST", "/moderation/rules/{slug}"): case("/moderation/rules/{org}", SECRETARY),
    # disclosure: everyone reads and objects; the secretary publishes
    ("GET", "/feeds/disclosures.atom"): case("/feeds/disclosures.atom", ALL),
    ("GET", "/disclosure/new"): case("/disclosure/new?kind=notices&org={org}", SECRETARY),
    ("POST", "/disclosure/new"): case("/disclosure/new", SECRETARY, kind="notices", org="{org}"),
    ("GET", "/disclosure/edit/{disclosure_id}"): case("/disclosure/edit/{notice}", SECRETARY),
    ("POST", "/disclosure/edit/{disclosure_id}"): case("/disclosure/edit/{notice}", SECRETARY),
    ("GET", "/disclosure/withdraw/{disclosure_id}"): case("/disclosure/withdraw/{notice}", SECRETARY),
    ("POST", "/disclosure/withdraw/{disclosure_id}"): case("/disclosure/withdraw/{notice}", SECRETARY),
    ("GET", "/disclosure/upload/{disclosure_id}/media"): case(
        "/disclosure/upload/{candidate}/media", SECRETARY
    ),
    ("POST", "/disclosure/upload/{disclosure_id}/media"): case(
        "/disclosure/upload/{candidate}/media", SECRETARY
    ),
    ("GET", "/disclosure/object/{disclosure_id}"): case("/disclosure/object/{candidate}", ALL),
    ("POST", "/disclosure/object/{disclosure_id}"): case("/disclosure/object/{candidate}", ALL),
    ("GET", "/disclosure/objections/{disclosure_id}"): case("/disclosure/objections/{candidate}", ALL),
    ("POST", "/disclosure/objections/{disclosure_id}"): case(
        "/disclosure/objections/{candidate}", SECRETARY, objection="{objection}"
    ),
    ("GET", "/disclosure/"): case("/disclosure/", ALL),
    ("GET", "/disclosure/posts/{disclosure_id}"): case("/disclosure/posts/{post}", ALL),
    ("GET", "/disclosure/candidates/{disclosure_id}"): case("/disclosure/candidates/{candidate}", ALL),
    ("GET", "/disclosure/notices/{disclosure_id}"): case("/disclosure/notices/{notice}", ALL),
    ("GET", "/disclosure/{kind}/{disclosure_id}/history"): case("/disclosure/notices/{notice}/history", ALL),
    # elections: the secretary runs them, members nominate, those on the roll vote
    ("GET", "/elections/new"): case("/elections/new?org={branch}", SECRETARY),
    ("POST", "/elections/new"): case("/elections/new", SECRETARY, org="{branch}"),
    ("POST", "/elections/{election_id:int}/advance"): case(
        "/elections/{e_draft}/advance", SECRETARY, to="nomination"
    ),
    ("POST", "/elections/{election_id:int}/step"): case(
        "/elections/{e_voting}/step", SECRETARY, step="close", action="request"
    ),
    ("POST", "/elections/{election_id:int}/candidates/{candidate_id:int}"): case(
        "/elections/{e_review}/candidates/{e_candidate}", SECRETARY
    ),
    ("POST", "/elections/{election_id:int}/exclude"): case("/elections/{e_voting}/exclude", SECRETARY),
    ("GET", "/elections/"): case("/elections/", ALL),
    ("GET", "/elections/{election_id:int}"): case("/elections/{e_voting}", ALL),
    ("GET", "/elections/{election_id:int}/nominate"): case("/elections/{e_nomination}/nominate", MEMBERS),
    ("POST", "/elections/{election_id:int}/nominate"): case("/elections/{e_nomination}/nominate", MEMBERS),
    ("GET", "/elections/{election_id:int}/checkin"): case("/elections/{e_voting}/checkin", VOTER),
    ("POST", "/elections/{election_id:int}/checkin"): case("/elections/{e_voting}/checkin", VOTER),
    ("GET", "/elections/{election_id:int}/ballot"): case("/elections/{e_voting}/ballot", VOTER),
    ("POST", "/elections/{election_id:int}/ballot"): case("/elections/{e_voting}/ballot", VOTER),
    ("GET", "/elections/{election_id:int}/receipt"): case("/elections/{e_published}/receipt?code=ABCD", ALL),
    ("GET", "/elections/{election_id:int}/results"): case("/elections/{e_published}/results", ALL),
    ("GET", "/elections/{election_id:int}/record.json"): case("/elections/{e_published}/record.json", ALL),
    ("POST", "/elections/{election_id:int}/next-round"): case(
        "/elections/{e_published}/next-round", SECRETARY
    ),
    ("POST", "/elections/{election_id:int}/answer"): case(
        "/elections/{e_review}/answer", VOTER, accept="yes"
    ),
    ("GET", "/feeds/results.atom"): case("/feeds/results.atom", ALL),
    # polls: the organization's secretary makes one on its own page; its members vote
    ("GET", "/polls/new"): case("/polls/new?org={branch}", SECRETARY),
    ("POST", "/polls/new"): case("/polls/new", SECRETARY, org="{branch}"),
    ("GET", "/polls/{poll_id}"): case("/polls/{poll}", ALL),
    ("POST", "/polls/{poll_id}/vote"): once("/polls/{poll}/vote", MEMBERS, choice="0"),
    ("POST", "/polls/{poll_id}/close"): case("/polls/{poll}/close", SECRETARY),
}

# Roles in the order they try each POST: the refused first, so that what an allowed role does
# (approve an item, move an election) cannot make a later refusal look right by accident.
POST_ORDER = ("anonymous", "resident", "other_secretary", "member", "moderator", "secretary", "admin")


def test_every_route_has_an_expectation(tmp_path: Path) -> None:
    app = create_app(scene_settings(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}"))  # only its routes
    routes = list(walk_routes(list(app.routes)))
    missing = [f"{method} {pattern}" for method, pattern in routes if (method, pattern) not in EXPECTED]
    assert not missing, (
        "routes without an expectation: add each to EXPECTED in tests/security/test_access.py, "
        "saying which roles may use it (DESIGN.md's table):\n  " + "\n  ".join(missing)
    )
    stale = [f"{m} {p}" for m, p in EXPECTED if (m, p) not in set(routes)]
    assert not stale, "expectations for routes that no longer exist: " + ", ".join(stale)


def refused(response: Any) -> bool:
    """How the site says no: 403, 404 (nothing here for you), or off to log in first."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def outcome(response: Any) -> str:
    location = response.headers.get("location", "")
    return f"{response.status_code}{' → ' + location if location else ''}"


def _check(
    role: str, method: str, one: Case, response: Any, problems: list[str], scene: Scene, *, used: bool = False
) -> None:
    where = f"{role:16} {method:4} {scene.fill(one.path)}"
    if response.status_code >= 500:
        problems.append(f"{where}: {outcome(response)}")
    elif role in one.may and refused(response) and not (used and response.status_code == 404):
        problems.append(f"{where}: allowed but refused ({outcome(response)})")
    elif role not in one.may and not refused(response):
        problems.append(f"{where}: should be refused, got {outcome(response)}")


def test_every_route_for_every_role(as_role: Callable[[str], TestClient], scene: Scene) -> None:
    clients = {role: as_role(role) for role in ROLES}
    tokens = {role: token_of(client) for role, client in clients.items()}
    problems: list[str] = []
    for (method, _pattern), cases in EXPECTED.items():
        if method != "GET":
            continue
        for one in cases:
            for role in ROLES:
                response = clients[role].get(scene.fill(one.path))
                _check(role, method, one, response, problems, scene)
    last = [("POST", "/logout")]
    posts = [key for key in EXPECTED if key[0] == "POST" and key not in last] + last
    for key in posts:
        for one in EXPECTED[key]:
            used = False
            for role in POST_ORDER:
                data = {name: scene.fill(value) for name, value in one.data.items()}
                response = clients[role].post(scene.fill(one.path), data={**data, "csrf_token": tokens[role]})
                _check(role, "POST", one, response, problems, scene, used=used)
                used = used or (one.once and role in one.may)
    assert not problems, f"{len(problems)} wrong answers:\n" + "\n".join(problems)
