"""Demo elections, one in each phase, made through the voting services with the server clock
moved past each window (as tests/voting/conftest.py does), so that the rows are what the site
itself would leave: draft, nomination (for the disclosure demo's vacant post), review,
publicity, voting (open for two weeks, for visitors to check in and vote), closed, tallied
(waiting for a second official to publish) and published (a community committee of five seats
elected by some three hundred members). `bench` adds an election in the voting phase with that
many voters, every one checked in, for bench/voting_cast.py.

The demo's voters are members of the communities themselves (阳光社区党委, 和平社区党委), where
the shell's demo puts no members, so the rolls are the same whatever `--members` says."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots.accounts.models import Membership, Organization, Role, User
from grassroots.db import utcnow
from grassroots.demo import DemoAccount, bulk_people

from . import ballots, candidates, elections, phases
from .models import CheckIn, Election, RollEntry, Step

SEED = 20261207
HEPING_VOTERS = 320  # members of 和平社区党委: the published election's roll, and the open one's
YANGGUANG_VOTERS = 40  # members of 阳光社区党委
BENCH_TITLE = "出席区第十次党代会代表选举（压力测试）"
LONGEST_VOTE = elections.LIMITS["voting_minutes"][1]  # two weeks
NOMINATORS = 24  # at most, in one election: each nomination is a service call and an audit entry

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Officials:
    """Who runs an organization's elections: one asks for a step, the other confirms it."""

    first: User
    second: User


@dataclass(frozen=True)
class Plan:
    """An election to make: what the secretary types, who is nominated and by how many, who fails
    review and why, and for those that are voted on, how each candidate fares."""

    title: str
    seats: int
    nominees: int
    failed: dict[int, str]  # nominee index → review note of one who does not qualify
    approval: Sequence[float] = ()  # per nominee: the chance a ballot approves them
    turnout: float = 0.0  # share of the roll that checks in
    nominations_each: int = 3
    voting_minutes: int = 120


PUBLISHED = Plan(
    "和平社区党委第三届委员会换届选举", seats=5, nominees=7, failed={6: "入党未满三年，不符合候选人条件。"},
    approval=(0.82, 0.74, 0.7, 0.66, 0.58, 0.3), turnout=0.96,
)  # fmt: skip
VOTING = Plan(
    "和平社区党委纪检委员补选", seats=1, nominees=2, failed={}, approval=(0.6, 0.4), turnout=0.3,
    voting_minutes=LONGEST_VOTE,
)  # fmt: skip
TALLIED = Plan(
    "阳光社区出席街道党员代表大会代表选举", seats=3, nominees=4, failed={},
    approval=(0.7, 0.64, 0.56, 0.3), turnout=0.9,
)  # fmt: skip
CLOSED = Plan("阳光社区党委书记补选", seats=1, nominees=2, failed={}, approval=(0.75, 0.3), turnout=0.88)
PUBLICITY = Plan(
    "阳光社区党委组织委员补选", seats=1, nominees=3, failed={2: "正在外地挂职，本人申请不参加。"}
)
REVIEW = Plan("和平社区党委宣传委员补选", seats=1, nominees=3, failed={})
WRITE_INS = ["赵志刚", "钱文华", "孙丽萍"]


