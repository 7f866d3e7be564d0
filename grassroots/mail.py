"""Outgoing e-mail: an outbox written inside the transaction that causes the mail, and a sender
that delivers it after the commit, outside any request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from grassroots.db import Base, UTCDateTime, utcnow


class OutgoingMail(Base):
    """An e-mail waiting to be sent. Only committed work leaves a row here, so only committed
    work sends mail."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def queue_mail(db: Session, *, to_address: str, subject: str, body: str) -> OutgoingMail:
    mail = OutgoingMail(to_address=to_address, subject=subject[:200], body=body)
    db.add(mail)
    return mail
