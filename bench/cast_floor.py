"""The floor under casting: what a cast costs on this machine with nothing of the site around
it. One Starlette route reads the site's session cookie and ballot form and runs a cast's SQL
through plain psycopg: no ORM, no policy module, no template (an f-string page). It answers
200 with the receipt, or 409 to a second attempt. `bench/voting_cast.py --floor` casts against
it on the same data, so the two figures side by side say how much of a cast is the site's own
and how much is HTTP, Python, the database and the machine.

Two forms:
- `statements` (the default): the statements the site runs for a cast, one by one.
- `one`: the least a cast could ask of the database: the reads, then the participation, the
  ballot and the chain link in a single statement, the link's hash computed by PostgreSQL.

    python bench/cast_floor.py --port 8001 --database-url postgresql://… [--form one]
"""

from __future__ import annotations

import argparse
import os
import queue
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import anyio.to_thread  # noqa: E402
import psycopg  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import HTMLResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from grassroots.security import token_digest  # noqa: E402
from voting.ballots import new_receipt_code  # noqa: E402
from voting.verifier import CHAIN_DOMAIN, canonical, commitment, link_hash  # noqa: E402

THREADS = 2  # as the site's default GRASSROOTS_THREADS

USER = """SELECT users.id FROM auth_sessions JOIN users ON users.id = auth_sessions.user_id
WHERE auth_sessions.token_hash = %s AND auth_sessions.expires_at > now()"""
ROLES = "SELECT organization_id, role FROM memberships WHERE user_id = %s"
ELECTION = "SELECT phase FROM voting_elections WHERE id = %s"
STANDING = """SELECT
EXISTS (SELECT 1 FROM voting_roll WHERE election_id = %(e)s AND user_id = %(u)s),
EXISTS (SELECT 1 FROM voting_checkins WHERE election_id = %(e)s AND user_id = %(u)s),
EXISTS (SELECT 1 FROM voting_participations WHERE election_id = %(e)s AND user_id = %(u)s)"""
CANDIDATES = "SELECT id FROM voting_candidates WHERE election_id = %s AND qualified IS true"
PARTICIPATION = "INSERT INTO voting_participations (election_id, user_id) VALUES (%(e)s, %(u)s)"
BALLOT = "INSERT INTO voting_ballots (id, election_id, receipt, content) VALUES (%(id)s, %(e)s, %(r)s, %(c)s)"
LOCK = "SELECT chain_length, chain_head FROM voting_elections WHERE id = %s FOR NO KEY UPDATE"
LINK = """INSERT INTO voting_chain (election_id, seq, prev, commitment, hash)
VALUES (%(e)s, %(seq)s, %(prev)s, %(m)s, %(hash)s)"""
HEAD = "UPDATE voting_elections SET chain_length = %(seq)s, chain_head = %(hash)s WHERE id = %(e)s"
# The same three writes and the chain in one statement; the hash is verifier.link_hash's.
ALL_IN_ONE = """
WITH p AS (INSERT INTO voting_participations (election_id, user_id) VALUES (%(e)s, %(u)s)
           RETURNING election_id),
b AS (INSERT INTO voting_ballots (id, election_id, receipt, content)
      SELECT %(id)s, election_id, %(r)s, %(c)s FROM p RETURNING election_id),
old AS (SELECT chain_length, chain_head FROM voting_elections
        WHERE id = (SELECT election_id FROM b) AND phase = 'voting' FOR NO KEY UPDATE),
new AS (SELECT chain_length + 1 AS seq, chain_head AS prev, encode(sha256(%(domain)s || convert_to(
          '{"commitment":"' || %(m)s || '","election":' || %(e)s || ',"prev":"' || chain_head
          || '","seq":' || (chain_length + 1) || '}', 'UTF8')), 'hex') AS hash FROM old),
l AS (INSERT INTO voting_chain (election_id, seq, prev, commitment, hash)
      SELECT %(e)s, seq, prev, %(m)s, hash FROM new RETURNING seq, hash)
UPDATE voting_elections SET chain_length = l.seq, chain_head = l.hash FROM l WHERE id = %(e)s
RETURNING l.hash
"""


