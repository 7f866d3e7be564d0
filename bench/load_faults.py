"""Load with faults: a mix of reading, posting, letters and voting against `grassroots serve
--workers 2` on PostgreSQL for two minutes, during which one worker is killed with SIGKILL and
PostgreSQL is crash-restarted once. Afterwards, from the database: no acknowledged post, letter
or ballot is missing, none is stored twice, the election's ballot chain and the audit chain
verify; and the site answered /healthz soon after PostgreSQL came back.

PostgreSQL is a private cluster made for the run (bench/harness.py: private_postgres), never
the machine's own server, which other people's test suites use. The data is `grassroots demo
--voters N` (an open election, voter0001… checked in), with the cheap argon2 cost of
bench/voting_cast.py for the demo and the site.

Each of `--clients` threads sends one request at a time, on a fresh connection, never retried:
anonymous reads (the front page, a forum thread, the election's page), replies by established
members and residents (published at once), anonymous letters (each from its own
X-Forwarded-For address, the site allowing ten an hour per address) and ballots (each voter
once, spread evenly over the run). A post and a letter carry a unique token in their text, a
ballot's answer its receipt code. A request is acknowledged when the site answered as it does
on success (303 to the post, 303 with a tracking code, 200 with the receipt); anything else,
a refused connection included, is an error.

At a third of the run one uvicorn worker gets SIGKILL; at two thirds PostgreSQL is stopped
with `pg_ctl stop -m immediate` and started again. A fault's window runs from the fault until
the site answers normally again (the worker replaced, or PostgreSQL back and /healthz 200); a
request in flight at any moment of a window counts as in it. Errors are expected inside the
windows only.

    .venv/bin/python bench/load_faults.py                       # about 3 minutes
    .venv/bin/python bench/load_faults.py --duration 30 --voters 300
    .venv/bin/python bench/load_faults.py --check               # also fail on recovery > 10 s
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import harness
import servers
import voting_cast
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from forum.mailbox.models import Letter
from forum.models import Board, ContentState, Post, Thread
from grassroots.accounts.models import Organization
from voting import ballots, verifier
from voting.demo import BENCH_TITLE
from voting.models import Ballot, ChainLink, Election, Participation

VOTERS = 1000
CLIENTS = 8
RECOVERY_TARGET_S = 10.0
WORKER_RESTART_WAIT_S = 30.0
POLL_S = 0.1
KINDS = ("read", "post", "letter", "ballot")
# What a client does when no ballot is due: mostly reading, as a site is used.
WEIGHTS = {"read": 70, "post": 18, "letter": 12}
POST_TOKEN = re.compile(r"lf-post-[0-9a-f]{16}")
LETTER_TOKEN = re.compile(r"lf-letter-[0-9a-f]{16}")
RECEIPT = re.compile(rb'id="receipt-code">([^<]+)<')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Done:
    kind: str
    start: float
    end: float
    status: int  # 0: no answer (refused, reset, timed out)
    ok: bool
    token: str = ""  # the post's or letter's token, the ballot's receipt
    what: str = ""  # for an error: the exception or the path

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


@dataclass
class Window:
    name: str
    start: float
    end: float
    back: float | None = None  # PostgreSQL accepting connections again

    def holds(self, done: Done) -> bool:
        return done.end >= self.start and done.start <= self.end


@dataclass
class Plan:
    """What the clients need, gathered before the measured part."""

    port: int
    election_id: int
    thread_ids: list[int]
    org_ids: list[int]
    posters: list[tuple[str, str]]  # (session token, csrf token)
    anon: tuple[str, str]  # (gr_anon cookie, csrf token)
    voters: list[voting_cast.Voter]
    started: float = 0.0
    deadline: float = 0.0
    cast_until: float = 0.0
    cast: int = 0  # voters handed to a client so far
    lock: threading.Lock = field(default_factory=threading.Lock)
    letters: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]


def main() -> int:
    args = _parser().parse_args()
    harness.say(f"load average before starting: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    try:
        result = _run(args)
    except harness.Skipped as exc:
        print(f"SKIPPED postgres: {exc}", flush=True)
        return 0
    passed = _report(args, result)
    print(f"load with faults: {'PASS' if passed else 'FAIL'}", flush=True)
    return 0 if passed else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Load with a killed worker and a PostgreSQL crash.")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (120)")
    parser.add_argument("--voters", type=int, default=VOTERS, help=f"voters, each casting once ({VOTERS:,})")
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"client threads ({CLIENTS})")
    parser.add_argument(
        "--check", action="store_true", help=f"also fail on recovery > {RECOVERY_TARGET_S:.0f} s"
    )
    return parser


# ---------------------------------------------------------------- the run


def _run(args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gr-bench-faults-")))
        pg = stack.enter_context(harness.private_postgres())
        env = {**harness.environment(data_dir), **voting_cast.CHEAP_ARGON2, "GRASSROOTS_DATABASE_URL": pg.url}
        harness.say(f"grassroots demo --voters {args.voters:,}")
        started = time.monotonic()
        printed = harness.run_demo(
            env, data_dir, ["--members", "20", "--residents", "10", "--voters", str(args.voters)]
        )
        harness.say(f"loaded in {time.monotonic() - started:.0f} s")
        names = [line.split(" ")[0] for line in printed.splitlines()]
        voters = [voting_cast.Voter(n) for n in names if n.startswith("voter")]
        posters = [n for n in names if re.fullmatch(r"(member|resident)\d+", n)]
        engine = create_engine(pg.url)
        stack.callback(engine.dispose)
        election_id, thread_ids, org_ids = _targets(engine)
        site = stack.enter_context(harness.serve_site(env, data_dir))
        plan = _prepare(site.port, election_id, thread_ids, org_ids, posters, voters)
        workers = servers.worker_pids(site.process.pid)
        harness.say(f"site serving on port {site.port}, workers {sorted(workers)}")
        load = os.getloadavg()[0]
        dones: list[Done] = []
        plan.started = time.monotonic()
        plan.deadline = plan.started + args.duration
        plan.cast_until = plan.started + args.duration * 0.9
        with ThreadPoolExecutor(args.clients) as pool:
            clients = [pool.submit(_client, plan, n, dones) for n in range(args.clients)]
            try:
                faults = _faults(args, plan, site, pg)
            except BaseException:
                plan.deadline = 0.0  # Ctrl-C or a failure: the clients stop now, not at the end
                raise
            for client in clients:
                client.result()
        wall = time.monotonic() - plan.started
        faults["worker"]["alive at the end"] = set(faults["worker"]["replacement"] or ()) <= (
            servers.worker_pids(site.process.pid)
        )
        harness.say(f"load done after {wall:.0f} s; stopping the site before reading the database")
        servers.stop(site.process)  # no request left running when the database is read
        site_log = [
            line for line in site.stderr_path.read_text(errors="replace").splitlines() if line.strip()
        ]
        engine.dispose()  # its connection died with the restart
        stored = _stored(engine, election_id)
        audit = _audit_verify(env)
    return {
        "dones": dones,
        "wall": wall,
        "load": load,
        "faults": faults,
        "stored": stored,
        "audit": audit,
        "site_log": site_log,
        "voters": len(voters),
    }


def _targets(engine) -> tuple[int, list[int], list[int]]:  # type: ignore[no-untyped-def]
    """The election, open threads of public boards (no deadline: not a solicitation), and the
    organizations letters can go to."""
    with engine.connect() as conn:
        election_id = conn.scalar(select(Election.id).where(Election.title == BENCH_TITLE))
        thread_ids = list(
            conn.scalars(
                select(Thread.id)
                .join(Board, Board.id == Thread.board_id)
                .where(Board.members_only.is_(False), Thread.state == ContentState.VISIBLE)
                .where(Thread.locked.is_(False), Thread.deadline.is_(None))
                .order_by(Thread.id)
                .limit(20)
            )
        )
        org_ids = list(conn.scalars(select(Organization.id).order_by(Organization.id)))
    if election_id is None or not thread_ids:
        raise RuntimeError("the demo made no open election or no open public thread")
    return election_id, thread_ids, org_ids


def _prepare(
    port: int,
    election_id: int,
    thread_ids: list[int],
    org_ids: list[int],
    posters: list[str],
    voters: list[voting_cast.Voter],
) -> Plan:
    """Log everyone in through the form and read the forms' CSRF tokens, as a browser would."""
    started = time.monotonic()

    def poster(username: str) -> tuple[str, str]:
        session = servers.log_in(port, username, harness.PASSWORD)
        form = servers.get(port, f"/forum/t/{thread_ids[0]}/reply", {"Cookie": f"gr_session={session}"})
        token = voting_cast.CSRF_FIELD.search(form.body.decode())
        if form.status != 200 or token is None:
            raise RuntimeError(f"GET the reply form as {username} answered {form.status}, not the form")
        return session, token.group(1)

    with ThreadPoolExecutor(8) as pool:
        logged_in = list(pool.map(poster, posters))
        list(pool.map(lambda v: voting_cast._prepare(port, election_id, v), voters))
    page = servers.get(port, "/mailbox/write")
    anon, csrf = page.cookies().get("gr_anon"), voting_cast.CSRF_FIELD.search(page.body.decode())
    if page.status != 200 or not anon or csrf is None:
        raise RuntimeError(f"GET /mailbox/write answered {page.status} without a form or gr_anon cookie")
    harness.say(
        f"{len(posters)} posters and {len(voters):,} voters logged in, forms read, "
        f"in {time.monotonic() - started:.0f} s"
    )
    return Plan(port, election_id, thread_ids, org_ids, logged_in, (anon, csrf.group(1)), voters)


