"""Tally plus verify of an exported election record of 100,000 ballots (the issue's figure).

The record is made as the site makes it, in a fresh SQLite database: the demo's organizations
and staff, 100,000 members in bulk, and an election taken through the services (nominations,
review, publicity, opening by two officials); then each voter's check-in (with its audit
entry) and ballot are written in bulk with the functions the cast uses (`ballots.clean_ballot`,
`ballots.new_receipt_code`, `verifier.commitment`, `verifier.link_hash`), so the chain, the
receipts and the audit chain are the site's own; the close, the tally and the export are the
services' (`phases.settle`, `phases.tally_election`, `record.export`). Making it takes about a
minute and is not measured.

Measured, each on the exported directory alone:
- tally: the site's `voting.tally.tally` over the record's 100,000 ballots, once read;
- verify: `python3 -I verifier.py DIR`, the standalone file, as an observer runs it (the
  interpreter's start, reading the record, the chain, the counts, the audit entries and the
  recount), wall time.

    .venv/bin/python bench/election_verify.py              # about a minute and a half
    .venv/bin/python bench/election_verify.py --check      # exit 1 when over 3 s
    .venv/bin/python bench/election_verify.py --keep DIR   # keep (or reuse) the record in DIR
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import harness
from sqlalchemy import insert, select

from grassroots import audit, migrate
from grassroots import demo as shell_demo
from grassroots.accounts.models import Organization, Role, User
from grassroots.audit import AuditAction, AuditEntry, AuditHead
from grassroots.db import Database, utcnow
from grassroots.security import Passwords
from grassroots.settings import Settings
from voting import ballots, candidates, phases, record, verifier
from voting import demo as voting_demo
from voting.models import Ballot, ChainLink, CheckIn, Election, Participation
from voting.rules import Rules
from voting.tally import tally

BALLOTS = 100_000
TARGET_S = 3.0
CHUNK = 5000
PLAN = voting_demo.Plan(
    "东风街道出席区党代会代表选举（核验测试）", seats=5, nominees=6, failed={},
    approval=(0.8, 0.72, 0.66, 0.6, 0.55, 0.3), voting_minutes=600,
)  # fmt: skip


def main() -> int:
    args = _parser().parse_args()
    harness.say(f"load average before starting: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="gr-bench-verify-") as scratch:
        directory = args.keep or Path(scratch) / "record"
        if not (directory / "record.json").exists():
            started = time.monotonic()
            make_record(Path(scratch), directory, args.ballots)
            harness.say(f"record of {args.ballots:,} ballots made in {time.monotonic() - started:.0f} s")
        size = (directory / "record.json").stat().st_size
        harness.say(f"load average before measuring: {os.getloadavg()[0]:.2f}")
        tally_s, counted = time_tally(directory)
        verify_s, said = time_verifier(directory)
    total = tally_s + verify_s
    passed = total < TARGET_S and said.startswith("ok")
    print(f"\nrecord of {counted:,} ballots ({size / 1e6:.0f} MB), load average {os.getloadavg()[0]:.2f}")
    print(f"tally   {tally_s:6.2f} s  (voting.tally.tally over the ballots read from record.json)")
    print(f"verify  {verify_s:6.2f} s  (python3 -I verifier.py DIR: {said})")
    print(f"total   {total:6.2f} s  < {TARGET_S:.0f} s: {'PASS' if passed else 'FAIL'}")
    if not said.startswith("ok"):
        return 1
    return 1 if args.check and not passed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Tally and verify an exported record of many ballots.")
    parser.add_argument("--ballots", type=int, default=BALLOTS, help=f"({BALLOTS:,})")
    parser.add_argument("--keep", type=Path, help="write the record here, or reuse the one found here")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    return parser


def time_tally(directory: Path) -> tuple[float, int]:
    """The site's count of the record's ballots, once they are read (the site reads them from
    its database; reading the file is the verifier's part)."""
    data = json.loads((directory / "record.json").read_text(encoding="utf-8"))
    election, counts = data["election"], data["counts"]
    started = time.perf_counter()
    result = tally(
        rules=Rules.from_config(election["rules"]),
        seats=election["seats"],
        candidates=[c["key"] for c in election["candidates"]],
        ballots=[entry["ballot"] for entry in data["ballots"]],
        present=counts["present"],
        expected=counts["expected"],
        voted=counts["voted"],
    )
    elapsed = time.perf_counter() - started
    if result.as_dict()["elected"] != data["result"]["elected"]:
        raise RuntimeError("the tally differs from the record's result")
    return elapsed, result.ballots


def time_verifier(directory: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-I", str(directory / "verifier.py"), str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    said = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
    return elapsed, said if done.returncode == 0 else f"FAILED ({done.returncode}): {said}"


# ---------------------------------------------------------------- making the record


def make_record(scratch: Path, directory: Path, count: int) -> None:
    settings = Settings(
        data_dir=scratch, secret_key=harness.SECRET_KEY, argon2_time_cost=1, argon2_memory_kib=1024
    ).resolved()
    migrate.upgrade(settings.database_url)
    database = Database(settings)
    try:
        with database.writing() as db:
            shell_demo.load(db, Passwords(settings), password=harness.PASSWORD, members=0, residents=0)
            orgs = {o.slug: o for o in db.scalars(select(Organization))}
            staff = {u.username: u for u in db.scalars(select(User))}
            hashed = staff["shuji"].password_hash
            shell_demo.bulk_people(db, orgs, hashed, "voter", count, ["dongfeng"], Role.MEMBER)
            harness.say(f"{count:,} members inserted")
            officials = voting_demo.Officials(staff["shuji"], staff["admin"])
            start = utcnow() - timedelta(days=20)
            election, _listed, opens = voting_demo.open_for_voting(
                db, officials, orgs["dongfeng"], PLAN, random.Random(1), start=start
            )
            harness.say(f"election {election.id} open, {election.expected:,} expected")
            voters = db.execute(
                select(User.id, User.username).where(User.username.like("voter%")).order_by(User.id)
            ).all()
            bulk_vote(db, election, voters, opens)
            ends = opens + timedelta(minutes=election.voting_minutes)
            phases.settle(db, election, now=ends)
            phases.tally_election(db, actor=officials.first, election=election, now=ends)
            harness.say(f"closed and counted: {json.loads(election.result)['outcome']}")
        with database.reading() as db:
            record.export(db, phases.get_election(db, election.id), directory)
    finally:
        database.dispose()


def bulk_vote(db, election: Election, voters, at) -> None:  # type: ignore[no-untyped-def]
    """What `ballots.check_in` and `ballots.cast_ballot` write for each voter, in bulk: the
    check-in and its audit entry, the participation, the ballot and its chain link."""
    rng = random.Random(2)
    keys = {str(c.id): c.name for c in candidates.list_candidates(db, election, qualified_only=True)}
    names = list(keys.values())
    chance = dict(zip(names, PLAN.approval, strict=True))
    head = db.get_one(AuditHead, 1)
    for first in range(0, len(voters), CHUNK):
        chunk = voters[first : first + CHUNK]
        db.execute(insert(CheckIn), [{"election_id": election.id, "user_id": u} for u, _name in chunk])
        db.execute(insert(AuditEntry), [_checkin_entry(head, election, u, name) for u, name in chunk])
        db.execute(insert(Participation), [{"election_id": election.id, "user_id": u} for u, _name in chunk])
        rows, links = [], []
        for _user in chunk:
            marks, write_ins = voting_demo.random_ballot(keys, chance, election.seats, rng)
            ballot = ballots.clean_ballot(marks, write_ins, list(keys), keys, election.seats)
            code, nonce = ballots.new_receipt_code(), secrets.token_hex(16)
            commit = verifier.commitment(code, ballot, nonce)
            seq = election.chain_length + 1
            link = verifier.link_hash(election.id, seq, election.chain_head, commit)
            rows.append({"id": secrets.token_hex(16), "election_id": election.id, "receipt": code,
                         "content": verifier.canonical(ballot)})  # fmt: skip
            links.append({"election_id": election.id, "seq": seq, "prev": election.chain_head,
                          "commitment": commit, "hash": link})  # fmt: skip
            election.chain_length, election.chain_head = seq, link
        db.execute(insert(Ballot), rows)
        db.execute(insert(ChainLink), links)
        harness.say(f"{first + len(chunk):,} of {len(voters):,} ballots cast")
    db.flush()


def _checkin_entry(head: AuditHead, election: Election, user_id: int, username: str) -> dict:  # type: ignore[type-arg]
    """The entry `audit.record` writes for a check-in, chained onto the head."""
    entry = AuditEntry(
        seq=head.seq + 1, created_at=utcnow(), actor_id=user_id, actor_name=username,
        action=str(AuditAction.VOTING_CHECKIN_ADD), subject_type=Election.__tablename__,
        subject_id=str(election.id), organization_id=election.organization_id, data="{}",
        prev_hash=head.hash,
    )  # fmt: skip
    entry.hash = audit.hash_content(audit.content_of(entry))
    head.seq, head.hash = entry.seq, entry.hash
    return {c: getattr(entry, c) for c in (col.name for col in AuditEntry.__table__.columns) if c != "id"}


if __name__ == "__main__":
    sys.exit(main())
