"""Organizations, roles, and the two ways a secretary verifies members."""

from __future__ import annotations

import re

from sqlalchemy import select
from starlette.testclient import TestClient

from grassroots.accounts.models import (
    JoinRequest,
    MemberInvite,
    Membership,
    Organization,
    RequestStatus,
    Role,
)
from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import Database
from tests.conftest import World, field_error, log_in, make_user, page, submit


def audit_actions(database: Database) -> list[str]:
    with database.reading() as db:
        return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def role_of(database: Database, username: str, org: Organization) -> Role | None:
    with database.reading() as db:
        from grassroots.accounts.models import User

        return db.scalars(
            select(Membership.role)
            .join(User, User.id == Membership.user_id)
            .where(User.username == username, Membership.organization_id == org.id)
        ).one_or_none()


def test_organization_pages_show_the_tree(client: TestClient, world: World) -> None:
    front = page(client.get("/"))
    assert front.select_one("h1").get_text(strip=True) == "社区党委"
    assert [a["href"] for a in front.select(".org-list a")] == ["/o/branch-a/", "/o/branch-b/"]
    branch = page(client.get("/o/branch-a/"))
    assert [li.get_text(strip=True) for li in branch.select(".breadcrumb li")] == ["社区党委", "第一支部"]
    assert client.get("/o/no-such-org/").status_code == 404


def test_join_request_approved_by_the_secretary(
    client: TestClient, app, world: World, database: Database
) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "secretary", role=Role.SECRETARY, org=world.committee)
    make_user(database, "jumin")
    log_in(client, "jumin")
    response = submit(
        client, "/me", "/me/join", {"organization_id": str(world.branch_a.id), "message": "我住3号楼"}
    )
    assert response.status_code == 303
    again = submit(client, "/me", "/me/join", {"organization_id": str(world.branch_a.id), "message": ""})
    assert again.status_code == 409 and field_error(again, "organization_id")

    secretary = TestClient(app, follow_redirects=False)
    log_in(secretary, "secretary")
    # The committee's secretary is secretary of the branch too.
    members_page = secretary.get("/o/branch-a/members")
    assert "我住3号楼" in members_page.text
    with database.reading() as db:
        request_id = db.scalars(select(JoinRequest.id)).one()
    response = submit(
        secretary,
        "/o/branch-a/members",
        f"/o/branch-a/members/requests/{request_id}",
        {"decision": "approve"},
    )
    assert response.status_code == 303
    assert role_of(database, "jumin", world.branch_a) is Role.MEMBER
    assert AuditAction.ACCOUNT_JOIN_APPROVE in audit_actions(database)
    with database.reading() as db:
        assert db.scalars(select(JoinRequest.status)).one() is RequestStatus.APPROVED
    # Deciding twice is refused.
    response = submit(
        secretary, "/o/branch-a/members", f"/o/branch-a/members/requests/{request_id}", {"decision": "reject"}
    )
    assert response.status_code == 409


def test_join_request_declined(client: TestClient, app, world: World, database: Database) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "sec-b", role=Role.SECRETARY, org=world.branch_b)
    make_user(database, "applicant")
    log_in(client, "applicant")
    submit(client, "/me", "/me/join", {"organization_id": str(world.branch_b.id), "message": ""})
    secretary = TestClient(app, follow_redirects=False)
    log_in(secretary, "sec-b")
    with database.reading() as db:
        request_id = db.scalars(select(JoinRequest.id)).one()
    submit(
        secretary, "/o/branch-b/members", f"/o/branch-b/members/requests/{request_id}", {"decision": "reject"}
    )
    assert role_of(database, "applicant", world.branch_b) is None
    assert AuditAction.ACCOUNT_JOIN_REJECT in audit_actions(database)


def test_secretary_of_one_branch_cannot_verify_in_another(
    client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "sec-a", role=Role.SECRETARY, org=world.branch_a)
    log_in(client, "sec-a")
    assert client.get("/o/branch-a/members").status_code == 200
    assert client.get("/o/branch-b/members").status_code == 403
    assert client.get("/o/committee/members").status_code == 403