def load(
    db: Session, *, post_id: int | None = None, bench_voters: int = 0, progress: Progress | None = None
) -> list[DemoAccount]:
    """Make the demo elections (and with `bench_voters`, the benchmark's); return the voters'
    accounts. Needs the shell's demo (its organizations and staff) and the disclosure demo's
    vacant post `post_id` (made into the nomination-phase election's post)."""
    orgs = {o.slug: o for o in db.scalars(select(Organization))}
    staff = {u.username: u for u in db.scalars(select(User).where(User.username.in_(STAFF)))}
    password_hash = staff["hp_shuji"].password_hash  # the demo's one password
    accounts = bulk_people(
        db, orgs, password_hash, "hp_member", HEPING_VOTERS, ["heping"], Role.MEMBER, name_offset=5000
    )
    accounts += bulk_people(
        db, orgs, password_hash, "yg_member", YANGGUANG_VOTERS, ["yangguang"], Role.MEMBER, name_offset=6000
    )
    rng = random.Random(SEED)
    heping = Officials(staff["hp_shuji"], staff["shuji"])
    yangguang = Officials(staff["yg_shuji"], staff["shuji"])
    now = utcnow()
    _draft(db, heping, orgs["heping"], "和平社区党委第四届委员会换届选举（筹备中）", seats=5)
    _nomination(db, yangguang, orgs["yangguang-1"], post_id, rng, now)
    made = _voted(db, heping, orgs["heping"], PUBLISHED, rng, start=now - timedelta(days=30))
    _publish(db, heping, made, now=now - timedelta(days=16))
    made = _voted(db, yangguang, orgs["yangguang"], TALLIED, rng, start=now - timedelta(days=20))
    phases.request_step(db, actor=yangguang.first, election=made, step=Step.PUBLISH, now=now)
    _voted(db, yangguang, orgs["yangguang"], CLOSED, rng, start=now - timedelta(days=15), tally=False)
    opened = _voted(db, heping, orgs["heping"], VOTING, rng, start=now - timedelta(days=14))
    _announce_open(db, opened, progress)
    _in_review(db, heping, orgs["heping"], REVIEW, rng, start=now - timedelta(days=4))
    _in_publicity(db, yangguang, orgs["yangguang"], PUBLICITY, rng, start=now - timedelta(days=1))
    if bench_voters:
        accounts += bench(db, Officials(staff["shuji"], staff["admin"]), orgs, bench_voters, progress)
    return accounts


STAFF = ("admin", "shuji", "yg_shuji", "hp_shuji")


def _typed(plan: Plan, **extra: str) -> dict[str, str]:
    return {
        "title": plan.title, "seats": str(plan.seats), "rule_set": "party",
        "nominations_each": str(plan.nominations_each), "nomination_days": "7", "publicity_days": "5",
        "voting_minutes": str(plan.voting_minutes), **extra,
    }  # fmt: skip


def _draft(db: Session, officials: Officials, org: Organization, title: str, seats: int) -> Election:
    plan = Plan(title, seats=seats, nominees=0, failed={})
    return elections.create_election(db, actor=officials.first, org=org, typed=_typed(plan))


def members_of(db: Session, org: Organization) -> list[User]:
    """The organization's own members (its roll), by id."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == org.id, Membership.role == Role.MEMBER)
        .order_by(User.id)
    )
    return list(db.scalars(query))


def on_roll(db: Session, election: Election) -> list[User]:
    """Everyone on the election's voter roll, by id, those not expected last."""
    query = (
        select(User)
        .join(RollEntry, RollEntry.user_id == User.id)
        .where(RollEntry.election_id == election.id)
        .order_by(RollEntry.excluded_reason != "", User.id)
    )
    return list(db.scalars(query))


def _nomination(
    db: Session,
    officials: Officials,
    org: Organization,
    post_id: int | None,
    rng: random.Random,
    now: datetime,
) -> Election:
    """Open for nomination: the vacant post of the disclosure demo, a fortnight's window, and the
    branch's members (as many as `--members` put there) nominating one another."""
    plan = Plan("阳光社区第一党支部组织委员补选", seats=1, nominees=0, failed={}, nominations_each=2)
    typed = _typed(plan, nomination_days="14", post_id=str(post_id) if post_id else "")
    election = elections.create_election(db, actor=officials.first, org=org, typed=typed)
    phases.open_nomination(db, actor=officials.first, election=election, now=now - timedelta(days=1))
    people = members_of(db, org)
    for nominator in people[:NOMINATORS]:
        picks = rng.sample(people, min(len(people), plan.nominations_each))
        _nominate(db, election, nominator, picks, rng, now)
    return election


def _nominate(
    db: Session, election: Election, nominator: User, picks: list[User], rng: random.Random, now: datetime
) -> None:
    for nominee in picks:
        if nominee.id != nominator.id:  # the demo's elections take no self-nominations
            candidates.nominate(
                db, actor=nominator, election=election, username=nominee.username,
                reason=rng.choice(REASONS), now=now,
            )  # fmt: skip


