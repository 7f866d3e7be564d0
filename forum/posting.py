"""Writing in the forums: threads, replies, edits with revisions, deletion by the author, and
agreement. Every text passes moderation's screening hook and is rendered once, here."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grassroots import markup
from grassroots.accounts.models import User
from grassroots.accounts.validation import has_control_characters
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotPermitted
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier
from moderation import screening
from moderation.models import HoldReason
from moderation.screening import Outcome

from . import notices, search
from .errors import CannotReply, DeadlinePassed, ThreadLocked
from .models import Agreement, Board, ContentState, Post, PostRevision, Thread, ThreadKind

TITLE_MAX = 120
BODY_MAX = 20_000
SEGMENT = 5  # base-36 digits per floor in a sort key: floors up to 60 million
MAX_DEPTH = 100  # keeps sort keys short enough for an index
CONTENT_KIND = "forum.post"


def changed(db: Session, thread_id: int) -> None:
    """Raise the thread's version: every cached page of it is then out of date."""
    db.execute(update(Thread).where(Thread.id == thread_id).values(version=Thread.version + 1))


def floor_segment(floor: int) -> str:
    digits = ""
    while floor:
        floor, digit = divmod(floor, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
    return digits.rjust(SEGMENT, "0")


def _check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise FormInvalid({"title": _("Please give the thread a title.")})
    if len(title) > TITLE_MAX or has_control_characters(title):
        raise FormInvalid({"title": _("A title has at most %(max)d characters.", max=TITLE_MAX)})
    return title


def check_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise FormInvalid({"body": _("Please write something first.")})
    if len(body) > BODY_MAX:
        raise FormInvalid(
            {
                "body": _(
                    "A post has at most %(max)d characters; this one has %(count)d.",
                    max=BODY_MAX,
                    count=len(body),
                )
            }
        )
    return body


def known_mentions(db: Session, source: str) -> dict[str, int]:
    """The people an @name in `source` names, by lower-cased username."""
    names = markup.mentioned_names(source)
    if not names:
        return {}
    rows = db.execute(select(User.username, User.id).where(func.lower(User.username).in_(names))).all()
    return {username.lower(): user_id for username, user_id in rows}


def _screen(
    db: Session,
    board: Board,
    author: User,
    text: str,
    title: str = "",
    *,
    thread_id: int | None = None,
    is_edit: bool = False,
) -> tuple[screening.Submission, screening.Screening]:
    submission = screening.Submission(
        kind=CONTENT_KIND,
        organization_id=board.organization_id,
        author_id=author.id,
        text=text,
        title=title,
        container=container_of(thread_id) if thread_id else "",
        place=board.name,
        is_edit=is_edit,
    )
    return submission, screening.screen(db, submission)


def container_of(thread_id: int) -> str:
    """How moderation names a thread, for slow mode."""
    return f"forum.thread:{thread_id}"


def start_thread(
    db: Session,
    notifier: Notifier,
    *,
    board: Board,
    author: User,
    title: str,
    body: str,
    kind: ThreadKind = ThreadKind.DISCUSSION,
    deadline: datetime | None = None,
) -> Thread:
    """Open a thread with its first post. Raises FormInvalid, or moderation's Blocked."""
    title, body = _check_title(title), check_body(body)
    submission, verdict = _screen(db, board, author, body, title)
    state = ContentState.VISIBLE if verdict.outcome is Outcome.PUBLISH else ContentState.HELD
    now = utcnow()
    thread = Thread(
        board_id=board.id,
        author_id=author.id,
        title=verdict.title or title,
        kind=kind,
        state=state,
        post_count=1,
        deadline=deadline,
        created_at=now,
        last_post_at=now,
    )
    db.add(thread)
    db.flush()
    mentions = known_mentions(db, verdict.text)
    post = Post(
        thread_id=thread.id,
        author_id=author.id,
        floor=1,
        depth=0,
        sort_key=floor_segment(1),
        state=state,
        state_reason=verdict.reason,
        body_source=verdict.text,
        body_html=markup.render(verdict.text, mentions),
        created_at=now,
    )
    db.add(post)
    db.flush()
    screening.recorded(db, submission, verdict, post.id)
    notices.watch(db, user_id=author.id, thread_id=thread.id)
    if state is ContentState.VISIBLE:
        published(db, notifier, post, mentions=list(mentions.values()))
    return thread


def reply(
    db: Session, notifier: Notifier, *, thread: Thread, parent_id: int | None, author: User, body: str
) -> Post:
    """Answer `parent_id` (the opening post when None). Raises ThreadLocked, DeadlinePassed,
    CannotReply, FormInvalid, or moderation's Blocked."""
    body = check_body(body)
    db.refresh(thread, with_for_update=True)  # floors are handed out one at a time
    check_open(thread)
    parent = _parent(db, thread, parent_id)
    board = db.get_one(Board, thread.board_id)
    submission, verdict = _screen(db, board, author, body, thread_id=thread.id)
    state = ContentState.VISIBLE if verdict.outcome is Outcome.PUBLISH else ContentState.HELD
    thread.post_count += 1
    mentions = known_mentions(db, verdict.text)
    post = Post(
        thread_id=thread.id,
        parent_id=parent.id,
        author_id=author.id,
        floor=thread.post_count,
        depth=parent.depth + 1,
        sort_key=parent.sort_key + floor_segment(thread.post_count),
        state=state,
        state_reason=verdict.reason,
        body_source=verdict.text,
        body_html=markup.render(verdict.text, mentions),
        created_at=utcnow(),
    )
    db.add(post)
    parent.reply_count += 1
    db.flush()
    screening.recorded(db, submission, verdict, post.id)
    changed(db, thread.id)
    if state is ContentState.VISIBLE:
        published(db, notifier, post, mentions=list(mentions.values()))
    return post


def check_open(thread: Thread, now: datetime | None = None) -> None:
    """Raise unless new posts may go into `thread` now."""
    if thread.locked:
        raise ThreadLocked(_("This thread is locked: no new replies are accepted."))
    if thread.state is not ContentState.VISIBLE:
        raise CannotReply(_("This thread is not public, so it cannot be answered."))
    if thread.kind is ThreadKind.SOLICITATION and thread.deadline and (now or utcnow()) >= thread.deadline:
        raise DeadlinePassed(_("The deadline for opinions has passed: no new opinions are accepted."))


def _parent(db: Session, thread: Thread, parent_id: int | None) -> Post:
    if parent_id is None:
        parent = db.scalar(select(Post).where(Post.thread_id == thread.id, Post.floor == 1))
    else:
        parent = db.get(Post, parent_id)
    if parent is None or parent.thread_id != thread.id:
        raise CannotReply(_("The post you are answering is not in this thread."))
    if parent.state is ContentState.DELETED:
        raise CannotReply(_("The post you are answering was deleted by its author."))
    if parent.state is not ContentState.VISIBLE:
        raise CannotReply(_("The post you are answering is not public."))
    if parent.depth + 1 > MAX_DEPTH:
        raise CannotReply(_("This conversation is nested too deeply: please answer a post higher up."))
    return parent


def published(db: Session, notifier: Notifier, post: Post, *, mentions: list[int]) -> None:
    """A post became public (now, or when a moderator approved it): count it, index it, tell
    the people it concerns."""
    thread = db.get_one(Thread, post.thread_id)
    board = db.get_one(Board, thread.board_id)
    if post.floor == 1:
        thread.state = ContentState.VISIBLE
        board.thread_count += 1
    else:
        thread.reply_count += 1
    thread.last_post_at = board.last_post_at = post.created_at
    board.post_count += 1
    changed(db, thread.id)
    search.sync_post(db, post)
    notices.post_published(db, notifier, post=post, thread=thread, board=board, mentions=mentions)


def edit_post(
    db: Session, notifier: Notifier, *, post: Post, editor: User, body: str, title: str | None = None
) -> None:
    """Replace the text of one's own post, keeping the old text as a public revision."""
    if post.author_id != editor.id:
        raise NotPermitted(_("Only its author may edit a post."))
    if post.state is ContentState.DELETED:
        raise Conflict(_("This post was deleted."))
    thread = db.get_one(Thread, post.thread_id)
    body = check_body(body)
    new_title = _check_title(title) if title is not None and post.floor == 1 else thread.title
    if body == post.body_source and new_title == thread.title:
        return
    board = db.get_one(Board, thread.board_id)
    submission, verdict = _screen(db, board, editor, body, new_title, thread_id=thread.id, is_edit=True)
    if post.state in (ContentState.HELD, ContentState.REJECTED):
        # An edit of a held or rejected post goes back to the queue: never past it.
        reason = verdict.reason or _("Your changed post is read by a moderator before it appears.")
        verdict = replace(
            verdict, outcome=Outcome.HOLD, reason=reason, hold=verdict.hold or HoldReason.RESUBMITTED
        )
    old_mentions = set(known_mentions(db, post.body_source).values())
    mentions = revise(
        db, post, thread, text=verdict.text, title=verdict.title or new_title, editor_id=editor.id
    )
    if verdict.outcome is Outcome.HOLD:
        post.state, post.state_reason = ContentState.HELD, verdict.reason
        screening.recorded(db, submission, verdict, post.id)
    search.sync_post(db, post)
    if post.state is ContentState.VISIBLE:
        new = [uid for uid in mentions.values() if uid not in old_mentions]
        notices.mentioned(db, notifier, post=post, thread=thread, user_ids=new)


def revise(
    db: Session, post: Post, thread: Thread, *, text: str, title: str, editor_id: int
) -> dict[str, int]:
    """Store a new text (and, for an opening post, title), keeping the old as a revision;
    returns the people the new text mentions. Used by the author's edit and a moderator's."""
    db.add(
        PostRevision(
            post_id=post.id,
            number=post.edit_count + 1,
            title=thread.title if post.floor == 1 else "",
            body_source=post.body_source,
            editor_id=editor_id,
            written_at=post.edited_at or post.created_at,
        )
    )
    mentions = known_mentions(db, text)
    post.body_source, post.body_html = text, markup.render(text, mentions)
    post.edit_count += 1
    post.edited_at = utcnow()
    if post.floor == 1:
        thread.title = title
    changed(db, thread.id)
    return mentions


def delete_post(db: Session, *, post: Post, actor: User) -> None:
    """The author removes their post. Its place in the tree stays, marked as deleted by its
    author, so that the replies to it still make sense; its text and history are gone."""
    if post.author_id != actor.id:
        raise NotPermitted(_("Only its author may delete a post."))
    if post.state is ContentState.DELETED:
        return
    post.state, post.body_source, post.body_html = ContentState.DELETED, "", ""
    changed(db, post.thread_id)
    db.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
    search.unindex_post(db, post.id)


def agree(db: Session, *, post: Post, user: User) -> None:
    """One agreement per person per post; agreeing twice changes nothing."""
    if post.author_id == user.id:
        raise Conflict(_("You cannot agree with your own post."))
    if post.state is not ContentState.VISIBLE:
        raise Conflict(_("This post cannot be agreed with."))
    exists = db.scalar(select(Agreement.id).where(Agreement.post_id == post.id, Agreement.user_id == user.id))
    if exists:
        return
    try:
        with db.begin_nested():
            db.add(Agreement(post_id=post.id, user_id=user.id))
    except IntegrityError:  # the same person, at the same moment, from another tab
        return
    post.agree_count = Post.agree_count + 1
    changed(db, post.thread_id)


def withdraw_agreement(db: Session, *, post: Post, user: User) -> None:
    removed = db.execute(delete(Agreement).where(Agreement.post_id == post.id, Agreement.user_id == user.id))
    if removed.rowcount:  # type: ignore[attr-defined]
        post.agree_count = Post.agree_count - 1
        changed(db, post.thread_id)
