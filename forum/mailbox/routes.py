"""The mailbox's pages for writers: write a letter, track it by code (or under "my letters"),
answer the reply, rate it, reopen it; and the attachments."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy, security
from grassroots.errors import DomainError, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier
from grassroots.numbers import to_int
from grassroots.security import Limit
from grassroots.web import Context, view

from . import attachments, clock, conversation, deadlines, history, labels, workflow, writing
from .models import Attachment, Letter

# Wrong codes one address may try before it waits: guessing 80 bits is hopeless anyway.
TRACK_LIMIT = Limit("mailbox.track", 10, timedelta(minutes=15))
WRITE_LIMIT = Limit("mailbox.write", 10, timedelta(hours=1))


def notifier_for(ctx: Context) -> Notifier:
    return Notifier(site_url=ctx.settings.site_url, mail_enabled=ctx.settings.mail_enabled)


def upload_dir(ctx: Context) -> Path:
    return ctx.settings.data_dir / "uploads" / "mailbox"


def render(ctx: Context, template: str, status_code: int = 200, **values: Any) -> Response:
    return ctx.render(template, status_code=status_code, labels=labels, **values)


def page_number(ctx: Context) -> int:
    raw = ctx.query("page", "1")
    return to_int(raw, digits=5) or 1


def _address_key(ctx: Context) -> str:
    """A keyed hash of the client address: the rate-limit rows, kept one window, do not hold
    the address of someone who may have written anonymously."""
    return hashlib.sha256(f"{ctx.settings.secret_key}:{ctx.client_address}".encode()).hexdigest()


# ---------------------------------------------------------------- writing


def _draft(ctx: Context) -> writing.Draft:
    return writing.Draft(
        organization_id=ctx.int_field("organization"),
        category=ctx.field("category"),
        subject=ctx.field("subject"),
        body=ctx.field("body"),
        contact=ctx.field("contact"),
        redact_names=ctx.field("redact_names"),
        anonymous=ctx.field("anonymous") == "1",
        consent_publish=ctx.field("consent_publish") == "1",
    )


def _write_form(ctx: Context, draft: writing.Draft, status_code: int = 200, **values: Any) -> Response:
    values.setdefault("errors", {})
    values.setdefault("message", "")
    return render(
        ctx,
        "mailbox/write.html",
        status_code,
        draft=draft,
        orgs=ctx.tree.flat(),
        max_kib=ctx.settings.mailbox_attachment_bytes // 1024,
        **values,
    )


@view
def write(ctx: Context) -> Response:
    ctx.require(policy.may_write_letter(ctx.actor, ()))
    if ctx.request.method == "GET":
        chosen = ctx.tree.by_slug_map.get(ctx.query("org"))
        return _write_form(ctx, writing.Draft(chosen.id if chosen else None, "", "", ""))
    draft = _draft(ctx)
    if security.seconds_until_allowed(ctx.db, WRITE_LIMIT, _address_key(ctx)):
        message = _(
            "You have sent many letters in a short time. Please try again in an hour; your text is kept."
        )
        return _write_form(ctx, draft, 429, message=message)
    try:
        letter, code = writing.write_letter(
            ctx.db,
            tree=ctx.tree,
            draft=draft,
            writer=ctx.user,
            client_address=ctx.client_address,
            uploads=[
                ctx.files[name] for name in ("attachment1", "attachment2", "attachment3") if name in ctx.files
            ],
            upload_dir=upload_dir(ctx),
            max_upload_bytes=ctx.settings.mailbox_attachment_bytes,
            notifier=notifier_for(ctx),
        )
    except FormInvalid as exc:
        ctx.db.rollback()
        again = _("A browser cannot keep chosen files: please attach them again.") if ctx.files else ""
        return _write_form(ctx, draft, 400, errors=exc.errors, message=again)
    security.count_event(ctx.db, WRITE_LIMIT, _address_key(ctx))
    return ctx.redirect(f"/mailbox/track?code={code}&new=1")


# ---------------------------------------------------------------- the writer's page


def letter_view(ctx: Context, letter: Letter, *, internal: bool) -> dict[str, Any]:
    """What the writer's page and the secretary's both show of a letter."""
    org = ctx.tree.by_id[letter.organization_id]
    return {
        "letter": letter,
        "org": org,
        "tz": org.timezone,
        "events": history.list_events(ctx.db, letter, internal=internal),
        "files": attachments.list_for(ctx.db, letter),
        "due_day": deadlines.due_day(letter.due_at, org.timezone) if letter.due_at else None,
        "overdue": clock.is_overdue(letter),
        "clock_running": letter.status in workflow.CLOCK_RUNNING,
    }


def _writer_page(
    ctx: Context, letter: Letter, key: dict[str, str], status_code: int = 200, **values: Any
) -> Response:
    values.setdefault("errors", {})
    values.setdefault("message", "")
    for name in ("message_text", "rating", "solved", "reopen_reason"):
        values.setdefault(name, "")
    return render(
        ctx,
        "mailbox/track.html",
        status_code,
        key=key,
        may_answer=letter.status in workflow.WRITER_MAY_ANSWER,
        may_rate=conversation.may_rate(letter),
        may_reopen=conversation.may_reopen(letter),
        fresh=ctx.query("new") == "1",
        code=key.get("code", ""),
        **letter_view(ctx, letter, internal=False),
        **values,
    )


def _too_many(ctx: Context, code: str) -> Response:
    message = _("Too many wrong codes were tried from here. Please wait a quarter of an hour.")
    return render(ctx, "mailbox/track_form.html", 429, code=code, message=message)


def _not_found(ctx: Context, code: str) -> Response:
    message = _("No letter has this tracking code. Please check it and try again.")
    return render(ctx, "mailbox/track_form.html", 404, code=code, message=message)


@view
def track(ctx: Context) -> Response:
    code = ctx.query("code").strip()[:40]
    if not code:
        return render(ctx, "mailbox/track_form.html", code="", message="")
    if security.seconds_until_allowed(ctx.db, TRACK_LIMIT, _address_key(ctx)):
        return _too_many(ctx, code)
    try:
        letter = writing.find_by_code(ctx.db, code)
    except NotFound:
        ctx.events_to_count.append((TRACK_LIMIT, _address_key(ctx)))
        return _not_found(ctx, code)
    return _writer_page(ctx, letter, {"code": code})


@view
def mine(ctx: Context) -> Response:
    user = ctx.require_login()
    return render(ctx, "mailbox/mine.html", letters=writing.list_mine(ctx.db, user.id), tree=ctx.tree)


def _own_letter(ctx: Context, letter_id: int | None) -> Letter:
    user = ctx.require_login()
    locking = ctx.request.method == "POST"  # a double click rates once
    letter = ctx.db.get(Letter, letter_id, with_for_update=locking) if letter_id is not None else None
    if letter is None or letter.writer_id != user.id:
        raise HTTPException(404)
    return letter


@view
def my_letter(ctx: Context) -> Response:
    letter = _own_letter(ctx, ctx.path_int("letter_id"))
    return _writer_page(ctx, letter, {"letter_id": str(letter.id)})


def _writer_letter(ctx: Context) -> tuple[Letter | None, dict[str, str], Response | None]:
    """The letter a writer's form names, by its code or as its account holder's own."""
    if not ctx.field("code"):
        letter = _own_letter(ctx, ctx.int_field("letter_id"))
        return letter, {"letter_id": str(letter.id)}, None
    code = ctx.field("code").strip()[:40]
    if security.seconds_until_allowed(ctx.db, TRACK_LIMIT, _address_key(ctx)):
        return None, {}, _too_many(ctx, code)
    try:
        return writing.find_by_code(ctx.db, code, lock=True), {"code": code}, None
    except NotFound:
        security.count_event(ctx.db, TRACK_LIMIT, _address_key(ctx))
        return None, {}, _not_found(ctx, code)


def _back(ctx: Context, key: dict[str, str]) -> Response:
    if "code" in key:
        return ctx.redirect(f"/mailbox/track?code={key['code']}")
    return ctx.redirect(f"/mailbox/mine/{key['letter_id']}")


def _writer_act(ctx: Context, act: Any) -> Response:
    letter, key, refused = _writer_letter(ctx)
    if refused is not None or letter is None:
        assert refused is not None
        return refused
    try:
        act(letter)
    except DomainError as exc:
        ctx.db.rollback()
        errors = exc.errors if isinstance(exc, FormInvalid) else {}
        typed = {name: ctx.field(name) for name in ("message_text", "rating", "solved", "reopen_reason")}
        ctx.db.refresh(letter)
        return _writer_page(
            ctx, letter, key, exc.status_code, errors=errors, message="" if errors else exc.message, **typed
        )
    return _back(ctx, key)


@view
def writer_answer(ctx: Context) -> Response:
    return _writer_act(
        ctx,
        lambda letter: conversation.answer(
            ctx.db, notifier_for(ctx), ctx.tree, letter, body=ctx.field("message_text")
        ),
    )


@view
def writer_rate(ctx: Context) -> Response:
    return _writer_act(
        ctx,
        lambda letter: conversation.rate(
            ctx.db, letter, rating=ctx.field("rating"), solved=ctx.field("solved")
        ),
    )


@view
def writer_reopen(ctx: Context) -> Response:
    return _writer_act(
        ctx,
        lambda letter: conversation.reopen(
            ctx.db, notifier_for(ctx), ctx.tree, letter, reason=ctx.field("reopen_reason")
        ),
    )


# ---------------------------------------------------------------- attachments


def may_see_letter(ctx: Context, letter: Letter, code: str) -> bool:
    if code and letter.code_digest == writing.codes.digest(code):
        return True
    if ctx.user is not None and letter.writer_id == ctx.user.id:
        return True
    return policy.may_answer_letters(ctx.actor, ctx.tree.path(letter.organization_id))


@view
def attachment(ctx: Context) -> Response:
    code = ctx.query("code").strip()[:40]
    # A code here is a guess like one typed into the tracking form, and counts the same.
    if code and security.seconds_until_allowed(ctx.db, TRACK_LIMIT, _address_key(ctx)):
        return _too_many(ctx, code)
    found = ctx.db.get(Attachment, ctx.path_int("attachment_id"))
    letter = ctx.db.get(Letter, found.letter_id) if found else None
    if found is None or letter is None or not may_see_letter(ctx, letter, code):
        if code:
            ctx.events_to_count.append((TRACK_LIMIT, _address_key(ctx)))
        raise HTTPException(404)
    if not (upload_dir(ctx) / found.stored_name).is_file():
        raise HTTPException(404)  # lost from the disk: the letter's page still shows
    disposition = "inline" if found.content_type.startswith("image/") else "attachment"
    return Response(
        attachments.read(upload_dir(ctx), found),
        media_type=found.content_type,
        headers={
            "content-disposition": f"{disposition}; filename*=UTF-8''{_quoted(found.filename)}",
            "cache-control": "private, no-store",
        },
    )


def _quoted(name: str) -> str:
    return quote(name, safe="")


routes = [
    Route("/write", write, methods=["GET", "POST"], name="write"),
    Route("/track", track, name="track"),
    Route("/mine", mine, name="mine"),
    Route("/mine/{letter_id}", my_letter, name="my_letter"),
    Route("/writer/answer", writer_answer, methods=["POST"], name="writer_answer"),
    Route("/writer/rate", writer_rate, methods=["POST"], name="writer_rate"),
    Route("/writer/reopen", writer_reopen, methods=["POST"], name="writer_reopen"),
    Route("/attachments/{attachment_id}", attachment, name="attachment"),
]
