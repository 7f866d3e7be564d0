"""The public's fast path: a page already drawn is sent from memory with no query at all, and a
change made through another worker shows there once its token is read again, within a second."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from grassroots.app import create_app
from grassroots.db import Database
from tests.conftest import QueryCounter, submit
from tests.disclosure.conftest import NOTICE, Desk, publish, published_id, signed_in


def test_a_page_drawn_once_is_sent_from_memory_and_a_change_elsewhere_shows_within_the_second(
    app: Any, settings: Any, database: Database, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("disclosure.cache.STAMP_SECONDS", 0.3)
    engines = Database(settings)  # another worker, with its own engines and page cache
    try:
        reader = TestClient(create_app(settings, engines))
        secretary = signed_in(app, "secretary")
        notice_id = published_id(publish(secretary, "notices", NOTICE))
        where = f"/disclosure/notices/{notice_id}"
        assert "150 元" in reader.get(where).text  # drawn and kept
        with QueryCounter(engines) as counter:
            again = reader.get(where)
        assert again.status_code == 200 and "150 元" in again.text and counter.count == 0
        edit = f"/disclosure/edit/{notice_id}"
        submit(secretary, edit, edit, {**NOTICE, "body": "每月每位 99 元。", "note": "再次下调"})
        time.sleep(0.35)
        assert "99 元" in reader.get(where).text
        assert (
            reader.get(where, headers={"If-None-Match": reader.get(where).headers["etag"]}).status_code == 304
        )
    finally:
        engines.dispose()