def test_members_and_the_public_cannot_open_the_secretary_page(
    client: TestClient, world: World, database: Database
) -> None:
    assert client.get("/o/branch-a/members").status_code == 303
    make_user(database, "just-member", role=Role.MEMBER, org=world.branch_a)
    make_user(database, "moderator", role=Role.MODERATOR, org=world.branch_a)
    for username in ("just-member", "moderator"):
        log_in(client, username)
        assert client.get("/o/branch-a/members").status_code == 403
        submit(client, "/me", "/logout", {})


def test_member_roll_issues_codes_that_work_once(
    client: TestClient, app, world: World, database: Database
) -> None:  # type: ignore[no-untyped-def]
    make_user(database, "sec", role=Role.SECRETARY, org=world.branch_a)
    log_in(client, "sec")
    roll = "姓名,备注\n李大爷,3号楼\n王阿姨,5号楼\n"
    response = submit(client, "/o/branch-a/members", "/o/branch-a/members/roll", {"roll": roll})
    assert response.status_code == 200
    rows = page(response).select("#codes-title ~ .table-wrap tbody tr")
    codes = {r.select("td")[0].get_text(): r.select_one("code").get_text() for r in rows}
    assert set(codes) == {"李大爷", "王阿姨"}
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes.values())
    with database.reading() as db:
        stored = list(db.scalars(select(MemberInvite.code_hash)))
    assert not set(codes.values()) & set(stored)  # only hashes are kept
    later = client.get("/o/branch-a/members").text
    assert "李大爷" in later and not any(code in later for code in codes.values())  # shown once only

    make_user(database, "lidaye")
    person = TestClient(app, follow_redirects=False)
    log_in(person, "lidaye")
    response = submit(person, "/me", "/me/invite", {"code": codes["李大爷"].lower()})
    assert response.status_code == 303
    assert role_of(database, "lidaye", world.branch_a) is Role.MEMBER
    assert AuditAction.ACCOUNT_INVITE_REDEEM in audit_actions(database)

    make_user(database, "other")
    someone = TestClient(app, follow_redirects=False)
    log_in(someone, "other")
    response = submit(someone, "/me", "/me/invite", {"code": codes["李大爷"]})
    assert response.status_code == 400 and field_error(response, "code")


