"""Letters in bulk, for the benchmark (`grassroots demo --letters 100000`): rows as the services
would leave them (status, clock, due date, first reply, rating, month), straight into the table,
spread over every organization and the past year; a share still open past their due date."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from grassroots import markup
from grassroots.accounts.models import Organization
from grassroots.db import utcnow

from .models import Category, Letter, Rating, Status

SEED = 20261203
CHUNK = 5000
SUBJECTS = (
    "楼道灯坏了",
    "小区停车难",
    "垃圾清运不及时",
    "加装电梯进展",
    "路面积水",
    "噪音扰民",
    "快递柜不够用",
)
BODY = "我们楼的住户反映这个问题已经很久了，希望社区尽快协调解决。谢谢！"
OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS)


def load(db: Session, count: int, progress: Callable[[str], None] | None = None) -> None:
    rng = random.Random(SEED)
    org_ids = list(db.scalars(select(Organization.id).order_by(Organization.id)))
    body_html = markup.render(BODY)
    now = utcnow()
    for first in range(0, count, CHUNK):
        rows = [_row(rng, org_ids, body_html, now) for _ in range(min(CHUNK, count - first))]
        db.execute(insert(Letter), rows)
        if progress:
            progress(f"mailbox demo: {first + len(rows):,} of {count:,} letters")


def _row(rng: random.Random, org_ids: list[int], body_html: str, now):  # type: ignore[no-untyped-def]
    created = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
    due = created + timedelta(days=7)
    row = {
        "organization_id": rng.choice(org_ids), "code_digest": secrets.token_hex(32),
        "category": rng.choice(list(Category)), "subject": rng.choice(SUBJECTS), "body_source": BODY,
        "body_html": body_html, "created_at": created, "month": created.strftime("%Y-%m"),
        "clock_start": created, "due_at": due, "status": Status.CLOSED,
    }  # fmt: skip
    if rng.random() < 0.12:  # still open: overdue unless received this last week
        row["status"] = rng.choice(OPEN)
        return row
    replied = created + timedelta(hours=rng.randint(2, 14 * 24))
    solved = rng.random() < 0.7
    row.update(
        status=Status.CLOSED if solved else Status.CLOSED_UNSOLVED, first_replied_at=replied,
        replied_on_time=replied <= due, reply_seconds=int((replied - created).total_seconds()),
        rating=rng.choice(list(Rating)), solved=solved,
    )  # fmt: skip
    return row