def _client(plan: Plan, number: int, dones: list[Done]) -> None:
    rng = random.Random(number)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    while (now := time.monotonic()) < plan.deadline:
        voter = _due_voter(plan, now)
        if voter is not None:
            dones.append(_cast(plan, voter))
            continue
        kind = rng.choices(kinds, weights)[0]
        if kind == "read":
            dones.append(_read(plan, rng))
        elif kind == "post":
            dones.append(_post(plan, rng))
        else:
            dones.append(_letter(plan, rng))


def _due_voter(plan: Plan, now: float) -> voting_cast.Voter | None:
    """The voters cast one after the other, evenly over the first nine tenths of the run."""
    share = (now - plan.started) / (plan.cast_until - plan.started)
    with plan.lock:
        due = min(len(plan.voters), int(share * len(plan.voters)) + 1)
        if plan.cast < due:
            plan.cast += 1
            return plan.voters[plan.cast - 1]
    return None


def _timed(kind: str, send, judge) -> Done:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    try:
        reply = send()
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, cut short
        return Done(kind, start, time.monotonic(), 0, False, what=type(exc).__name__)
    end = time.monotonic()
    ok, token = judge(reply)
    return Done(kind, start, end, reply.status, ok, token)


def _read(plan: Plan, rng: random.Random) -> Done:
    path = rng.choice(["/", f"/forum/t/{rng.choice(plan.thread_ids)}", f"/elections/{plan.election_id}"])
    done = _timed("read", lambda: servers.get(plan.port, path), lambda r: (r.status == 200, ""))
    done.what = done.what or path
    return done


