"""Opinion solicitations (征求意见): a thread that takes opinions until its deadline, then carries
the organization's response, a decision with its reason for every opinion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grassroots import audit, markup
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier, notify

from . import notices
from .models import (
    Board,
    ContentState,
    Decision,
    OpinionDecision,
    Post,
    SolicitationResponse,
    Thread,
    ThreadKind,
)
from .posting import BODY_MAX, changed, start_thread

REASON_MAX = 2000


def open_solicitation(
    db: Session,
    notifier: Notifier,
    *,
    board: Board,
    author: User,
    title: str,
    question: str,
    deadline: datetime | None,
) -> Thread:
    """The secretary asks a question and names the deadline. Raises FormInvalid."""
    if deadline is None:
        raise FormInvalid({"deadline": _("Please give the date and time opinions close.")})
    if deadline <= utcnow():
        raise FormInvalid({"deadline": _("The deadline must lie in the future.")})
    thread = start_thread(
        db,
        notifier,
        board=board,
        author=author,
        title=title,
        body=question,
        kind=ThreadKind.SOLICITATION,
        deadline=deadline,
    )
    audit.record(
        db,
        actor=author,
        action=AuditAction.FORUM_SOLICITATION_OPEN,
        subject=thread,
        organization_id=board.organization_id,
        data={"title": thread.title, "deadline": deadline.isoformat(), "board": board.slug},
    )
    return thread


def is_open(thread: Thread, now: datetime | None = None) -> bool:
    return (
        thread.kind is ThreadKind.SOLICITATION
        and thread.deadline is not None
        and (now or utcnow()) < thread.deadline
    )


def opinions_of(db: Session, thread: Thread) -> list[Post]:
    """The opinions are the public answers to the question itself; replies to them are discussion."""
    return list(
        db.scalars(
            select(Post)
            .where(Post.thread_id == thread.id, Post.depth == 1, Post.state == ContentState.VISIBLE)
            .order_by(Post.floor)
        )
    )


def _participants(db: Session, thread: Thread) -> list[int]:
    return list(
        db.scalars(
            select(Post.author_id)
            .where(Post.thread_id == thread.id, Post.depth >= 1, Post.state == ContentState.VISIBLE)
            .distinct()
        )
    )


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    reason: str


def publish_response(
    db: Session,
    notifier: Notifier,
    *,
    thread: Thread,
    actor: User,
    summary: str,
    decisions: Mapping[int, DecisionInput],
) -> SolicitationResponse:
    """Publish the organization's answer, once, after the deadline. Every opinion needs a
    decision; partly and not adopted need their reason. Raises Conflict or FormInvalid."""
    if thread.kind is not ThreadKind.SOLICITATION:
        raise Conflict(_("This thread is not an opinion solicitation."))
    if is_open(thread):
        raise Conflict(_("Opinions are still open: the response comes after the deadline."))
    if db.scalar(select(SolicitationResponse.id).where(SolicitationResponse.thread_id == thread.id)):
        raise Conflict(_("The response to this solicitation has already been published."))
    opinions = opinions_of(db, thread)
    errors = _decision_problems(summary, opinions, decisions)
    if errors:
        raise FormInvalid(errors)
    participants = _participants(db, thread)
    summary = summary.strip()
    response = SolicitationResponse(
        thread_id=thread.id,
        summary_source=summary,
        summary_html=markup.render(summary),
        participants=len(participants),
        opinions=len(opinions),
        published_by_id=actor.id,
    )
    db.add(response)
    db.flush()
    for post in opinions:
        given = decisions[post.id]
        db.add(
            OpinionDecision(
                response_id=response.id,
                post_id=post.id,
                decision=Decision(given.decision),
                reason=given.reason.strip(),
            )
        )
    changed(db, thread.id)
    board = db.get_one(Board, thread.board_id)
    counts = {d.value: sum(1 for p in opinions if decisions[p.id].decision == d.value) for d in Decision}
    audit.record(
        db,
        actor=actor,
        action=AuditAction.FORUM_SOLICITATION_RESPOND,
        subject=thread,
        organization_id=board.organization_id,
        data={"title": thread.title, "opinions": len(opinions), "participants": len(participants), **counts},
    )
    notify(
        db,
        notifier,
        user_ids=participants,
        kind=notices.RESPONSE,
        actor=actor,
        subject=thread.title,
        link=f"/forum/t/{thread.id}",
    )
    return response


def _decision_problems(
    summary: str, opinions: list[Post], decisions: Mapping[int, DecisionInput]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not summary.strip():
        errors["summary"] = _("Please sum up the organization's response.")
    elif len(summary) > BODY_MAX:
        errors["summary"] = _("A summary has at most %(max)d characters.", max=BODY_MAX)
    choices = {d.value for d in Decision}
    for post in opinions:
        given = decisions.get(post.id)
        if given is None or given.decision not in choices:
            errors[f"decision-{post.id}"] = _("Please decide on this opinion.")
        elif given.decision != Decision.ADOPTED and not given.reason.strip():
            errors[f"reason-{post.id}"] = _("Please give the reason.")
        elif len(given.reason) > REASON_MAX:
            errors[f"reason-{post.id}"] = _("A reason has at most %(max)d characters.", max=REASON_MAX)
    return errors


@dataclass(frozen=True)
class ResponseView:
    response: SolicitationResponse
    decisions: dict[int, OpinionDecision]  # by post id


def get_response(db: Session, thread: Thread) -> ResponseView | None:
    response = db.scalar(select(SolicitationResponse).where(SolicitationResponse.thread_id == thread.id))
    if response is None:
        return None
    rows = db.scalars(select(OpinionDecision).where(OpinionDecision.response_id == response.id))
    return ResponseView(response, {row.post_id: row for row in rows})


@dataclass(frozen=True)
class SolicitationRow:
    thread: Thread
    response: SolicitationResponse | None
    opinions: int


def for_front_page(
    db: Session, board_ids: list[int], limit: int = 5
) -> tuple[list[SolicitationRow], list[SolicitationRow]]:
    """Open solicitations (soonest deadline first) and the latest answered ones."""
    now = utcnow()
    base = select(Thread).where(
        Thread.board_id.in_(board_ids),
        Thread.kind == ThreadKind.SOLICITATION,
        Thread.state == ContentState.VISIBLE,
    )
    open_threads = list(db.scalars(base.where(Thread.deadline > now).order_by(Thread.deadline).limit(limit)))
    answered = db.execute(
        select(Thread, SolicitationResponse)
        .join(SolicitationResponse, SolicitationResponse.thread_id == Thread.id)
        .where(Thread.board_id.in_(board_ids), Thread.state == ContentState.VISIBLE)
        .order_by(SolicitationResponse.published_at.desc())
        .limit(limit)
    ).all()
    counts = _opinion_counts(db, [t.id for t in open_threads])
    return (
        [SolicitationRow(t, None, counts.get(t.id, 0)) for t in open_threads],
        [SolicitationRow(t, r, r.opinions) for t, r in answered],
    )


def _opinion_counts(db: Session, thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = db.execute(
        select(Post.thread_id, func.count())
        .where(Post.thread_id.in_(thread_ids), Post.depth == 1, Post.state == ContentState.VISIBLE)
        .group_by(Post.thread_id)
    ).all()
    return {thread_id: count for thread_id, count in rows}
