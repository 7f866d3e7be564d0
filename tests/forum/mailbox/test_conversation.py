"""The writer's side after the reply: answering, rating, solved or not, reopening once."""

from __future__ import annotations

from starlette.testclient import TestClient

from forum.mailbox.models import Rating, Status
from grassroots.db import Database
from tests.conftest import field_error, log_in, page, submit

from .conftest import Mailbox, as_writer, newest_letter, secretary_act, write_letter


def _replied(client: TestClient, database: Database, mailbox: Mailbox) -> tuple[str, int]:
    code = write_letter(client, mailbox.world.branch_a.id)
    letter_id = newest_letter(database).id
    log_in(client, "secretary")
    for act, data in (("status", {"status": "accepted"}), ("reply", {"reply": "已安排维修。"})):
        response = secretary_act(client, letter_id, act, data)
        assert response.status_code == 303, response.text
    client.cookies.clear()
    return code, letter_id


def test_the_writer_answers_the_reply(client: TestClient, database: Database, mailbox: Mailbox) -> None:
    code, letter_id = _replied(client, database, mailbox)
    response = as_writer(client, code, "answer", {"message_text": "修好后还会坏吗？"})
    assert response.status_code == 303
    log_in(client, "secretary")
    assert "修好后还会坏吗？" in client.get(f"/mailbox/inbox/{letter_id}").text


def test_an_empty_answer_comes_back_with_a_message(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code, _ = _replied(client, database, mailbox)
    response = as_writer(client, code, "answer", {"message_text": "  "})
    assert response.status_code == 400 and field_error(response, "message_text")


def test_rated_solved_closes_the_letter_and_rating_twice_is_refused(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code, _ = _replied(client, database, mailbox)
    assert as_writer(client, code, "rate", {"rating": "satisfied", "solved": "yes"}).status_code == 303
    letter = newest_letter(database)
    assert letter.status is Status.CLOSED and letter.solved is True and letter.rating is Rating.SATISFIED
    again = as_writer(client, code, "rate", {"rating": "unsatisfied", "solved": "no"})
    assert again.status_code == 409
    assert newest_letter(database).rating is Rating.SATISFIED


def test_a_rating_needs_both_choices(client: TestClient, database: Database, mailbox: Mailbox) -> None:
    code, _ = _replied(client, database, mailbox)
    response = as_writer(client, code, "rate", {"rating": "basic"})
    assert response.status_code == 400 and field_error(response, "solved")
    assert page(response).select_one('input[name="rating"][value="basic"]').has_attr("checked")


def test_not_solved_is_its_own_status_and_may_be_reopened_once(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code, letter_id = _replied(client, database, mailbox)
    as_writer(client, code, "rate", {"rating": "unsatisfied", "solved": "no"})
    assert newest_letter(database).status is Status.CLOSED_UNSOLVED
    empty = as_writer(client, code, "reopen", {"reopen_reason": ""})
    assert empty.status_code == 400 and field_error(empty, "reopen_reason")
    assert as_writer(client, code, "reopen", {"reopen_reason": "灯还是不亮"}).status_code == 303
    letter = newest_letter(database)
    assert letter.status is Status.IN_PROGRESS and letter.reopened and letter.rating is None
    log_in(client, "secretary")
    submit(
        client, f"/mailbox/inbox/{letter_id}", f"/mailbox/inbox/{letter_id}/reply", {"reply": "换了新灯。"}
    )
    client.cookies.clear()
    as_writer(client, code, "rate", {"rating": "unsatisfied", "solved": "no"})
    assert as_writer(client, code, "reopen", {"reopen_reason": "还是不行"}).status_code == 409
    assert newest_letter(database).status is Status.CLOSED_UNSOLVED


def test_a_closed_letter_takes_no_more_messages(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code, _ = _replied(client, database, mailbox)
    as_writer(client, code, "rate", {"rating": "basic", "solved": "yes"})
    response = as_writer(client, code, "answer", {"message_text": "谢谢"})
    assert response.status_code == 409
    assert page(response).select_one("#f-message_text").get_text() == "谢谢"  # kept, not sent


def test_a_writer_form_with_a_wrong_code_is_not_found(client: TestClient, mailbox: Mailbox) -> None:
    write_letter(client, mailbox.world.branch_a.id)
    response = submit(
        client,
        "/mailbox/write",
        "/mailbox/writer/rate",
        {"code": "2222-3333-4444-5555", "rating": "satisfied"},
    )
    assert response.status_code == 404