def _location(reply: servers.Reply) -> str:
    return next((v for k, v in reply.headers if k.lower() == "location"), "")


def _post(plan: Plan, rng: random.Random) -> Done:
    token = f"lf-post-{secrets.token_hex(8)}"
    session, csrf = rng.choice(plan.posters)
    thread_id = rng.choice(plan.thread_ids)
    body = urlencode(
        {"body": f"负载测试回帖：楼道灯又坏了，请物业尽快修理。{token}", "parent_id": "", "csrf_token": csrf}
    ).encode()
    headers = {**FORM, "Cookie": f"gr_session={session}"}
    done = _timed(
        "post",
        lambda: servers.request(plan.port, "POST", f"/forum/t/{thread_id}/reply", headers, body),
        lambda r: (r.status == 303 and _location(r).startswith("/forum/p/"), token),
    )
    done.token = token
    return done


def _letter(plan: Plan, rng: random.Random) -> Done:
    token = f"lf-letter-{secrets.token_hex(8)}"
    n = next(plan.letters)
    address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"  # ten letters an hour per address
    anon, csrf = plan.anon
    body = urlencode(
        {
            "organization": str(rng.choice(plan.org_ids)),
            "category": "suggestion",
            "subject": "小区东门路灯不亮",
            "body": f"东门路灯坏了一个多星期，晚上回家很不方便，请尽快安排修理。{token}",
            "anonymous": "1",
            "csrf_token": csrf,
        }
    ).encode()
    headers = {**FORM, "Cookie": f"gr_anon={anon}", "X-Forwarded-For": address}
    done = _timed(
        "letter",
        lambda: servers.request(plan.port, "POST", "/mailbox/write", headers, body),
        lambda r: (r.status == 303 and "code=" in _location(r), token),
    )
    done.token = token
    return done


