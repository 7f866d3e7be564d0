"""The baseline: one Starlette route answering "ok", served exactly as `grassroots serve` serves
the site (uvicorn.run with a factory, the same flags), so the ratio of the two measures the site.

    python bench/bare_app.py --port 8001 [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def create_app() -> Starlette:
    return Starlette(routes=[Route("/", ok, methods=["GET"])])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the bare Starlette endpoint.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    # The workers import "bare_app" by name: make sure they can find it.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    uvicorn.run(
        "bare_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
