"""A person's notifications: the list, and marking them read."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from grassroots import notifications
from grassroots.numbers import to_int
from grassroots.web import Context, view


@view
def notification_list(ctx: Context) -> Response:
    user = ctx.require_login()
    before = ctx.query("before")
    before_id = to_int(before, digits=17)
    items = notifications.list_notifications(ctx.db, user.id, before_id=before_id)
    older = items[-1].id if len(items) == notifications.PAGE else None
    return ctx.render("notifications.html", items=items, older=older, describe=notifications.describe)


@view
def mark_read(ctx: Context) -> Response:
    user = ctx.require_login()
    chosen = ctx.int_field("id")
    notifications.mark_read(ctx.db, user.id, None if chosen is None else [chosen])
    if chosen is not None:
        note = ctx.db.get(notifications.Notification, chosen)
        if note is not None and note.user_id == user.id:
            return ctx.redirect(note.link)
    return ctx.redirect("/me/notifications")


routes = [
    Route("/me/notifications", notification_list, methods=["GET"], name="notifications"),
    Route("/me/notifications/read", mark_read, methods=["POST"], name="notifications_read"),
]
