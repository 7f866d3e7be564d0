"""Demo letters, loaded after the forums' demo: one or more in every status, some overdue,
some published with personal details removed, spread over the last months so the statistics
page has something to show. Made through the mailbox's own services (history, audit rows and
notifications as the site would make them), then dated back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots.accounts.models import Membership, Organization, Role, User
from grassroots.accounts.tree import OrgTree, load_org_tree
from grassroots.notifications import Notifier

from . import clock, conversation, deadlines, handling, publication, writing
from .models import EventKind, Letter, LetterEvent, Status

SECRETARIES = {"dongfeng": "shuji", "yangguang": "yg_shuji", "heping": "hp_shuji"}


@dataclass(frozen=True)
class Spec:
    org: str
    category: str
    subject: str
    body: str
    steps: tuple[
        str, ...
    ] = ()  # accept, progress, wait, reply, close, solved, unsolved, reopen, decline, ...
    days_ago: int = 0
    reply_hours: int | None = None
    anonymous: bool = False
    consent: bool = False
    names: str = ""


LETTERS = (
    Spec(
        "yangguang-1",
        "problem",
        "3号楼楼道灯坏了",
        "三号楼二单元楼道灯坏了快一个月，晚上老人上下楼很不方便。",
    ),
    Spec(
        "heping",
        "complaint",
        "夜间施工噪音扰民",
        "和平花园北侧工地每天夜里十一点后还在施工，孩子睡不好。",
        days_ago=20,
        anonymous=True,
    ),
    Spec(
        "yangguang",
        "question",
        "老旧小区改造补贴怎么申请",
        "想问一下加装电梯的补贴标准和申请流程。",
        ("accept",),
        days_ago=1,
    ),
    Spec(
        "yangguang",
        "help",
        "独居老人需要上门帮扶",
        "我母亲八十五岁独居在5号楼，腿脚不便，能否安排志愿者定期看望？电话13912345678。",
        ("accept", "progress"),
        days_ago=16,
        names="张桂英",
    ),
    Spec(
        "heping",
        "problem",
        "小区门口积水",
        "每次下雨和平路小区东门都积水，电动车过不去。",
        ("accept", "wait"),
        days_ago=3,
    ),
    Spec(
        "yangguang",
        "suggestion",
        "建议增设便民充电桩",
        "小区电动车越来越多，建议在7号楼旁空地增设充电桩，避免飞线充电。",
        ("accept", "reply"),
        days_ago=4,
        reply_hours=30,
    ),
    Spec(
        "yangguang",
        "problem",
        "垃圾分类点异味",
        "2号楼旁的垃圾分类点夏天异味很大，能否增加清运次数？我是王秀兰，电话13812345678。",
        ("accept", "progress", "reply", "solved"),
        days_ago=70,
        reply_hours=50,
        consent=True,
        names="王秀兰",
    ),
    Spec(
        "heping",
        "complaint",
        "物业维修不及时",
        "报修水管漏水一周无人上门。",
        ("accept", "reply", "unsolved"),
        days_ago=40,
        reply_hours=100,
    ),
    Spec(
        "yangguang",
        "problem",
        "健身器材损坏",
        "小广场的健身器材有两件坏了，有安全隐患。",
        ("accept", "reply", "unsolved", "reopen"),
        days_ago=35,
        reply_hours=20,
    ),
    Spec("dongfeng", "question", "咨询社保卡办理", "社保卡丢失后在哪里补办？", ("decline",), days_ago=10),
    Spec(
        "yangguang-1",
        "suggestion",
        "建议组织消防演练",
        "建议支部牵头在老旧小区组织一次消防演练。",
        ("transfer",),
        days_ago=2,
    ),
    Spec(
        "heping-1",
        "help",
        "求助：失业青年就业指导",
        "刚毕业半年还没找到工作，社区有没有就业培训？",
        ("accept", "extend"),
        days_ago=6,
    ),
    Spec(
        "heping",
        "suggestion",
        "建议开设四点半课堂",
        "双职工家庭孩子放学没人接，建议社区开设四点半课堂。",
        ("accept", "reply", "close"),
        days_ago=50,
        reply_hours=60,
        consent=True,
    ),
    Spec(
        "heping",
        "problem",
        "路灯不亮",
        "和平路与新华街路口的路灯不亮，晚上很黑。",
        ("accept", "reply", "solved"),
        days_ago=100,
        reply_hours=200,
        consent=True,
    ),
)

REPLIES = {
    "建议增设便民充电桩": "感谢您的建议。社区已与物业和供电所联系，计划在7号楼旁空地建设充电棚。",
    "垃圾分类点异味": "王秀兰您好，已协调环卫所将清运改为每日两次，并对分类点进行了清洗消毒。",
    "物业维修不及时": "已督促物业上门维修，并要求物业公示报修电话和处理时限。",
    "健身器材损坏": "已通知街道文体站更换损坏器材。",
    "建议开设四点半课堂": "社区将联合辖区学校和志愿者，从下学期起在党群服务中心开设四点半课堂。",
    "路灯不亮": "已报市政路灯所维修，现已恢复照明。",
}


@dataclass
class MailboxDemo:
    letters: list[int] = field(default_factory=list)


def load(db: Session, notifier: Notifier | None = None) -> MailboxDemo:
    """The letters above, through the services. Needs the shell's and the forums' demo first."""
    notifier = notifier or Notifier()
    tree = load_org_tree(db)
    orgs = {o.slug: o for o in db.scalars(select(Organization))}
    secretaries = {
        u.username: u for u in db.scalars(select(User).where(User.username.in_(SECRETARIES.values())))
    }
    writers = _residents(db)
    made = MailboxDemo()
    for i, spec in enumerate(LETTERS):
        writer = None if spec.anonymous or not writers else writers[i % len(writers)]
        letter = _write(db, notifier, tree, orgs[spec.org], spec, writer)
        secretary = secretaries[_secretary_of(tree, orgs[spec.org].id, orgs)]
        for step in spec.steps:
            _step(db, notifier, tree, letter, secretary, step, spec)
        _date_back(db, tree, letter, spec)
        if spec.consent and letter.status in publication.PUBLISHABLE:
            found = publication.candidates(db, letter)
            publication.publish(db, letter, actor=secretary, chosen=found)
        made.letters.append(letter.id)
    return made


def _residents(db: Session) -> list[User]:
    query = (
        select(User).join(Membership, Membership.user_id == User.id).where(Membership.role == Role.RESIDENT)
    )
    return list(db.scalars(query.order_by(User.id).limit(5)))


def _secretary_of(tree: OrgTree, org_id: int, orgs: dict[str, Organization]) -> str:
    for ancestor in tree.path(org_id):
        slug = tree.by_id[ancestor].slug
        if slug in SECRETARIES:
            return SECRETARIES[slug]
    return SECRETARIES["dongfeng"]


def _write(
    db: Session, notifier: Notifier, tree: OrgTree, org: Organization, spec: Spec, writer: User | None
) -> Letter:
    draft = writing.Draft(
        org.id, spec.category, spec.subject, spec.body, "", spec.names, spec.anonymous, spec.consent
    )
    letter, _code = writing.write_letter(
        db,
        tree=tree,
        draft=draft,
        writer=writer,
        client_address="",
        upload_dir=Path("."),
        max_upload_bytes=0,
        notifier=notifier,
    )
    return letter


def _step(
    db: Session, notifier: Notifier, tree: OrgTree, letter: Letter, secretary: User, step: str, spec: Spec
) -> None:
    moves = {
        "accept": Status.ACCEPTED,
        "progress": Status.IN_PROGRESS,
        "wait": Status.WAITING,
        "close": Status.CLOSED,
    }
    if step in moves:
        reason = "请补充具体位置和照片。" if step == "wait" else ""
        handling.change_status(
            db, notifier, tree, letter, actor=secretary, target=moves[step].value, reason=reason
        )
    elif step == "decline":
        reason = "社保卡补办属人社部门职责，请到区政务服务中心人社窗口办理。"
        handling.change_status(db, notifier, tree, letter, actor=secretary, target="declined", reason=reason)
    elif step == "reply":
        body = REPLIES.get(spec.subject, "已收到您的来信，正在办理。")
        handling.reply(db, notifier, tree, letter, actor=secretary, body=body)
    elif step in ("solved", "unsolved"):
        rating = "satisfied" if step == "solved" else "unsatisfied"
        conversation.rate(db, letter, rating=rating, solved="yes" if step == "solved" else "no")
    elif step == "reopen":
        conversation.reopen(db, notifier, tree, letter, reason="只换了一件，另一件还是坏的。")
    elif step == "transfer":
        parent = tree.by_id[letter.organization_id].parent_id
        handling.transfer(
            db, notifier, tree, letter, actor=secretary, target_id=parent, note="涉及全社区，请社区党委统筹。"
        )
    elif step == "extend":
        handling.extend_deadline(
            db, notifier, tree, letter, actor=secretary, days=5, reason="需与区人社局对接培训名额。"
        )


def _date_back(db: Session, tree: OrgTree, letter: Letter, spec: Spec) -> None:
    """Move the letter and its history `days_ago` into the past, the first reply
    `reply_hours` after receipt, and measure the reply against the deadline again."""
    db.flush()
    delta = timedelta(days=spec.days_ago)
    events = list(
        db.scalars(select(LetterEvent).where(LetterEvent.letter_id == letter.id).order_by(LetterEvent.id))
    )
    for event in events:
        event.created_at -= delta
    letter.created_at -= delta
    letter.clock_start -= delta
    if letter.paused_at is not None:
        letter.paused_at -= delta
    zone = clock.timezone_of(tree, letter.organization_id)
    letter.month = deadlines.local_date(letter.created_at, zone).strftime("%Y-%m")
    clock.recompute(db, tree, letter)
    if letter.first_replied_at is not None and spec.reply_hours is not None:
        replied = letter.created_at + timedelta(hours=spec.reply_hours)
        first = next(e for e in events if e.kind is EventKind.REPLY)
        for event in events:
            if event.id >= first.id:
                event.created_at = replied + (event.created_at - first.created_at)
        letter.first_replied_at = replied
        letter.reply_seconds = spec.reply_hours * 3600
        letter.replied_on_time = letter.due_at is None or replied < letter.due_at
