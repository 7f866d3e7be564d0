"""Demo data for the disclosure area, made through the services: a vacant post open for
nomination with two candidates (drawn portraits), notices of every category, one notice revised
twice, one withdrawn, and a candidate in its publicity period with objections, one handled.
`bulk` adds that many notices straight into the tables, for the benchmark."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from grassroots import markup, uploads
from grassroots.accounts.models import Organization, User
from grassroots.db import utcnow

from . import cache, objections, publishing
from .forms import NoticeCategory
from .models import Disclosure, Kind, Revision, State

SEED = 20261202
BULK_CHUNK = 2000
NOTICES = [
    (
        "yangguang",
        NoticeCategory.DECISION,
        "关于老旧小区加装电梯补贴分配的决议",
        "经社区党委会研究，**2027 年加装电梯补贴**按以下顺序分配：\n\n"
        "- 已完成全体住户签字的单元优先；\n- 七十岁以上老人较多的单元其次。",
    ),
    (
        "yangguang",
        NoticeCategory.MEETING,
        "十一月党员大会会议记录",
        "时间：11 月 20 日下午。出席党员 46 名。\n\n"
        "议题：\n\n1. 学习基层组织选举工作条例；\n2. 讨论第一支部补选方案。",
    ),
    (
        "yangguang",
        NoticeCategory.FINANCE,
        "2026 年第三季度党费收缴与使用情况",
        "本季度收缴党费 **12,480 元**，全额上缴街道党工委。支出：慰问困难党员 3 户，共 1,500 元。",
    ),
    (
        "heping",
        NoticeCategory.PERSONNEL,
        "关于张伟同志任和平社区党委书记的公示",
        "经街道党工委研究，张伟同志任和平社区党委书记。",
    ),
    (
        "heping",
        NoticeCategory.OTHER,
        "社区党群服务中心冬季开放时间调整",
        "自 12 月 1 日起，开放时间调整为每天 8:30—17:30，周一闭馆。",
    ),
]
CANDIDATES = [
    (
        "王秀兰",
        "1975 年生，大专文化，2001 年入党。在社区从事网格工作十年，熟悉每一栋楼的情况。",
        "把组织生活开实，把党员发展做细：每月一次主题党日，每季度一次入户走访。",
        ["2012–2016 阳光社区第一党支部宣传委员", "2016– 阳光社区网格员"],
        "党员推荐（18 人）",
        "资格审查通过",
        (196, 64, 52),
    ),
    (
        "李建华",
        "1968 年生，退休教师，1995 年入党。组织老年志愿服务队五年。",
        "让老党员发挥余热，帮助年轻党员成长。",
        ["1990–2018 阳光中学教师", "2019– 社区志愿服务队队长"],
        "党员推荐（11 人）、群众推荐（23 人）",
        "资格审查通过",
        (52, 101, 164),
    ),
]


def load(db: Session, data_dir: Path, *, bulk: int = 0, progress: Callable[[str], None] | None = None) -> int:
    """Load the demo disclosures; returns the vacant post's id (the voting demo's election fills it)."""
    orgs = {o.slug: o for o in db.scalars(select(Organization))}
    secretary = db.scalars(select(User).where(User.username == "yg_shuji")).one()
    hp_secretary = db.scalars(select(User).where(User.username == "hp_shuji")).one()
    writer = {"yangguang": secretary, "heping": hp_secretary}
    for slug, category, title, body in NOTICES:
        publishing.publish(
            db,
            actor=writer[slug],
            role="secretary",
            organization_id=orgs[slug].id,
            kind=Kind.NOTICE,
            typed={"title": title, "category": category, "body": body},
        )
    _revised_and_withdrawn(db, secretary, orgs["yangguang"])
    post = _vacant_post(db, secretary, orgs["yangguang-1"])
    for number, spec in enumerate(CANDIDATES):
        _candidate(db, data_dir, secretary, orgs["yangguang-1"], post, spec, publicity=number == 0)
    if bulk:
        _bulk(db, list(orgs.values()), bulk, progress)
    return post.id


def _revised_and_withdrawn(db: Session, secretary: User, org: Organization) -> None:
    typed = {
        "title": "关于调整社区停车位收费标准的通知",
        "category": "decision",
        "body": "经居民代表会议讨论，地面停车位每月 **150 元**，自 2027 年 1 月起执行。",
    }
    notice = publishing.publish(
        db, actor=secretary, role="secretary", organization_id=org.id, kind=Kind.NOTICE, typed=typed
    )
    for body, note in (
        ("经居民代表会议讨论，地面停车位每月 **120 元**，自 2027 年 1 月起执行。", "按居民意见下调收费"),
        (
            "经居民代表会议讨论，地面停车位每月 **120 元**，自 2027 年 3 月起执行；低保户减半。",
            "推迟执行并增加减免",
        ),
    ):
        typed = {**typed, "body": body}
        publishing.revise(db, disclosure=notice, actor=secretary, role="secretary", typed=typed, note=note)
    wrong = publishing.publish(
        db,
        actor=secretary,
        role="secretary",
        organization_id=org.id,
        kind=Kind.NOTICE,
        typed={
            "title": "关于暂停党群服务中心开放的通知",
            "category": "other",
            "body": "因设备检修，暂停开放一周。",
        },
    )
    publishing.withdraw(
        db, disclosure=wrong, actor=secretary, role="secretary", reason="检修改期，本通知作废。"
    )


def _vacant_post(db: Session, secretary: User, org: Organization) -> Disclosure:
    today = utcnow().date()
    return publishing.publish(
        db,
        actor=secretary,
        role="secretary",
        organization_id=org.id,
        kind=Kind.POST,
        typed={
            "title": "阳光社区第一党支部组织委员（补选）",
            "seats": "1",
            "status": "open",
            "duties": "负责支部的组织建设：党员教育管理、发展党员、组织关系接转和党费收缴。",
            "requirements": "- 正式党员，党龄三年以上；\n- 身体健康，能保证每周至少两个半天的时间；\n"
            "- 热心社区事务，群众基础好。",
            "nomination_opens": today.isoformat(),
            "nomination_closes": (today + timedelta(days=14)).isoformat(),
        },
    )


def _candidate(
    db: Session,
    data_dir: Path,
    secretary: User,
    org: Organization,
    post: Disclosure,
    spec: tuple,
    *,
    publicity: bool,
) -> None:  # type: ignore[type-arg]
    name, biography, statement, timeline, how, review, colour = spec
    photo = uploads.store(
        db,
        data_dir,
        field="photo",
        filename=f"{name}.png",
        data=_portrait(colour),
        allowed={uploads.FileKind.IMAGE},
        max_bytes=10_000_000,
    )
    candidate = publishing.publish(
        db,
        actor=secretary,
        role="secretary",
        organization_id=org.id,
        kind=Kind.CANDIDATE,
        post_id=post.id,
        publicity_days=5 if publicity else 0,
        media={"photo": photo.name},
        typed={
            "title": f"{name}：{post.title}候选人",
            "name": name,
            "biography": biography,
            "statement": statement,
            "timeline": "\n".join(timeline),
            "nominated_how": how,
            "review": review,
        },
    )
    if publicity:
        first = objections.lodge(
            db,
            disclosure=candidate,
            author=None,
            body="候选人任职经历中的年份有误，应为 2013 年。",
            contact="",
            client="demo",
        )
        objections.lodge(
            db,
            disclosure=candidate,
            author=None,
            body="希望候选人说明每周能保证多少时间。",
            contact="微信 wxid_demo",
            client="demo",
        )
        objections.handle(db, objection=first, actor=secretary, response="经核实，年份无误，已向反映人说明。")


def _portrait(colour: tuple[int, int, int]) -> bytes:
    """A drawn head and shoulders on a soft ground: the demo has no real people to photograph."""
    image = Image.new("RGB", (480, 600), tuple(min(255, c + 150) for c in colour))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 110, 330, 310), fill=(236, 200, 170))
    draw.rounded_rectangle((70, 330, 410, 640), radius=120, fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _bulk(db: Session, orgs: list[Organization], count: int, progress: Callable[[str], None] | None) -> None:
    """`count` notices, their first revisions, spread over the organizations and the past year."""
    rng = random.Random(SEED)
    now = utcnow()
    rendered = {i: markup.render(body) for i, (*_, body) in enumerate(NOTICES)}
    pointers: list[dict[str, int]] = []
    for first in range(0, count, BULK_CHUNK):
        rows, revisions = [], []
        for offset in range(min(BULK_CHUNK, count - first)):
            number = first + offset
            _slug, category, title, body = NOTICES[number % len(NOTICES)]
            moment = now - timedelta(minutes=rng.randint(60, 525_600))
            text = markup.plain_text(rendered[number % len(NOTICES)])
            rows.append(
                {
                    "organization_id": orgs[number % len(orgs)].id,
                    "kind": Kind.NOTICE,
                    "state": State.PUBLISHED,
                    "title": f"{title}（{number + 1}）",
                    "summary": text[:140],
                    "category": category.value,
                    "revision_count": 1,
                    "publish_at": moment,
                    "created_at": moment,
                    "updated_at": moment,
                    "objections_received": 0,
                    "objections_handled": 0,
                    "withdrawn_role": "",
                    "withdrawn_reason": "",
                }
            )
            revisions.append(
                {
                    "number": 1,
                    "title": f"{title}（{number + 1}）",
                    "fields": json.dumps(
                        {"category": category.value, "body": body}, ensure_ascii=False, sort_keys=True
                    ),
                    "rendered": json.dumps({"body": rendered[number % len(NOTICES)]}, ensure_ascii=False),
                    "note": "",
                    "editor_role": "secretary",
                    "created_at": moment,
                }
            )
        ids = db.scalars(
            insert(Disclosure).returning(Disclosure.id, sort_by_parameter_order=True), rows
        ).all()
        made = db.scalars(
            insert(Revision).returning(Revision.id, sort_by_parameter_order=True),
            [{**r, "disclosure_id": i} for r, i in zip(revisions, ids, strict=True)],
        ).all()
        for disclosure_id, revision_id in zip(ids, made, strict=True):
            pointers.append({"id": disclosure_id, "current_revision_id": revision_id})
        if progress:
            progress(f"disclosure demo: {first + len(rows):,} of {count:,} notices")
    db.execute(update(Disclosure), pointers)  # a bulk UPDATE by primary key
    cache.changed(db)