def _nominated(
    db: Session, officials: Officials, org: Organization, plan: Plan, rng: random.Random, start: datetime
) -> tuple[Election, list[User]]:
    """A draft, its window, nominations by a fifth of the roll, and the window ended."""
    election = elections.create_election(db, actor=officials.first, org=org, typed=_typed(plan))
    phases.open_nomination(db, actor=officials.first, election=election, now=start)
    roll = members_of(db, org)
    nominees = rng.sample(roll, plan.nominees)
    each = min(plan.nominations_each, len(nominees))
    for number, nominator in enumerate(rng.sample(roll, max(plan.nominees, min(NOMINATORS, len(roll) // 5)))):
        # The first few between them name every nominee once; the rest choose.
        picks = (
            [nominees[(number + k) % len(nominees)] for k in range(each)]
            if number < len(nominees)
            else rng.sample(nominees, each)
        )
        _nominate(db, election, nominator, picks, rng, start)
    phases.end_nomination(db, actor=officials.first, election=election, now=start + timedelta(days=7))
    return election, nominees


def _in_review(
    db: Session, officials: Officials, org: Organization, plan: Plan, rng: random.Random, start: datetime
) -> Election:
    election, _nominees = _nominated(db, officials, org, plan, rng, start - timedelta(days=7))
    return election


def _reviewed(
    db: Session, officials: Officials, org: Organization, plan: Plan, rng: random.Random, start: datetime
) -> tuple[Election, list[User]]:
    election, nominees = _nominated(db, officials, org, plan, rng, start)
    failed = {nominees[i].display_name: note for i, note in plan.failed.items()}
    for candidate in candidates.list_candidates(db, election):
        note = failed.get(candidate.name) or _biography(rng, candidate.nominations)
        candidates.review(
            db, actor=officials.first, election=election, candidate=candidate,
            qualified=candidate.name not in failed, note=note,
        )  # fmt: skip
        if candidate.qualified:  # each qualified nominee accepts standing, as they would online
            nominee = db.get(User, candidate.user_id)
            assert nominee is not None
            candidates.answer(db, actor=nominee, election=election, accept=True)
    phases.start_publicity(db, actor=officials.first, election=election, now=start + timedelta(days=8))
    return election, [n for i, n in enumerate(nominees) if i not in plan.failed]


REASONS = (
    "工作认真负责，群众基础好。",
    "长期联系楼栋居民，办事公道。",
    "熟悉社区情况，热心公益。",
    "年轻有干劲，善于用网络联系群众。",
    "退休后一直参加志愿服务，威信高。",
)


def _biography(rng: random.Random, nominations: int) -> str:
    born, joined = rng.randint(1962, 1990), rng.randint(1995, 2018)
    work = rng.choice(["社区网格员", "退休教师", "物业公司职工", "个体工商户", "社区医院护士", "楼道长"])
    return f"{born} 年生，{joined} 年入党，{work}。获党员推荐 {nominations} 人次。"


def _in_publicity(
    db: Session, officials: Officials, org: Organization, plan: Plan, rng: random.Random, start: datetime
) -> Election:
    election, _listed = _reviewed(db, officials, org, plan, rng, start - timedelta(days=8))
    return election


def _voted(
    db: Session,
    officials: Officials,
    org: Organization,
    plan: Plan,
    rng: random.Random,
    *,
    start: datetime,
    tally: bool = True,
) -> Election:
    """Through publicity (two excluded for recorded reasons) and a vote by the share of the roll
    that `plan.turnout` says. Closed unless the vote is still running at the real time; counted
    when `tally`."""
    election, listed, opens = open_for_voting(db, officials, org, plan, rng, start=start, excluded=2)
    present = on_roll(db, election)[: round(plan.turnout * election.expected)]
    _cast(db, election, present, listed, plan, rng, now=opens + timedelta(minutes=5))
    if plan is not VOTING:
        ends = opens + timedelta(minutes=election.voting_minutes)
        phases.settle(db, election, now=ends)
        if tally:
            phases.tally_election(db, actor=officials.first, election=election, now=ends)
    return election


def open_for_voting(
    db: Session,
    officials: Officials,
    org: Organization,
    plan: Plan,
    rng: random.Random,
    *,
    start: datetime,
    excluded: int = 0,
) -> tuple[Election, list[User], datetime]:
    """Nominated from `start`, reviewed, publicised (the last `excluded` members not expected,
    for recorded reasons) and opened by two officials: the election, the qualified nominees in
    nomination order, and when voting opened."""
    election, listed = _reviewed(db, officials, org, plan, rng, start)
    members = members_of(db, org)[-excluded:] if excluded else []
    for person, reason in zip(
        members, ["长期住院治疗。", "在外地务工，已书面请假。"] * excluded, strict=False
    ):
        elections.exclude_from_expected(
            db, actor=officials.first, election=election, username=person.username, reason=reason
        )
    opens = start + timedelta(days=8 + int(election.publicity_days), minutes=1)
    phases.request_step(db, actor=officials.first, election=election, step=Step.OPEN, now=opens)
    phases.confirm_step(db, actor=officials.second, election=election, step=Step.OPEN, now=opens)
    return election, listed, opens


def _cast(
    db: Session,
    election: Election,
    present: list[User],
    listed: list[User],
    plan: Plan,
    rng: random.Random,
    *,
    now: datetime,
) -> None:
    """Check in everyone present and cast their ballots, all but one in a hundred (who check in
    and leave without voting): in this session, through the services."""
    keys = {str(c.id): c.name for c in candidates.list_candidates(db, election, qualified_only=True)}
    chance = {n.display_name: p for n, p in zip(listed, plan.approval, strict=False)}
    for number, voter in enumerate(present):
        ballots.check_in(db, voter=voter, election=election, now=now)
        if number % 100 == 99:
            continue
        marks, write_ins = random_ballot(keys, chance, plan.seats, rng)
        ballots.cast_ballot(
            db, voter=voter, election=election, marks=marks, write_ins=write_ins, candidates=keys, now=now
        )


def random_ballot(
    keys: dict[str, str], chance: dict[str, float], seats: int, rng: random.Random
) -> tuple[dict[str, str], dict[str, str]]:
    """A voter's marks: approve with the candidate's chance, otherwise mostly disapprove, some
    abstain; never more approvals than seats; now and then a write-in for a disapproved one."""
    marks = {}
    for key, name in keys.items():
        roll = rng.random()
        p = chance.get(name, 0.5)
        marks[key] = "approve" if roll < p else "disapprove" if roll < p + (1 - p) * 0.7 else "abstain"
    approved = [key for key, mark in marks.items() if mark == "approve"]
    for key in rng.sample(approved, max(0, len(approved) - seats)):
        marks[key] = "abstain"
    write_ins = {}
    disapproved = [key for key, mark in marks.items() if mark == "disapprove"]
    if disapproved and len(approved) < seats and rng.random() < 0.03:
        write_ins[rng.choice(disapproved)] = rng.choice(WRITE_INS)
    return marks, write_ins


def _publish(db: Session, officials: Officials, election: Election, *, now: datetime) -> None:
    phases.request_step(db, actor=officials.first, election=election, step=Step.PUBLISH, now=now)
    phases.confirm_step(db, actor=officials.second, election=election, step=Step.PUBLISH, now=now)


def _announce_open(db: Session, election: Election, progress: Progress | None) -> None:
    """Say (on stderr, beside the accounts list) who can still vote in the open election."""
    if progress is None:
        return
    present = set(db.scalars(select(CheckIn.user_id).where(CheckIn.election_id == election.id)))
    waiting = [u.username for u in on_roll(db, election) if u.id not in present]
    progress(
        f"voting demo: election {election.id} ({election.title}) is open until "
        f"{election.voting_ends_at:%Y-%m-%d %H:%M} UTC; {len(waiting)} on its roll have not checked in, "
        f"{waiting[0]} to {waiting[-1]} among them: log in as one of them to vote"
    )


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- for the benchmark


def bench(
    db: Session, officials: Officials, orgs: dict[str, Organization], count: int, progress: Progress | None
) -> list[DemoAccount]:
    """An election of the street committee in the voting phase, open for two weeks, with
    `count` members (voter0001…) on its roll, each checked in: bench/voting_cast.py casts their
    ballots over HTTP. The accounts go in bulk; the election, nominations and check-ins go
    through the services."""
    hashed = officials.first.password_hash
    accounts = bulk_people(db, orgs, hashed, "voter", count, ["dongfeng"], Role.MEMBER, name_offset=7000)
    org = orgs["dongfeng"]
    plan = Plan(BENCH_TITLE, seats=5, nominees=6, failed={}, voting_minutes=LONGEST_VOTE)
    rng = random.Random(SEED + 1)
    start = utcnow() - timedelta(days=14)
    election, _listed, opens = open_for_voting(db, officials, org, plan, rng, start=start)
    voters = [u for u in members_of(db, org) if u.username.startswith("voter")]
    for number, voter in enumerate(voters, start=1):
        ballots.check_in(db, voter=voter, election=election, now=opens)
        if progress and number % 1000 == 0:
            progress(f"voting demo: {number:,} of {count:,} bench voters checked in")
    if progress:
        progress(f"voting demo: bench election {election.id} open, {count:,} voters checked in")
    return accounts