def test_guessing_invite_codes_is_limited(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "guesser")
    log_in(client, "guesser")
    for i in range(10):
        response = submit(client, "/me", "/me/invite", {"code": f"AAAA-BBBB-CC{i:02d}"})
        assert response.status_code == 400
    response = submit(client, "/me", "/me/invite", {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 429
    assert page(response).select_one("#f-code")["value"] == "AAAA-BBBB-CCCC"


def test_a_bad_roll_keeps_the_text(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "sec2", role=Role.SECRETARY, org=world.branch_a)
    log_in(client, "sec2")
    roll = "好人\n" + "名" * 60 + "\n"
    response = submit(client, "/o/branch-a/members", "/o/branch-a/members/roll", {"roll": roll})
    assert response.status_code == 400
    assert page(response).select_one("#f-roll").get_text() == roll
    assert "2" in field_error(response, "roll")


def test_admin_creates_an_organization_and_grants_roles(
    client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "boss", admin=True)
    make_user(database, "newsec")
    log_in(client, "boss")
    response = submit(
        client,
        "/admin/",
        "/admin/orgs",
        {"name": "第三支部", "slug": "branch-c", "parent_id": str(world.committee.id), "description": ""},
    )
    assert response.status_code == 303 and response.headers["location"] == "/o/branch-c/"
    with database.reading() as db:
        branch_c = db.scalars(select(Organization).where(Organization.slug == "branch-c")).one()
    response = submit(
        client,
        "/admin/",
        "/admin/roles",
        {"username": "newsec", "organization_id": str(branch_c.id), "role": "secretary"},
    )
    assert response.status_code == 303
    assert role_of(database, "newsec", branch_c) is Role.SECRETARY
    response = submit(
        client,
        "/admin/",
        "/admin/roles",
        {"username": "newsec", "organization_id": str(branch_c.id), "role": "none"},
    )
    assert role_of(database, "newsec", branch_c) is None
    actions = audit_actions(database)
    assert actions[-3:] == [
        AuditAction.ORG_CREATE,
        AuditAction.ACCOUNT_ROLE_GRANT,
        AuditAction.ACCOUNT_ROLE_REVOKE,
    ]


def test_admin_forms_keep_input_on_error(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss2", admin=True)
    log_in(client, "boss2")
    response = submit(
        client,
        "/admin/",
        "/admin/orgs",
        {"name": "新支部", "slug": "Bad Slug!", "parent_id": "", "description": "说明"},
    )
    assert response.status_code == 400
    doc = page(response)
    assert doc.select_one("#f-name")["value"] == "新支部"
    assert field_error(response, "slug")
    response = submit(
        client,
        "/admin/",
        "/admin/roles",
        {"username": "nobody-here", "organization_id": "999", "role": "king"},
    )
    assert response.status_code == 400
    assert (
        field_error(response, "username")
        and field_error(response, "organization_id")
        and field_error(response, "role")
    )


def test_an_organization_cannot_move_under_its_own_child(
    client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "boss3", admin=True)
    log_in(client, "boss3")
    response = submit(
        client,
        f"/admin/orgs/{world.committee.id}",
        f"/admin/orgs/{world.committee.id}",
        {"name": "社区党委", "slug": "committee", "parent_id": str(world.branch_a.id), "description": ""},
    )
    assert response.status_code == 400 and field_error(response, "parent_id")


def test_admin_flag_changes_are_audited(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "boss4", admin=True)
    make_user(database, "helper")
    log_in(client, "boss4")
    submit(client, "/admin/", "/admin/admins", {"admin_username": "helper", "make_admin": "yes"})
    submit(client, "/admin/", "/admin/admins", {"admin_username": "helper", "make_admin": "no"})
    response = submit(client, "/admin/", "/admin/admins", {"admin_username": "boss4", "make_admin": "no"})
    assert response.status_code == 400
    assert audit_actions(database)[-2:] == [AuditAction.ACCOUNT_ADMIN_GRANT, AuditAction.ACCOUNT_ADMIN_REVOKE]


def test_only_admins_reach_administration(client: TestClient, world: World, database: Database) -> None:
    make_user(database, "sec9", role=Role.SECRETARY, org=world.committee)
    assert client.get("/admin/").status_code == 303
    log_in(client, "sec9")
    assert client.get("/admin/").status_code == 403
    response = submit(client, "/me", "/admin/orgs", {"name": "x", "slug": "xx", "parent_id": ""})
    assert response.status_code == 403


def test_members_page_costs_the_same_queries_however_many_people(
    client: TestClient, world: World, database: Database
) -> None:
    from tests.conftest import QueryCounter

    make_user(database, "qsec", role=Role.SECRETARY, org=world.branch_a)
    log_in(client, "qsec")

    def add_people(prefix: str, n: int) -> None:
        for i in range(n):
            make_user(database, f"{prefix}{i}", role=Role.MEMBER, org=world.branch_a)
            applicant = make_user(database, f"{prefix}a{i}")
            with database.writing() as db:
                db.add(JoinRequest(user_id=applicant.id, organization_id=world.branch_a.id, message=""))

    add_people("p", 2)
    client.get("/o/branch-a/members")  # the organization tree is cached after the first page
    with QueryCounter(database) as few:
        assert client.get("/o/branch-a/members").status_code == 200
    add_people("q", 6)
    with QueryCounter(database) as many:
        doc = page(client.get("/o/branch-a/members"))
    assert len(doc.select(".requests > li")) == 8
    assert many.count == few.count <= 8, many.statements
    roles = [li.get_text() for li in doc.select("section:last-of-type li")]
    assert "书记" in roles[0]


def test_member_roll_from_an_excel_csv_file_in_gbk(
    client: TestClient, world: World, database: Database
) -> None:
    from tests.conftest import csrf_from

    make_user(database, "filesec", role=Role.SECRETARY, org=world.branch_a)
    log_in(client, "filesec")
    token = csrf_from(client.get("/o/branch-a/members"))
    data = "姓名,备注\r\n赵大妈,7号楼\r\n钱师傅,\r\n".encode("gbk")
    response = client.post(
        "/o/branch-a/members/roll",
        data={"csrf_token": token, "roll": ""},
        files={"roll_file": ("名册.csv", data, "text/csv")},
    )
    assert response.status_code == 200
    names = [
        r.select("td")[0].get_text() for r in page(response).select("#codes-title ~ .table-wrap tbody tr")
    ]
    assert names == ["赵大妈", "钱师傅"]
    token = csrf_from(client.get("/o/branch-a/members"))
    response = client.post(
        "/o/branch-a/members/roll",
        data={"csrf_token": token},
        files={"roll_file": ("x.csv", b"\xff\xfe\x00\xd8\x00\xdc" * 3, "text/csv")},
    )
    assert response.status_code == 400 and field_error(response, "roll")


def test_every_process_sees_a_changed_tree_on_its_next_page(
    settings, world: World, database: Database
) -> None:  # type: ignore[no-untyped-def]
    """Two app processes (two Database objects, two caches) on one database."""
    from grassroots.app import create_app

    make_user(database, "treeadmin", admin=True)
    other_database = Database(settings)
    try:
        with TestClient(create_app(settings, other_database), follow_redirects=False) as other:
            assert "第三支部" not in other.get("/o/committee/").text  # its tree is now cached
            client = TestClient(create_app(settings, database), follow_redirects=False)
            log_in(client, "treeadmin")
            submit(
                client,
                "/admin/",
                "/admin/orgs",
                {"name": "第三支部", "slug": "branch-c", "parent_id": str(world.committee.id)},
            )
            assert "第三支部" in other.get("/o/committee/").text
            assert other.get("/o/branch-c/").status_code == 200
            submit(
                client,
                f"/admin/orgs/{world.branch_a.id}",
                f"/admin/orgs/{world.branch_a.id}",
                {"name": "第一支部（改）", "slug": "branch-a", "parent_id": str(world.committee.id)},
            )
            assert "第一支部（改）" in other.get("/o/branch-a/").text
    finally:
        other_database.dispose()


def test_secretary_withdraws_a_mistaken_verification(
    client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "sec-w", role=Role.SECRETARY, org=world.branch_a)
    make_user(database, "mistake", role=Role.MEMBER, org=world.branch_a)
    make_user(database, "modx", role=Role.MODERATOR, org=world.branch_a)
    log_in(client, "sec-w")
    doc = page(client.get("/o/branch-a/members"))
    forms = [f["action"] for f in doc.select('form[action$="/unverify"]')]
    assert len(forms) == 1  # only the member, not the moderator or the secretary
    response = submit(client, "/o/branch-a/members", forms[0], {})
    assert response.status_code == 303
    assert role_of(database, "mistake", world.branch_a) is Role.RESIDENT
    assert audit_actions(database)[-1] == AuditAction.ACCOUNT_MEMBER_UNVERIFY
    with database.reading() as db:
        from grassroots.accounts.models import User

        moderator_id = db.scalars(select(User.id).where(User.username == "modx")).one()
    response = submit(client, "/o/branch-a/members", f"/o/branch-a/members/{moderator_id}/unverify", {})
    assert response.status_code == 404
    assert role_of(database, "modx", world.branch_a) is Role.MODERATOR


def test_a_resident_asks_to_join_from_the_organization_page(
    client: TestClient, world: World, database: Database
) -> None:
    make_user(database, "walker")
    make_user(database, "already", role=Role.MEMBER, org=world.committee)
    assert not page(client.get("/o/branch-b/")).select('form[action="/me/join"]')  # the public: log in first
    log_in(client, "walker")
    form = page(client.get("/o/branch-b/")).select_one('form[action="/me/join"]')
    assert form.select_one('input[name="organization_id"]')["value"] == str(world.branch_b.id)
    response = submit(client, "/o/branch-b/", "/me/join", {"organization_id": str(world.branch_b.id)})
    assert response.status_code == 303
    with database.reading() as db:
        assert db.scalars(select(JoinRequest.organization_id)).one() == world.branch_b.id
    submit(client, "/me", "/logout", {})
    log_in(client, "already")
    assert not page(client.get("/o/branch-b/")).select(
        'form[action="/me/join"]'
    )  # a member through the committee
