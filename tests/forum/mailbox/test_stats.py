"""Public statistics: counted in SQL per month, replied apart from resolved, drawn as SVG."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from forum.mailbox import clock, stats
from forum.mailbox.models import Letter, Rating, Status
from grassroots.accounts.tree import load_org_tree
from grassroots.db import Database, utcnow
from tests.conftest import QueryCounter, page

from .conftest import Mailbox, store_letter


def _letters(database: Database, org_id: int, shapes: list[dict[str, object]]) -> None:
    with database.writing() as db:
        for shape in shapes:
            letter = store_letter(db, org_id)
            for name, value in shape.items():
                setattr(letter, name, value)


def _replied(hours: int, *, on_time: bool = True, **more: object) -> dict[str, object]:
    return {
        "status": Status.REPLIED,
        "first_replied_at": utcnow(),
        "reply_seconds": hours * 3600,
        "replied_on_time": on_time,
        **more,
    }


def test_replied_and_resolved_are_counted_apart(database: Database, mailbox: Mailbox) -> None:
    org = mailbox.world.branch_a.id
    _letters(
        database,
        org,
        [
            _replied(2, status=Status.CLOSED, solved=True, rating=Rating.SATISFIED),
            _replied(4, status=Status.CLOSED_UNSOLVED, solved=False, rating=Rating.UNSATISFIED),
            _replied(10, on_time=False, status=Status.CLOSED),  # closed by the secretary: not resolved
            _replied(20, on_time=False),
            {},
        ],
    )
    with database.reading() as db:
        (month,) = stats.monthly(db, org, "2000-01")
    assert (month.received, month.replied, month.on_time, month.resolved) == (5, 4, 2, 1)
    assert month.reply_rate == 0.8 and month.resolution_rate == 0.2
    assert month.median_hours == 7.0  # of 2, 4, 10, 20
    assert (month.rated, month.satisfied, month.satisfaction_rate) == (2, 1, 0.5)


def test_an_odd_number_of_replies_has_a_middle_one(database: Database, mailbox: Mailbox) -> None:
    _letters(database, mailbox.world.branch_a.id, [_replied(1), _replied(3), _replied(50)])
    with database.reading() as db:
        assert stats.monthly(db, mailbox.world.branch_a.id, "2000-01")[0].median_hours == 3.0


def test_months_are_grouped_and_the_window_is_twelve_months(database: Database, mailbox: Mailbox) -> None:
    _letters(
        database,
        mailbox.world.branch_a.id,
        [{"month": "2026-01"}, {"month": "2026-03"}, {"month": "2026-03"}],
    )
    with database.reading() as db:
        rows = stats.monthly(db, mailbox.world.branch_a.id, "2026-02")
    assert [(m.month, m.received) for m in rows] == [("2026-03", 2)]
    assert stats.first_month(utcnow().date().replace(year=2026, month=12, day=1)) == "2026-01"
    assert stats.first_month(utcnow().date().replace(year=2026, month=3, day=1)) == "2025-04"


def test_the_statistics_page_shows_numbers_and_a_chart_in_a_fixed_number_of_queries(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    org = mailbox.world.branch_a.id
    late = {"clock_start": utcnow() - timedelta(days=40)}
    _letters(database, org, [_replied(5), late])
    with database.writing() as db:
        tree = load_org_tree(db)
        for letter in db.query(Letter).all():
            clock.recompute(db, tree, letter)
    client.get("/mailbox/stats?org=branch-a")
    with QueryCounter(database) as few:
        response = client.get("/mailbox/stats?org=branch-a")
    _letters(database, org, [_replied(7) for _ in range(10)])
    with QueryCounter(database) as many:
        client.get("/mailbox/stats?org=branch-a")
    assert response.status_code == 200 and few.count == many.count
    doc = page(response)
    assert doc.select_one("svg.chart rect") is not None and doc.select_one("svg.chart title") is not None
    assert doc.select_one("script") is None
    cells = [td.get_text(strip=True) for td in doc.select(".month-row td")]
    assert cells[1] == "2" and cells[2].startswith("1")
    assert "1" in doc.select_one(".overdue-count").get_text()
    assert client.get("/mailbox/stats?org=nowhere").status_code == 404
    assert client.get("/mailbox/stats").status_code == 200
