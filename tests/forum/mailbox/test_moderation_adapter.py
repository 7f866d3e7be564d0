"""How the moderation queue acts on a published letter's public copy."""

from __future__ import annotations

import pytest

from forum.mailbox.models import Letter, Publication
from forum.mailbox.moderation_adapter import LetterAdapter
from grassroots.db import Database
from grassroots.errors import FormInvalid

from .conftest import Mailbox, store_letter


def test_the_adapter_shows_hides_and_edits_only_the_public_copy(database: Database, mailbox: Mailbox) -> None:
    adapter = LetterAdapter()
    with database.writing() as db:
        letter = store_letter(db, mailbox.world.branch_a.id, "路灯")
        db.flush()
        assert adapter.describe(db, letter.id) is None  # not published: nothing to moderate
        letter.publication, letter.public_subject, letter.public_text = Publication.HELD, "路灯", "原文"
        letter.published_by_id = mailbox.secretary.id
        shown = adapter.describe(db, letter.id)
        assert shown is not None and not shown.public and shown.link == f"/mailbox/letters/{letter.id}"
        adapter.publish(db, letter.id)
        assert letter.publication is Publication.PUBLIC and letter.published_at is not None
        adapter.edit(db, letter.id, "改过的**公开**文字", mailbox.secretary.id)
        assert adapter.source(db, letter.id) == "改过的**公开**文字"
        assert "<strong>公开</strong>" in letter.public_body_html
        assert letter.body_source == "内容"  # the letter itself is untouched
        adapter.hide(db, letter.id, "涉及隐私")
        assert db.get_one(Letter, letter.id).publication is Publication.HIDDEN
        assert adapter.actions(db, letter.id) == []
        with pytest.raises(FormInvalid):
            adapter.perform(db, letter.id, "lock", "")
