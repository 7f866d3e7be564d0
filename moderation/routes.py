"""Moderation pages, mounted at /moderation: the queue and its items, flags, appeals and
sanctions, the public log, watched words and each organization's numbers."""

from __future__ import annotations

from starlette.routing import Route

from .admin_routes import log_page, numbers_page, words_page
from .people_routes import appeal_page, appeals_page, flag_page, sanction_page
from .queue_routes import decide, item_page, queue_page

routes = [
    Route("/", queue_page, methods=["GET"], name="queue"),
    Route("/decide", decide, methods=["POST"], name="decide"),
    Route("/item", item_page, methods=["GET", "POST"], name="item"),
    Route("/flag", flag_page, methods=["GET", "POST"], name="flag"),
    Route("/appeal", appeal_page, methods=["GET", "POST"], name="appeal"),
    Route("/appeals", appeals_page, methods=["GET", "POST"], name="appeals"),
    Route("/sanctions/{sanction_id}", sanction_page, methods=["GET"], name="sanction"),
    Route("/log", log_page, methods=["GET"], name="log"),
    Route("/words", words_page, methods=["GET", "POST"], name="words"),
    Route("/rules/{slug}", numbers_page, methods=["GET", "POST"], name="numbers"),
]
