"""How the moderation queue sees a published letter: what to show, and what approving,
hiding or editing it means. The letter itself, its writer and its history stay with the
mailbox; only the public copy is moderated."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import markup
from grassroots.db import utcnow
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from moderation.registry import ExtraAction, ItemView

from .models import Letter, Publication
from .publication import CONTENT_KIND, PLACE


class LetterAdapter:
    kind = CONTENT_KIND

    def describe(self, db: Session, item_id: int) -> ItemView | None:
        return self.describe_many(db, [item_id]).get(item_id)

    def describe_many(self, db: Session, item_ids: Sequence[int]) -> dict[int, ItemView]:
        letters = db.scalars(
            select(Letter).where(Letter.id.in_(set(item_ids)), Letter.publication != Publication.NONE)
        )
        return {letter.id: _view(letter) for letter in letters}

    def publish(self, db: Session, item_id: int) -> None:
        letter = db.get_one(Letter, item_id)
        if letter.publication is not Publication.PUBLIC:
            letter.publication = Publication.PUBLIC
            letter.published_at = letter.published_at or utcnow()

    def hide(self, db: Session, item_id: int, reason: str) -> None:
        db.get_one(Letter, item_id).publication = Publication.HIDDEN

    def reject(self, db: Session, item_id: int, reason: str) -> None:
        db.get_one(Letter, item_id).publication = Publication.HIDDEN

    def source(self, db: Session, item_id: int) -> str:
        return db.get_one(Letter, item_id).public_text

    def edit(self, db: Session, item_id: int, text: str, editor_id: int) -> None:
        letter = db.get_one(Letter, item_id)
        letter.public_text, letter.public_body_html = text, markup.render(text)

    def actions(self, db: Session, item_id: int) -> list[ExtraAction]:
        return []

    def perform(self, db: Session, item_id: int, name: str, choice: str) -> None:
        raise FormInvalid({"action": _("There is no such action.")})


def _view(letter: Letter) -> ItemView:
    return ItemView(
        organization_id=letter.organization_id,
        author_id=letter.published_by_id,
        title=letter.public_subject,
        html=letter.public_body_html + letter.public_reply_html,
        link=f"/mailbox/letters/{letter.id}",
        place=PLACE,
        public=letter.publication is Publication.PUBLIC,
    )
