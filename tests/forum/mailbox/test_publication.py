"""Publishing a letter with its reply: consent, redaction, moderation's screening, the
public list and its search."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from forum.mailbox.models import Publication
from grassroots.accounts.models import User
from grassroots.db import Database
from grassroots.notifications import Notifier
from moderation import queue, rules
from moderation.models import QueueItem, WordAction
from tests.conftest import log_in, page

from .conftest import Mailbox, newest_letter, secretary_act, write_letter

BODY = "我是王小明，住3号楼，电话13812345678。楼道灯坏了。"


def _replied(client: TestClient, database: Database, mailbox: Mailbox, **changes: str) -> int:
    write_letter(client, mailbox.world.branch_a.id, body=BODY, **changes)
    letter_id = newest_letter(database).id
    log_in(client, "secretary")
    for act, data in (("status", {"status": "accepted"}), ("reply", {"reply": "王小明您好，灯已修好。"})):
        secretary_act(client, letter_id, act, data)
    return letter_id


def _publish(client: TestClient, letter_id: int, data: dict[str, object]):  # type: ignore[no-untyped-def]
    url = f"/mailbox/inbox/{letter_id}/publish"
    token = page(client.get(url)).select_one('input[name="csrf_token"]')["value"]
    return client.post(url, data={**data, "csrf_token": token})


def test_found_details_are_offered_and_the_chosen_ones_removed(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    letter_id = _replied(client, database, mailbox, consent_publish="1", redact_names="王小明")
    form = page(client.get(f"/mailbox/inbox/{letter_id}/publish"))
    offered = [str(box["value"]) for box in form.select('input[name="remove"]')]
    assert offered == ["13812345678", "王小明"]
    response = _publish(client, letter_id, {"action": "publish", "remove": offered, "extra_names": "3号楼"})
    assert response.status_code == 303
    letter = newest_letter(database)
    assert letter.publication is Publication.PUBLIC
    client.cookies.clear()
    public = page(client.get(f"/mailbox/letters/{letter_id}"))
    text = public.get_text()
    assert "楼道灯坏了" in text and "灯已修好" in text
    assert "13812345678" not in text and "王小明" not in text and "3号楼" not in text
    listed = page(client.get("/mailbox/?q=楼道灯")).select(".published-letters a")
    assert [a["href"] for a in listed] == [f"/mailbox/letters/{letter_id}"]
    assert page(client.get("/mailbox/?q=停车")).select(".published-letters a") == []
    assert page(client.get("/mailbox/?org=branch-b")).select(".published-letters a") == []
    assert client.get("/mailbox/?org=nowhere").status_code == 404


def test_a_preview_shows_the_text_as_it_will_be_published(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    letter_id = _replied(client, database, mailbox, consent_publish="1")
    response = _publish(
        client, letter_id, {"action": "preview", "remove": ["13812345678"], "extra_names": "王小明"}
    )
    assert response.status_code == 200
    preview = page(response).select_one(".public-body").get_text()
    assert "13812345678" not in preview and "王小明" not in preview and "楼道灯" in preview
    assert newest_letter(database).publication is Publication.NONE


def test_without_consent_a_letter_is_not_published(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    letter_id = _replied(client, database, mailbox)
    response = _publish(client, letter_id, {"action": "publish"})
    assert response.status_code == 409
    assert newest_letter(database).publication is Publication.NONE
    client.cookies.clear()
    assert client.get(f"/mailbox/letters/{letter_id}").status_code == 404


def test_published_letters_pass_through_moderations_screening(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    with database.writing() as db:
        admin = db.scalars(select(User).where(User.is_admin.is_(True))).one()
        rules.add_word(db, actor=admin, word="修好", action=WordAction.HOLD.value)
    letter_id = _replied(client, database, mailbox, consent_publish="1")
    assert _publish(client, letter_id, {"action": "publish"}).status_code == 303
    assert newest_letter(database).publication is Publication.HELD
    with database.reading() as db:
        item = db.scalars(select(QueueItem).where(QueueItem.kind == "mailbox.letter")).one()
        assert item.item_id == letter_id
    client.cookies.clear()
    assert client.get(f"/mailbox/letters/{letter_id}").status_code == 404
    client.cookies.clear()
    assert client.get(f"/mailbox/letters/{letter_id}").status_code == 404
    log_in(client, "root-admin")
    queue_page = client.get("/moderation/")
    assert queue_page.status_code == 200 and "楼道灯坏了" in queue_page.text
    with database.writing() as db:
        held = db.scalars(select(QueueItem).where(QueueItem.kind == "mailbox.letter")).one()
        moderator = db.scalars(select(User).where(User.is_admin.is_(True))).one()
        queue.decide(
            db,
            Notifier(),
            item=held,
            seen_version=held.version,
            decision=queue.Decision.APPROVE,
            moderator=moderator,
            reason="",
        )
    assert client.get(f"/mailbox/letters/{letter_id}").status_code == 200


def test_a_blocked_word_stops_publication_with_a_message(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    with database.writing() as db:
        admin = db.scalars(select(User).where(User.is_admin.is_(True))).one()
        rules.add_word(db, actor=admin, word="楼道灯", action=WordAction.BLOCK.value)
    letter_id = _replied(client, database, mailbox, consent_publish="1")
    response = _publish(client, letter_id, {"action": "publish", "extra_names": "王小明"})
    assert response.status_code == 422
    assert "楼道灯" in page(response).select_one(".error-summary").get_text()
    assert page(response).select_one("#f-extra_names")["value"] == "王小明"
    assert newest_letter(database).publication is Publication.NONE