class Pool:
    def __init__(self, url: str, size: int) -> None:
        self._idle: queue.Queue[psycopg.Connection[Any]] = queue.Queue()
        for _ in range(size):
            self._idle.put(psycopg.connect(url))

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        conn = self._idle.get()
        try:
            yield conn
        finally:
            conn.rollback()
            self._idle.put(conn)


def cast(
    pool: Pool, form_of_cast: str, token: str, election_id: int, form: dict[str, str]
) -> tuple[int, str]:
    with pool.connection() as conn:
        user = conn.execute(USER, (token_digest(token),)).fetchone()
        if user is None:
            return 403, "no session"
        ids = {"e": election_id, "u": user[0]}
        conn.execute(ROLES, (user[0],)).fetchall()
        phase = conn.execute(ELECTION, (election_id,)).fetchone()
        standing = conn.execute(STANDING, ids).fetchone()
        assert phase is not None and standing is not None
        on_roll, present, voted = standing
        if phase[0] != "voting" or not on_roll or not present:
            return 409, "not open"
        if voted:
            return 409, "voted already"
        keys = [str(row[0]) for row in conn.execute(CANDIDATES, (election_id,))]
        ballot = {"marks": {key: form.get(f"mark-{key}", "abstain") for key in keys}, "write_ins": {}}
        code, nonce = new_receipt_code(), secrets.token_hex(16)
        values = {**ids, "id": secrets.token_hex(16), "r": code, "c": canonical(ballot)}
        values["m"] = commitment(code, ballot, nonce)
        try:
            if form_of_cast == "one":
                if conn.execute(ALL_IN_ONE, {**values, "domain": CHAIN_DOMAIN}).fetchone() is None:
                    return 409, "closed"
            else:
                conn.execute(PARTICIPATION, values)
                conn.execute(BALLOT, values)
                locked = conn.execute(LOCK, (election_id,)).fetchone()
                assert locked is not None
                values["seq"], values["prev"] = locked[0] + 1, locked[1]
                values["hash"] = link_hash(election_id, values["seq"], locked[1], values["m"])
                conn.execute(LINK, values)
                conn.execute(HEAD, values)
        except psycopg.errors.UniqueViolation:
            return 409, "voted already"
        conn.commit()
    return 200, f'<p>Receipt <code id="receipt-code">{code}</code></p><p>{nonce}</p>'


def create_app() -> Starlette:
    pool = Pool(os.environ["CAST_FLOOR_DATABASE_URL"], THREADS + 2)
    form_of_cast = os.environ.get("CAST_FLOOR_FORM", "statements")

    async def ballot(request: Request) -> HTMLResponse:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        token = request.cookies.get("gr_session", "")
        election_id = int(request.path_params["election_id"])
        status, html = await run_in_threadpool(cast, pool, form_of_cast, token, election_id, form)
        return HTMLResponse(f"<!doctype html><title>cast</title>{html}", status_code=status)

    async def healthz(request: Request) -> HTMLResponse:
        return HTMLResponse("ok")

    return Starlette(
        routes=[
            Route("/elections/{election_id:int}/ballot", ballot, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the floor under casting.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--form", choices=["statements", "one"], default="statements")
    args = parser.parse_args()
    os.environ["CAST_FLOOR_DATABASE_URL"] = args.database_url.replace(
        "postgresql+psycopg://", "postgresql://"
    )
    os.environ["CAST_FLOOR_FORM"] = args.form
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    uvicorn.run(
        "cast_floor:create_app", factory=True, host="127.0.0.1", port=args.port, workers=args.workers,
        access_log=False, log_level="warning",
    )  # fmt: skip


if __name__ == "__main__":
    main()
