"""The disclosure demo: every kind and category, a revised notice, a withdrawn one, candidates
with portraits, a publicity period with objections; and notices in bulk for the benchmark."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from disclosure.models import Disclosure, Objection, Revision, State
from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings
from grassroots.uploads import StoredFile
from tests.conftest import page
from voting.models import Candidate, Election, Phase

DEMO = ["demo", "--password", "demo-pass-1", "--members", "8", "--residents", "4", "--disclosures", "30"]


def test_demo_fills_the_disclosure_area(
    settings: Settings, database: Database, app: Any, capsys: Any
) -> None:
    assert main(DEMO, settings=settings) == 0
    capsys.readouterr()
    with database.reading() as db:
        kinds = Counter(db.scalars(select(Disclosure.kind)))
        # The voting demo's candidates are published here too, when their elections' lists are.
        voting_profiles = db.scalar(select(func.count(Candidate.profile_id)))
        assert voting_profiles
        # And each published result as a notice of its own.
        results = db.scalar(select(func.count()).where(Election.phase == Phase.PUBLISHED))
        assert kinds["post"] == 1 and kinds["candidate"] == 2 + voting_profiles
        assert results and kinds["notice"] == 30 + 7 + results
        categories = set(db.scalars(select(Disclosure.category).where(Disclosure.kind == "notice")))
        assert {"decision", "meeting", "finance", "personnel", "other"} <= categories
        assert db.scalar(select(func.max(Disclosure.revision_count))) >= 3
        assert db.scalar(select(func.count()).where(Disclosure.state == State.WITHDRAWN)) == 1
        assert db.scalar(select(func.count()).select_from(Objection)) == 2
        assert db.scalar(select(func.count()).select_from(Revision)) >= 30 + 10
        assert all(d.current_revision_id for d in db.scalars(select(Disclosure)))
        photos = list(db.scalars(select(StoredFile)))
        assert len(photos) == 2 and all((settings.data_dir / "uploads" / p.name).is_file() for p in photos)
    client = TestClient(app)
    listed = page(client.get("/disclosure/"))
    assert len(listed.select("ol.disclosures li")) == 30  # one page of those shown
    links = page(client.get("/disclosure/?kind=candidates")).select("ol.disclosures h2 a")
    profiles = [page(client.get(link["href"])) for link in links]  # the voting demo's have no photo
    portraits = [p.select_one("img.portrait") for p in profiles if p.select_one("img.portrait")]
    assert portraits and client.get(portraits[0]["src"]).status_code == 200
    assert main(["audit", "verify"], settings=settings) == 0