def _cast(plan: Plan, voter: voting_cast.Voter) -> Done:
    headers = {**FORM, "Cookie": f"gr_session={voter.session}"}
    body = voting_cast._ballot(voter)

    def judge(reply: servers.Reply) -> tuple[bool, str]:
        found = RECEIPT.search(reply.body)
        return reply.status == 200 and found is not None, found.group(1).decode().strip() if found else ""

    done = _timed(
        "ballot",
        lambda: servers.request(plan.port, "POST", f"/elections/{plan.election_id}/ballot", headers, body),
        judge,
    )
    done.what = done.what or voter.username
    return done


# ---------------------------------------------------------------- the faults


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def _healthy(port: int) -> bool:
    try:
        return servers.get(port, "/healthz").status == 200
    except (OSError, http.client.HTTPException):
        return False


def _wait_healthy(port: int, limit_s: float) -> float | None:
    """Poll /healthz every 0.1 s; the time.monotonic() of the first 200, None if none came."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if _healthy(port):
            return time.monotonic()
        time.sleep(POLL_S)
    return None


def _faults(args: argparse.Namespace, plan: Plan, site: servers.Server, pg: harness.PrivatePostgres) -> dict:  # type: ignore[type-arg]
    """Kill a worker at a third of the run, crash PostgreSQL at two thirds; time the recoveries."""
    found: dict = {}  # type: ignore[type-arg]
    supervisor = site.process.pid
    _sleep_until(plan.started + args.duration / 3)
    before = servers.worker_pids(supervisor)
    victim = max(before)
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    harness.say(f"{killed - plan.started:5.1f} s: SIGKILL to worker {victim} (workers were {sorted(before)})")
    replaced, replacement = None, None
    while time.monotonic() < killed + WORKER_RESTART_WAIT_S:
        now_children = servers.worker_pids(supervisor)
        new = now_children - before
        if new and len(now_children) >= len(before):
            replaced, replacement = time.monotonic(), sorted(new)
            break
        time.sleep(POLL_S)
    healthy = _wait_healthy(site.port, 30)
    end = max(t for t in (replaced, healthy, killed) if t is not None)
    found["worker"] = {
        "victim": victim,
        "restarted": replaced is not None,
        "replacement": replacement,
        "restart_s": None if replaced is None else replaced - killed,
        "window": Window("worker killed", killed, end),
    }
    if replaced is not None:
        harness.say(f"{replaced - plan.started:5.1f} s: the supervisor started worker {replacement}")
    else:
        harness.say(f"no new worker within {WORKER_RESTART_WAIT_S:.0f} s: serving on what is left")

    _sleep_until(plan.started + args.duration * 2 / 3)
    down, up = pg.restart()
    harness.say(
        f"{down - plan.started:5.1f} s: PostgreSQL stopped -m immediate; "
        f"accepting connections again after {up - down:.2f} s"
    )
    healthy = _wait_healthy(site.port, 60)
    if healthy is not None:
        harness.say(
            f"{healthy - plan.started:5.1f} s: /healthz 200, {healthy - up:.2f} s after PostgreSQL's return"
        )
    found["postgres"] = {
        "outage_s": up - down,
        "recovery_s": None if healthy is None else max(0.0, healthy - up),
        "window": Window("PostgreSQL restarted", down, healthy if healthy is not None else plan.deadline, up),
    }
    return found


# ---------------------------------------------------------------- afterwards


def _stored(engine, election_id: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    with Session(engine) as db:
        posts = Counter(
            t
            for body in db.scalars(select(Post.body_source).where(Post.body_source.like("%lf-post-%")))
            for t in POST_TOKEN.findall(body)
        )
        written = db.scalars(select(Letter.body_source).where(Letter.body_source.like("%lf-letter-%")))
        letters = Counter(t for body in written for t in LETTER_TOKEN.findall(body))
        receipts = Counter(db.scalars(select(Ballot.receipt).where(Ballot.election_id == election_id)))
        election = db.get_one(Election, election_id)

        def count(model) -> int:  # type: ignore[no-untyped-def]
            return db.scalar(select(func.count()).select_from(model).where(model.election_id == election_id))

        record = {
            "election": {"id": election_id},
            "chain": ballots.chain(db, election),
            "chain_head": election.chain_head,
        }
        return {
            "posts": posts,
            "letters": letters,
            "receipts": receipts,
            "ballots": count(Ballot),
            "participations": count(Participation),
            "chain links": count(ChainLink),
            "chain_length": election.chain_length,
            "chain problems": verifier.check_chain(record),
        }


def _audit_verify(env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [str(harness.BIN / "grassroots"), "audit", "verify"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return done.returncode, (done.stdout + done.stderr).strip()


# ---------------------------------------------------------------- the report


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * share + 0.5) - 1))] if ordered else 0.0


def _report(args: argparse.Namespace, result: dict) -> bool:  # type: ignore[type-arg]
    dones: list[Done] = result["dones"]
    faults, stored, wall = result["faults"], result["stored"], result["wall"]
    windows = [faults["worker"]["window"], faults["postgres"]["window"]]
    problems: list[str] = []

    print(
        f"\nload with faults: {args.duration} s, {args.clients} clients, {result['voters']:,} voters, "
        f"serve --workers {harness.WORKERS} on a private PostgreSQL (load average {result['load']:.2f})"
    )
    print(f"{'kind':<8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'in faults':>10} {'outside':>8}")  # fmt: skip
    outside_errors: list[Done] = []
    for kind in (*KINDS, "all"):
        mine = [d for d in dones if kind in ("all", d.kind)]
        if not mine:
            continue
        errors = [d for d in mine if not d.ok]
        inside = [d for d in errors if any(w.holds(d) for w in windows)]
        outside = [d for d in errors if not any(w.holds(d) for w in windows)]
        if kind != "all":
            outside_errors += outside
        ms = [d.ms for d in mine]
        print(
            f"{kind:<8} {len(mine):>9,} {len(mine) / wall:>8.1f} {statistics.median(ms):>8.0f} "
            f"{_percentile(ms, 0.99):>8.0f} {len(errors):>7} {len(inside):>10} {len(outside):>8}"
        )
    for window in windows:
        hit = [d for d in dones if window.holds(d)]
        failed = [d for d in hit if not d.ok]
        statuses = Counter(d.status if d.status else (d.what or "no answer") for d in failed)
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str)) or "none"
        late = ""
        if window.back is not None:
            after = sum(1 for d in failed if d.start >= window.back)
            late = f"; {after} of them sent after PostgreSQL accepted connections again"
        print(
            f"window '{window.name}': {window.end - window.start:.2f} s, {len(hit)} requests in it, "
            f"{len(failed)} failed ({shown}){late}"
        )
    worker, postgres = faults["worker"], faults["postgres"]
    restart = (
        f"yes, worker {worker['replacement']} {worker['restart_s']:.1f} s after the kill"
        if worker["restarted"] else f"no (none within {WORKER_RESTART_WAIT_S:.0f} s)"
    )  # fmt: skip
    if worker["restarted"]:
        restart += ", still running at the end" if worker["alive at the end"] else ", GONE by the end"
    print(f"worker {worker['victim']} killed; the supervisor started a new one: {restart}")
    recovery = postgres["recovery_s"]
    print(
        f"PostgreSQL down for {postgres['outage_s']:.2f} s; /healthz 200 "
        + ("never" if recovery is None else f"{recovery:.2f} s")
        + " after it accepted connections again"
    )
    if outside_errors:
        problems.append(f"{len(outside_errors)} errors outside the fault windows")
        for d in outside_errors[:10]:
            at = d.start - dones[0].start
            print(f"  outside a window: {d.kind} {d.what or ''} at {at:.1f} s: {d.status}")
    fives = [d for d in dones if d.status == 500 and not any(w.holds(d) for w in windows)]
    if fives:
        problems.append(f"{len(fives)} answers 500 outside the fault windows")

    print("\nafterwards, from the database:")
    for kind, key in (("post", "posts"), ("letter", "letters")):
        sent = [d for d in dones if d.kind == kind]
        acked = {d.token for d in sent if d.ok}
        counts: Counter[str] = stored[key]
        lost = sum(1 for t in acked if counts[t] == 0)
        doubled = sum(1 for n in counts.values() if n > 1)
        unacked_kept = sum(1 for d in sent if not d.ok and counts[d.token] >= 1)
        print(
            f"  {key:<8} {len(acked):>6} acknowledged, {len(sent) - len(acked)} not; "
            f"stored {sum(counts.values())} (of them {unacked_kept} unacknowledged); "
            f"lost {lost}, duplicated {doubled}"
        )
        if lost or doubled:
            problems.append(f"{key}: {lost} lost, {doubled} duplicated")
    sent = [d for d in dones if d.kind == "ballot"]
    acked = [d.token for d in sent if d.ok]
    receipts: Counter[str] = stored["receipts"]
    lost = sum(1 for t in acked if receipts[t] == 0)
    doubled = sum(1 for n in receipts.values() if n > 1) + (len(acked) - len(set(acked)))
    print(
        f"  ballots  {len(acked):>6} acknowledged, {len(sent) - len(acked)} not; stored {stored['ballots']} "
        f"(of them {stored['ballots'] - len(acked) + lost} unacknowledged); lost {lost}, duplicated {doubled}"
    )
    if lost or doubled:
        problems.append(f"ballots: {lost} lost, {doubled} duplicated")
    counts = {k: stored[k] for k in ("ballots", "participations", "chain links", "chain_length")}
    same = len(set(counts.values())) == 1
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ("" if same else "  DIFFER"))
    if not same:
        problems.append(f"ballot box counts differ: {counts}")
    if stored["ballots"] > len(sent):
        problems.append(f"{stored['ballots']} ballots stored for {len(sent)} voters who cast")
    chain_problems = stored["chain problems"]
    verdict = "recomputes, head matches" if not chain_problems else "; ".join(chain_problems[:3])
    print(f"  ballot chain: {verdict}")
    if chain_problems:
        problems.append("the ballot chain does not verify")
    audit_rc, audit_text = result["audit"]
    print(f"  grassroots audit verify: {audit_text}")
    if audit_rc != 0:
        problems.append("the audit chain does not verify")
    if args.check and (recovery is None or recovery > RECOVERY_TARGET_S):
        problems.append(f"/healthz did not answer within {RECOVERY_TARGET_S:.0f} s of PostgreSQL's return")
    log = result["site_log"]
    expected = [line for line in log if line.startswith("database unavailable on ")]
    others = [line for line in log if not line.startswith("database unavailable on ")]
    print(f"\nthe site wrote {len(log)} lines to stderr: {len(expected)} 'database unavailable' (one a 503)")
    if others:
        print(f"  and {len(others)} others; the last:")
        for line in others[-8:]:
            print(f"  {line[:160]}")
    for problem in problems:
        print(f"FAIL: {problem}")
    return not problems


if __name__ == "__main__":
    sys.exit(main())
