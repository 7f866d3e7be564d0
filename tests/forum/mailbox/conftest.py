"""Mailbox fixtures: a secretary on each branch and the committee, a resident, and helpers
that write a letter through the page and read its tracking code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from forum.mailbox import writing
from forum.mailbox.models import Letter
from grassroots.accounts.models import Role, User
from grassroots.accounts.tree import load_org_tree
from grassroots.db import Database
from tests.conftest import World, make_user, page, submit


@dataclass
class Mailbox:
    world: World
    secretary: User  # of branch A
    committee_secretary: User
    other_secretary: User  # of branch B
    resident: User


@pytest.fixture
def mailbox(database: Database, world: World) -> Mailbox:
    return Mailbox(
        world,
        make_user(database, "secretary", role=Role.SECRETARY, org=world.branch_a),
        make_user(database, "chief", role=Role.SECRETARY, org=world.committee),
        make_user(database, "other", role=Role.SECRETARY, org=world.branch_b),
        make_user(database, "resident", role=Role.RESIDENT, org=world.branch_a),
    )


def letter_form(org_id: int, **changes: str) -> dict[str, str]:
    form = {
        "organization": str(org_id),
        "category": "problem",
        "subject": "楼道灯坏了",
        "body": "三号楼二单元的楼道灯坏了一个月。",
        "contact": "13812345678",
    }
    form.update(changes)
    return form


def write_letter(client: TestClient, org_id: int, **changes: str) -> str:
    """Write through the page; returns the tracking code the writer is shown."""
    response = submit(client, "/mailbox/write", "/mailbox/write", letter_form(org_id, **changes))
    assert response.status_code == 303, response.text
    return tracking_code(client.get(response.headers["location"]))


def tracking_code(response) -> str:  # type: ignore[no-untyped-def]
    node = page(response).select_one(".tracking-code")
    assert node is not None, response.text
    code = node.get_text(strip=True)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    return code


def letter_id_of(client: TestClient, code: str) -> int:
    """As the secretary finds it: the newest letter in the inbox."""
    link = page(client.get("/mailbox/inbox")).select_one(".letter-row a")
    assert link is not None
    return int(str(link["href"]).rsplit("/", 1)[1])


def newest_letter(database: Database) -> Letter:
    with database.reading() as db:
        letter = db.scalars(select(Letter).order_by(Letter.id.desc())).first()
    assert letter is not None
    return letter


def store_letter(db: Session, org_id: int, subject: str = "问题") -> Letter:
    """A letter written through the service, anonymous and without files."""
    draft = writing.Draft(org_id, "question", subject, "内容")
    letter, _code = writing.write_letter(
        db,
        tree=load_org_tree(db),
        draft=draft,
        writer=None,
        client_address="",
        upload_dir=Path("."),
        max_upload_bytes=0,
    )
    return letter


def secretary_act(client: TestClient, letter_id: int, act: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Send one of the forms of the secretary's letter page."""
    return submit(client, f"/mailbox/inbox/{letter_id}", f"/mailbox/inbox/{letter_id}/{act}", data)


def as_writer(client: TestClient, code: str, act: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Send one of the writer's forms, holding the tracking code (any page gives a token)."""
    return submit(client, "/mailbox/write", f"/mailbox/writer/{act}", {"code": code, **data})
