"""Demo data for the forums, loaded after the shell's (grassroots/demo.py): boards for the
organizations with their moderators, threads with nested replies in residents' and members' own
words, an open opinion solicitation and an answered one.

The small set goes through the forum's own services (start_thread, reply, open_solicitation,
publish_response), so counters, the search index, watches, notifications and the audit log are
exactly what the site would have made. `threads=N` adds N more threads of `posts_per_thread`
posts each, inserted in bulk for benchmarks (a million posts in minutes): the rows are laid out
by the same scheme as forum/posting.py (floors, sort keys, depths, reply counts, thread and board
counters) and indexed for search the way forum/search.py indexes a post.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from grassroots import markup
from grassroots.accounts.models import Membership, Organization, Role, User
from grassroots.db import Database, utcnow
from grassroots.notifications import Notifier
from moderation import screening
from moderation.models import Standing

from . import boards as board_service
from . import posting, solicitations, words
from .models import Board, ContentState, Post, SearchEntry, Thread, ThreadKind, Watch
from .posting import floor_segment
from .reading import SHOWN_DEPTH
from .solicitations import DecisionInput

SEED = 20261123
# Bulk replies nest at most this deep, so that a thread of 50 posts shows all 50 on its page.
BULK_MAX_DEPTH = SHOWN_DEPTH
CHUNK_POSTS = 10_000
REPLY_MIN_CHARS = 60
BIG_LOAD = 100_000  # posts; from here on PostgreSQL builds the indexes after the rows
Rows = list[dict[str, Any]]

# ---------------------------------------------------------------- what people say

# {place} is filled with a building or estate of the board's community.
TOPICS: dict[str, dict[str, list[str]]] = {
    "renovation": {
        "titles": [
            "{place}老旧小区改造，大家最关心哪些事？",
            "改造施工期间{place}的出行问题",
            "{place}外墙保温和屋顶防水能不能一起做",
            "关于{place}雨污分流改造的几点建议",
            "{place}改造后的绿化怎么管",
        ],
        "openings": [
            "听说今年我们{place}列入了老旧小区改造计划，想问问具体都改哪些项目。",
            "我家住顶楼，一下大雨屋顶就渗水，墙皮一块一块往下掉，希望这次改造能把防水彻底做好。",
            "小区的管网都是九十年代铺的，雨污不分，夏天一下暴雨单元门口就积水。",
            "改造方案上周在宣传栏贴出来了，字太小，很多老人看不清，能不能在群里再发一份？",
            "施工队进场以后，楼道里堆了不少材料，晚上没灯，老人孩子走路不安全。",
            "希望改造不要只刷外墙，楼道扶手、单元门禁、信报箱这些天天用的东西更要紧。",
        ],
        "replies": [
            "顶楼渗水的问题我们楼也有，去年报修了三次都没修好。",
            "建议施工前先把每栋楼的问题列个清单，让住户签字确认，免得漏项。",
            "外墙保温做了冬天确实暖和不少，隔壁小区改完以后反映挺好。",
            "能不能把电动车充电桩一起规划进去？现在好多人从楼上拉线充电，太危险了。",
            "施工时间最好避开中午，楼里有上夜班的，还有刚出生的孩子。",
            "改造资金是政府出还是要住户出一部分？这个要提前说清楚。",
            "我是楼长，已经把大家的意见汇总了一份，明天交给社区。",
            "绿化改造别都种草坪，种点好养活的灌木，省得以后没人管。",
            "楼道里的管线乱得像蜘蛛网，这次能不能统一规整一下？",
            "支持改造！就是希望施工期间垃圾及时清运，别堆在楼下好几天。",
        ],
    },
    "elevator": {
        "titles": [
            "{place}加装电梯，一楼住户的顾虑怎么解决",
            "{place}加装电梯费用怎么分摊比较合理",
            "问一下{place}加装电梯的审批进度",
            "加装电梯以后的维保费谁来出？",
            "{place}加装电梯，欢迎大家说说想法",
        ],
        "openings": [
            "我们单元住的大多是七八十岁的老人，爬六楼实在太难了，加装电梯是大家盼了好几年的事。",
            "一楼、二楼的邻居担心电梯挡光、有噪音，这个顾虑也要认真对待。",
            "按楼层分摊费用是多数小区的做法，楼层越高出得越多，一楼一般不出钱。",
            "听说市里对既有住宅加装电梯有补贴，每台最多能补二十万，具体怎么申请？",
            "电梯装好以后每年的维保、电费、年检加起来也不少，得提前商量好。",
        ],
        "replies": [
            "我家在五楼，老伴腿脚不好，一个月都下不了几次楼，太需要电梯了。",
            "一楼的意见我理解，能不能选靠北面的方案，尽量不挡南边的窗户？",
            "我们隔壁单元去年装好了，平层入户的方案，用下来挺方便。",
            "分摊比例可以参考和平里那边的做法，四楼以上按系数递增。",
            "补贴要先成立加装电梯的业主小组，再找有资质的公司出方案，社区可以帮忙对接。",
            "噪音其实不大，现在的电梯都有减震，关键是施工那两个月要忍一忍。",
            "建议把维保合同一次签五年，价格能谈下来一些。",
            "我家是二楼，用不上电梯，但可以出一点钱，邻里之间互相体谅。",
            "有没有懂行的邻居帮忙看看设计图？我对基础开挖那部分不太放心。",
            "同意先征求全体住户意见，三分之二以上同意再往下推进。",
        ],
    },
    "parking": {
        "titles": [
            "{place}晚上停车太难了，大家有什么好办法",
            "关于{place}地面停车位划线的建议",
            "{place}消防通道被占的问题能不能管一管",
            "{place}能不能和周边单位错时共享停车",
            "外来车辆随便进出{place}，停车位越来越紧张",
        ],
        "openings": [
            "每天晚上八点以后回来基本找不到车位，只能绕着小区转好几圈。",
            "消防通道上经常停满了车，万一有个急事救护车都进不来。",
            "小区车位只有三百来个，登记的私家车有五百多辆，缺口太大了。",
            "旁边的写字楼晚上和周末停车场都空着，能不能跟他们谈谈错时共享？",
            "门口的道闸坏了大半年，外面的车随便进来停，本小区的人反倒没地方停。",
        ],
        "replies": [
            "建议把消防通道两边画上黄色网格线，再装个摄像头，效果会好很多。",
            "错时共享这个办法好，我们单位那边就和附近小区签过协议。",
            "可以先给本小区车辆办停车证，外来车辆临时停车收费。",
            "绿化带旁边那一排其实可以改成生态停车位，又能停车又不影响绿化。",
            "有的人家一家三辆车都停在小区里，是不是应该限制一下？",
            "道闸的事我反映过好几次了，物业说在走流程，希望社区帮着催一催。",
            "电动车乱停也是个问题，单元门口经常堵得推不出来。",
            "晚上可以在小区主路单侧临时停车，早上七点半前开走，别的小区这么试过。",
            "车位划线的时候别忘了留出无障碍车位。",
            "我每天早上六点就出门，车位不愁，就是晚上回来停车难。",
        ],
    },
    "garbage": {
        "titles": [
            "{place}垃圾分类定时定点投放，时间能不能调整",
            "厨余垃圾破袋投放太麻烦了，有没有好办法",
            "{place}垃圾分类志愿者招募",
            "大件垃圾和装修垃圾到底该怎么扔",
            "{place}垃圾桶站旁边味道太大，夏天尤其严重",
        ],
        "openings": [
            "现在早上七点到九点、晚上六点到八点投放，上班族早上赶不上，晚上又经常加班。",
            "厨余垃圾要破袋倒进桶里，手上全是油，能不能在桶站旁边装个洗手池？",
            "楼下的分类桶站夏天味道特别大，还招苍蝇，希望能增加清运次数。",
            "上个月有人把旧沙发直接扔在桶站边上，放了一个星期都没人管。",
            "垃圾分类搞了两年了，大部分邻居都做得挺好，就是还有少数人图省事混着扔。",
        ],
        "replies": [
            "建议晚上投放时间延长到九点，照顾一下下班晚的年轻人。",
            "桶站旁边装洗手池这个建议好，隔壁小区就有，用着很方便。",
            "大件垃圾可以打物业电话预约，每周三统一清运。",
            "装修垃圾要装袋放到指定的临时堆放点，不能和生活垃圾混在一起。",
            "我报名当垃圾分类志愿者，周末早上可以值班。",
            "可回收物可以攒起来，每月第一个周六有回收车来小区，还能换积分。",
            "桶站每天至少冲洗一次，夏天喷点除臭剂，味道会好很多。",
            "孩子在学校学了垃圾分类，回家比我们大人分得还认真。",
            "有害垃圾比如废电池、过期药品，放在红色的桶里，别扔进其他垃圾里。",
            "混投的情况可以先劝导，志愿者多提醒几次大家就习惯了。",
        ],
    },
    "volunteering": {
        "titles": [
            "{place}周末志愿服务活动报名",
            "给独居老人送餐的志愿者还缺人",
            "社区义诊和义务理发活动，欢迎参加",
            "{place}行动不便的老人，邻居们能不能搭把手",
            "暑假托管班招募大学生志愿者",
        ],
        "openings": [
            "本周六上午九点在社区广场开展志愿服务，有义务理发、测血压、磨剪刀、家电维修。",
            "社区里有三十多位独居老人，每天中午送餐的志愿者还差五六个人。",
            "我们楼有几位行动不便的老人，买菜取药都成问题，想组织几个邻居轮流帮忙。",
            "暑假托管班需要能辅导作业的志愿者，大学生、退休教师都欢迎。",
            "上次志愿服务活动来了一百多位居民，效果很好，打算每月固定搞一次。",
        ],
        "replies": [
            "我报名！周六上午有空，可以帮忙测血压，我以前是护士。",
            "送餐我可以负责五号楼到八号楼，每天中午骑电动车送过去。",
            "建议建个志愿者微信群，排班表放在群里，谁有事可以互相调换。",
            "我是退休的数学老师，暑假可以每周来两个下午辅导孩子作业。",
            "家电维修这个太实用了，我家的电饭煲正好坏了。",
            "志愿服务时长能不能记录一下？年轻人参加积极性会更高。",
            "去年冬天给老人送棉衣的活动很暖心，今年还可以接着搞。",
            "带上孩子一起参加志愿服务，也是很好的教育。",
            "在职党员到社区报到，可以优先认领这些志愿岗位。",
            "感谢各位志愿者，上次帮我家老人换了灯泡，真是帮了大忙。",
        ],
    },
    "services": {
        "titles": [
            "{place}附近哪里可以修鞋配钥匙？",
            "{place}快递柜不够用，包裹经常堆在门卫室",
            "菜市场搬走以后买菜不方便了",
            "社区食堂的饭菜大家觉得怎么样",
            "{place}的路灯坏了好几盏，请帮忙报修",
        ],
        "openings": [
            "原来门口修鞋配钥匙的王师傅搬走了，现在不知道去哪儿找。",
            "小区只有两组快递柜，一到下午就满了，包裹只能堆在门卫室，丢过好几次。",
            "老菜市场拆了以后，最近的超市要走二十分钟，对老人来说太远了。",
            "社区食堂开了三个月了，十五块钱两荤一素，味道还行，就是中午排队有点长。",
            "从北门进来那条路的路灯坏了三盏，晚上黑乎乎的，走路心里发慌。",
        ],
        "replies": [
            "修鞋的王师傅现在在和平路菜场门口，每天上午都在。",
            "建议再加装一组快递柜，或者引进一家驿站。",
            "周末有流动售菜车来小区，价格比超市便宜，就是时间不固定。",
            "社区食堂能不能给八十岁以上老人打个折？",
            "路灯的事我已经打过12345了，说这周安排人来修。",
            "食堂要是能提供送餐上门就好了，有些老人下不了楼。",
            "快递员说柜子是按格收费的，所以他们更愿意放门卫室，这个得协调一下。",
            "小区里有个便民服务点，可以量血压、充公交卡、交水电费。",
            "希望能在小区里开个便民维修点，换个水龙头都要等好几天。",
            "谢谢社区，路灯昨天晚上已经修好了。",
        ],
    },
    "study": {
        "titles": [
            "本月主题党日活动安排",
            "{place}党员学习心得交流",
            "“三会一课”学习笔记分享",
            "关于在职党员到社区报到的讨论",
            "组织生活会会前征求意见",
        ],
        "openings": [
            "本月主题党日安排在第二个周三下午两点，地点在社区党群服务中心二楼会议室。",
            "这次集中学习的内容是党章和党的组织工作条例，请大家提前自学，会上交流体会。",
            "离退休老党员行动不便的，支部可以安排送学上门，大家看看谁家需要。",
            "在职党员到社区报到以后，可以认领楼栋长、网格员、志愿服务等岗位。",
            "组织生活会前，请每位党员对支部工作提出意见和建议，可以在这里留言。",
        ],
        "replies": [
            "收到，准时参加。我会提前把学习材料看一遍。",
            "我那天单位有事请假，会后把学习笔记补上。",
            "建议学习形式多样一些，可以结合社区的实际工作来讨论。",
            "老党员的经验很宝贵，能不能请老支书讲讲当年社区建设的故事？",
            "送学上门我可以参加，三号楼的两位老党员我比较熟。",
            "我认领七号楼的楼栋长，平时多和居民沟通。",
            "党员要在垃圾分类、文明养犬这些小事上带头，居民都看在眼里。",
            "对支部的意见：会议通知最好提前一周发，方便在职党员请假。",
            "这次学习很有收获，特别是关于密切联系群众的部分，很有针对性。",
            "支部可以把每次学习的资料整理成册，方便没来参加的同志补学。",
        ],
    },
}

GENERIC_REPLIES = [
    "同意楼上的说法。",
    "这个问题我们楼也存在，希望能一起解决。",
    "支持！盼了好久了。",
    "社区工作人员辛苦了。",
    "能不能开个居民议事会，大家当面商量？",
    "我补充一点：老人和孩子的需求要优先考虑。",
    "说得在理，但也得考虑大家的实际困难。",
    "具体情况可以问问楼长，他们最清楚。",
    "希望有个时间表，什么时候能落实。",
    "赞成先试点，效果好了再推广。",
    "谢谢大家的热心，有什么需要帮忙的尽管说。",
    "这个事情我去年就提过，希望这次能有个结果。",
]

CLOSINGS = [
    "**希望社区尽快给个答复。**",
    "大家有什么想法，欢迎在下面留言。",
    "先说这么多，**欢迎邻居们补充**。",
    "谢谢！",
]

PLACES = {
    "yangguang": ["阳光小区3号楼", "阳光小区5号楼", "阳光花园", "阳光小区东区", "阳光小区7号楼2单元"],
    "heping": ["和平里小区", "和平新苑", "和平里12号楼", "和平新苑北区", "和平里8号楼"],
    "dongfeng": ["东风街道", "阳光小区", "和平里小区", "东风路沿街楼", "和平新苑"],
}

# (organization, slug, name, description, members only, topics, moderators)
BOARDS = [
    ("dongfeng", "dongfeng-yishi", "街道议事厅",
     "全街道居民都可以参与的讨论：大事小事，大家商量着办。",
     False, ["renovation", "parking", "garbage", "volunteering"], "shuji"),
    ("yangguang", "yangguang-yishi", "社区议事厅",
     "阳光社区居民议事：老旧小区改造、加装电梯、停车、垃圾分类。",
     False, ["renovation", "elevator", "parking", "garbage"], "yg_banzhu"),
    ("yangguang", "yangguang-bianmin", "便民服务",
     "修鞋配钥匙、快递、买菜、报修、志愿服务，互帮互助。",
     False, ["services", "volunteering"], "yg_banzhu"),
    ("heping", "heping-yishi", "社区议事厅",
     "和平社区居民议事：停车、加装电梯、垃圾分类、小区环境。",
     False, ["parking", "elevator", "garbage", "renovation"], "hp_banzhu"),
    ("heping", "heping-bianmin", "便民服务",
     "生活里的大事小情，邻里互助。",
     False, ["services", "volunteering"], "hp_banzhu"),
    ("yangguang-1", "yangguang-1-zhibu", "支部生活",
     "第一党支部的组织生活、通知和讨论，仅党员可见。",
     True, ["study", "volunteering"], "yg_banzhu"),
    ("yangguang-1", "yangguang-1-xuexi", "党员学习",
     "学习资料、心得体会交流。",
     True, ["study"], "yg_banzhu"),
    ("yangguang-2", "yangguang-2-zhibu", "支部生活",
     "第二党支部的组织生活、通知和讨论，仅党员可见。",
     True, ["study", "volunteering"], "yg_banzhu"),
    ("heping-1", "heping-1-zhibu", "支部生活",
     "在职党员和青年党员支部的组织生活。",
     True, ["study", "volunteering"], "hp_banzhu"),
    ("heping-retired", "heping-retired-zhibu", "支部生活",
     "离退休党员支部，每月第二个周三过组织生活。",
     True, ["study"], "hp_banzhu"),
    ("heping-retired", "heping-retired-xuexi", "党员学习",
     "老党员的学习园地，送学上门的安排也在这里。",
     True, ["study"], "hp_banzhu"),
]  # fmt: skip

# Staff named in @mentions, by the community a board belongs to.
MENTIONABLE = {
    "yangguang": ["yg_shuji", "yg_banzhu"],
    "heping": ["hp_shuji", "hp_banzhu"],
    "dongfeng": ["shuji"],
}

# The two solicitations: an open one, and one past its deadline with the published response.
OPEN_SOLICITATION = {
    "board": "yangguang-yishi",
    "author": "yg_shuji",
    "title": "关于阳光小区3号楼、5号楼加装电梯方案的征求意见",
    "question": (
        "各位居民：\n\n阳光小区3号楼、5号楼加装电梯的初步方案已经出来了，主要内容是：\n\n"
        "1. 电梯井道设在楼的北侧，平层入户；\n2. 费用按楼层系数分摊，一楼不出资；\n"
        "3. 申请市里的既有住宅加装电梯补贴。\n\n"
        "请大家在截止时间前留言，说说你的意见和顾虑。**每一条意见社区都会逐条答复。**"
    ),
    "days": 14,
    "opinions": [
        "我家住5号楼六楼，**完全支持**。老伴腿脚不好，有了电梯就能常下楼晒太阳了。",
        "我是3号楼一楼的住户，担心北侧井道挡住厨房的采光，能不能把方案图贴出来让大家看看？",
        "分摊系数建议公开计算方法，最好请第三方评估一下，免得以后有争议。",
    ],
    "discussion": (
        "北侧的井道其实离厨房窗户还有一米多，去年和平里装的也是这种，采光影响不大。"
        "@yg_shuji 能不能组织一楼的邻居去和平里实地看看？"
    ),
}

ANSWERED_SOLICITATION = {
    "board": "heping-yishi",
    "author": "hp_shuji",
    "title": "和平里小区地面停车位重新划线方案征求意见",
    "question": (
        "和平里小区登记车辆五百多辆，地面车位只有三百来个。社区拟对地面停车位重新划线，"
        "并清理消防通道。请大家提意见，截止后社区将逐条答复。"
    ),
    "opinions": [
        ("消防通道两边画黄色网格线，装上摄像头，占道的车及时提醒挪走。", "adopted", ""),
        (
            "晚上允许在主路单侧临时停车，早上七点半前开走。",
            "partly",
            "主路单侧可以临时停车，但为保证早高峰通行，时间定为晚七点到早七点。",
        ),
        (
            "一户只允许登记一辆车。",
            "not_adopted",
            "一户一车的限制缺少依据，也会影响家里有老人需要接送的住户；先通过错时共享增加车位。",
        ),
        ("和旁边写字楼谈错时共享，晚上和周末把车停过去。", "adopted", ""),
    ],
    "discussion": "错时共享这个我赞成，写字楼的物业我认识，可以帮忙牵个线。",
    "summary": (
        "感谢大家的参与！本次共收到意见四条。社区已与和平大厦物业签订错时共享停车协议，"
        "下月起晚上和周末可停放六十辆车；消防通道将画线并安装提示摄像头。"
    ),
}


# ---------------------------------------------------------------- composing


@dataclass
class Composer:
    """Makes titles and bodies from the pool above, with a seeded random source."""

    rng: random.Random

    def place(self, org_slug: str) -> str:
        community = "yangguang" if org_slug.startswith("yangguang") else "heping"
        return self.rng.choice(PLACES.get(org_slug, PLACES[community]))

    def title(self, topic: str, org_slug: str) -> str:
        return self.rng.choice(TOPICS[topic]["titles"]).format(place=self.place(org_slug))

    def opening(self, topic: str, org_slug: str) -> str:
        pool = TOPICS[topic]
        sentences = self.rng.sample(pool["openings"], self.rng.randint(2, 3))
        body = "".join(sentences).format(place=self.place(org_slug))
        if len(body) < REPLY_MIN_CHARS:
            body += self.rng.choice(CLOSINGS[1:2])
        shape = self.rng.random()
        if shape < 0.35:
            items = self.rng.sample(pool["replies"], self.rng.randint(2, 3))
            body += "\n\n我的想法有几条：\n\n" + "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
        elif shape < 0.55:
            body += "\n\n" + self.rng.choice(CLOSINGS)
        if self.rng.random() < 0.15:
            body += f"\n\n@{self.rng.choice(self._mentionable(org_slug))} 请帮忙关注一下。"
        return body

    def reply(self, topic: str, org_slug: str, quote_from: str = "") -> str:
        pool = TOPICS[topic]["replies"]
        count = self.rng.randint(2, 4)
        sentences = [self.rng.choice(GENERIC_REPLIES) if self.rng.random() < 0.3 else self.rng.choice(pool)]
        sentences += self.rng.sample(pool, count - 1)
        body = "".join(dict.fromkeys(sentences))
        while len(body) < REPLY_MIN_CHARS:  # a few words more, so that no reply is a bare "+1"
            body += self.rng.choice([s for s in pool if s not in body])
        if quote_from and self.rng.random() < 0.2:
            first = quote_from.split("。")[0].split("\n")[0]
            body = f"> {first}。\n\n{body}"
        if self.rng.random() < 0.05:
            body += f"\n\n@{self.rng.choice(self._mentionable(org_slug))} 这个能不能尽快落实？"
        return body

    def _mentionable(self, org_slug: str) -> list[str]:
        if org_slug == "dongfeng":
            return MENTIONABLE["dongfeng"]
        return MENTIONABLE["yangguang" if org_slug.startswith("yangguang") else "heping"]


# ---------------------------------------------------------------- loading


@dataclass
class ForumDemo:
    boards: list[Board] = field(default_factory=list)
    threads: int = 0
    posts: int = 0
    bulk_threads: int = 0
    bulk_posts: int = 0


def load(
    db: Session,
    notifier: Notifier | None = None,
    *,
    threads: int = 0,
    posts_per_thread: int = 50,
    seed: int = SEED,
    progress: Callable[[str], None] | None = None,
) -> ForumDemo:
    """Boards and the small set through the services, then `threads` bulk threads of
    `posts_per_thread` posts each. Needs the shell's demo (grassroots/demo.py) loaded first."""
    notifier = notifier or Notifier()
    rng = random.Random(seed)
    people = _People.load(db)
    made = ForumDemo()
    made.boards = _boards(db, people)
    _established(db, people, made.boards)
    _small_set(db, notifier, rng, people, made)
    if threads > 0 and posts_per_thread > 0:
        bulk = _Bulk(db, Composer(random.Random(seed + 1)), people, made.boards, progress or stderr_progress)
        made.bulk_threads, made.bulk_posts = bulk.load(threads, posts_per_thread)
    return made


def _established(db: Session, people: _People, boards: Sequence[Board]) -> None:
    """The demo's people are long-standing members of their community: what they write appears
    at once. Moderation's holds for new accounts are shown by accounts made afterwards."""
    org_ids = {board.organization_id for board in boards}
    user_ids = set(people.residents) | {uid for ids in people.members_by_org.values() for uid in ids}
    user_ids |= {user.id for user in people.by_username.values()}
    rows = [
        {"user_id": uid, "organization_id": oid, "published": screening.LINK_TRUST_POSTS}
        for uid in sorted(user_ids)
        for oid in sorted(org_ids)
    ]
    if rows:
        db.execute(insert(Standing), rows)


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class _People:
    by_username: dict[str, User]
    members_by_org: dict[str, list[int]]  # member user ids by organization slug
    residents: list[int]
    orgs: dict[str, Organization]

    @classmethod
    def load(cls, db: Session) -> _People:
        orgs = {o.slug: o for o in db.scalars(select(Organization))}
        slugs = {o.id: o.slug for o in orgs.values()}
        members: dict[str, list[int]] = {}
        residents: list[int] = []
        rows = db.execute(select(Membership.user_id, Membership.organization_id, Membership.role)).all()
        for user_id, org_id, role in rows:
            if role is Role.MEMBER:
                members.setdefault(slugs[org_id], []).append(user_id)
            elif role is Role.RESIDENT:
                residents.append(user_id)
        staff = [name for name, *_ in _staff()]
        users = {u.username: u for u in db.scalars(select(User).where(User.username.in_(staff)))}
        return cls(users, {k: sorted(v) for k, v in members.items()}, sorted(residents), orgs)

    def user(self, username: str) -> User:
        return self.by_username[username]

    def authors_for(self, org_slug: str, members_only: bool) -> list[int]:
        """Who may post in a board of `org_slug`: its members on a members-only board, anyone
        on a public one; the organization's staff when the demo has nobody else."""
        if members_only:
            found = list(self.members_by_org.get(org_slug, []))
        else:
            found = [uid for ids in self.members_by_org.values() for uid in ids] + self.residents
        return sorted(found) or [self.user(self._staff_of(org_slug)).id]

    @staticmethod
    def _staff_of(org_slug: str) -> str:
        if org_slug.startswith("yangguang"):
            return "yg_banzhu"
        if org_slug.startswith("heping"):
            return "hp_banzhu"
        return "shuji"


def _staff() -> list[tuple[str, str, str, str]]:
    from grassroots.demo import STAFF

    return STAFF


def _boards(db: Session, people: _People) -> list[Board]:
    admin = people.user("admin")
    made = []
    for org_slug, slug, name, description, members_only, _topics, moderators in BOARDS:
        made.append(
            board_service.create_board(
                db,
                actor=admin,
                organization_id=people.orgs[org_slug].id,
                slug=slug,
                name=name,
                description=description,
                members_only=members_only,
                moderators=moderators,
            )
        )
    return made


def _board_spec(slug: str) -> tuple[str, bool, list[str]]:
    for org_slug, board_slug, _name, _description, members_only, topics, _mods in BOARDS:
        if board_slug == slug:
            return org_slug, members_only, topics
    raise KeyError(slug)


def _small_set(db: Session, notifier: Notifier, rng: random.Random, people: _People, made: ForumDemo) -> None:
    composer = Composer(rng)
    users: dict[int, User] = {}

    def user(user_id: int) -> User:
        if user_id not in users:
            users[user_id] = db.get_one(User, user_id)
        return users[user_id]

    # Two or three threads a board, each with a few replies nested up to four deep.
    for board in made.boards:
        org_slug, members_only, topics = _board_spec(board.slug)
        authors = people.authors_for(org_slug, members_only)
        for topic in rng.sample(topics, min(len(topics), rng.randint(2, 3))):
            opening = composer.opening(topic, org_slug)
            thread = posting.start_thread(
                db,
                notifier,
                board=board,
                author=user(rng.choice(authors)),
                title=composer.title(topic, org_slug),
                body=opening,
            )
            posts: list[Post] = [db.scalars(select(Post).where(Post.thread_id == thread.id)).one()]
            for _ in range(rng.randint(3, 9)):
                parent = _pick_parent(rng, [(p.id, p.depth) for p in posts], max_depth=4)
                post = posting.reply(
                    db,
                    notifier,
                    thread=thread,
                    parent_id=parent,
                    author=user(rng.choice(authors)),
                    body=composer.reply(topic, org_slug, quote_from=opening),
                )
                posts.append(post)
            made.threads += 1
            made.posts += len(posts)
    _open_solicitation(db, notifier, people, made)
    _answered_solicitation(db, notifier, people, made)


def _pick_parent(rng: random.Random, posts: list[tuple[int, int]], *, max_depth: int) -> int:
    """The post a new reply answers: the opening post about a third of the time, else one of
    the thread's earlier posts, the recent ones likelier; never deeper than `max_depth` - 1."""
    if len(posts) == 1 or rng.random() < 0.35:
        return posts[0][0]
    recent = posts[-8:]
    post_id, depth = rng.choice(recent) if rng.random() < 0.7 else rng.choice(posts)
    if depth >= max_depth:
        return posts[0][0]
    return post_id


def _reply_as(
    db: Session, notifier: Notifier, thread: Thread, author: User, body: str, parent: int | None
) -> Post:
    return posting.reply(db, notifier, thread=thread, parent_id=parent, author=author, body=body)


def _open_solicitation(db: Session, notifier: Notifier, people: _People, made: ForumDemo) -> Thread:
    spec = OPEN_SOLICITATION
    board = next(b for b in made.boards if b.slug == spec["board"])
    thread = solicitations.open_solicitation(
        db,
        notifier,
        board=board,
        author=people.user(str(spec["author"])),
        title=str(spec["title"]),
        question=str(spec["question"]),
        deadline=utcnow() + timedelta(days=int(spec["days"])),  # type: ignore[call-overload]
    )
    authors = _opinion_authors(db, people, board, len(spec["opinions"]) + 1)
    opinions = [
        _reply_as(db, notifier, thread, authors[i], body, None) for i, body in enumerate(spec["opinions"])
    ]
    _reply_as(db, notifier, thread, authors[-1], str(spec["discussion"]), opinions[1].id)
    made.threads += 1
    made.posts += len(opinions) + 2
    return thread


def _answered_solicitation(db: Session, notifier: Notifier, people: _People, made: ForumDemo) -> Thread:
    spec = ANSWERED_SOLICITATION
    board = next(b for b in made.boards if b.slug == spec["board"])
    secretary = people.user(str(spec["author"]))
    thread = solicitations.open_solicitation(
        db,
        notifier,
        board=board,
        author=secretary,
        title=str(spec["title"]),
        question=str(spec["question"]),
        deadline=utcnow() + timedelta(days=7),
    )
    authors = _opinion_authors(db, people, board, len(spec["opinions"]) + 1)
    opinions = [
        (_reply_as(db, notifier, thread, authors[i], body, None), decision, reason)
        for i, (body, decision, reason) in enumerate(spec["opinions"])  # type: ignore[misc]
    ]
    _reply_as(db, notifier, thread, authors[-1], str(spec["discussion"]), opinions[3][0].id)
    # Opinions closed two days ago; the response can only come after the deadline.
    thread.deadline = utcnow() - timedelta(days=2)
    db.flush()
    solicitations.publish_response(
        db,
        notifier,
        thread=thread,
        actor=secretary,
        summary=str(spec["summary"]),
        decisions={post.id: DecisionInput(decision, reason) for post, decision, reason in opinions},
    )
    made.threads += 1
    made.posts += len(opinions) + 2
    return thread


def _opinion_authors(db: Session, people: _People, board: Board, count: int) -> list[User]:
    org_slug, members_only, _topics = _board_spec(board.slug)
    ids = people.authors_for(org_slug, members_only)
    # Spread over the list (members and residents alike), repeating when the demo is tiny.
    step = max(1, len(ids) // count)
    chosen = [ids[(i * step + 1) % len(ids)] for i in range(count)]
    return [db.get_one(User, uid) for uid in chosen]


# ---------------------------------------------------------------- bulk


@dataclass(frozen=True)
class _Body:
    source: str
    html: str
    terms: tuple[str, ...]  # the body's search tokens, without the title part


class _Bulk:
    """Threads and posts as rows, inserted in chunks, laid out as forum/posting.py lays them."""

    BODIES_PER_TOPIC = 400
    TITLES_PER_TOPIC = 60

    def __init__(
        self,
        db: Session,
        composer: Composer,
        people: _People,
        boards: list[Board],
        say: Callable[[str], None],
    ) -> None:
        self.db, self.composer, self.people, self.say = db, composer, people, say
        self.rng = composer.rng
        self.boards = boards
        self.specs = {b.id: _board_spec(b.slug) for b in boards}
        self.authors = {b.id: self.people.authors_for(*self.specs[b.id][:2]) for b in boards}
        # Public boards carry most of the talk; each members-only board a little.
        self.weights = [1 if self.specs[b.id][1] else 6 for b in boards]
        self.mentions = {u.username.lower() for u in people.by_username.values()}
        self.openings: dict[tuple[str, str], list[_Body]] = {}
        self.replies: dict[tuple[str, str], list[_Body]] = {}
        self.titles: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        self.sqlite = db.get_bind().dialect.name == "sqlite"

    # ---- the pools: every distinct text rendered and split once

    def _body(self, source: str) -> _Body:
        html = markup.render(source, self.mentions & markup.mentioned_names(source))
        return _Body(source, html, tuple(words.split_terms(markup.plain_text(html))))

    def _pools(self, topic: str, org_slug: str) -> None:
        key = (topic, org_slug)
        if key in self.openings:
            return
        c = self.composer
        openings = {c.opening(topic, org_slug) for _ in range(self.BODIES_PER_TOPIC // 4)}
        replies = {c.reply(topic, org_slug) for _ in range(self.BODIES_PER_TOPIC)}
        titles = {c.title(topic, org_slug) for _ in range(self.TITLES_PER_TOPIC)}
        self.openings[key] = [self._body(s) for s in sorted(openings)]
        self.replies[key] = [self._body(s) for s in sorted(replies)]
        self.titles[key] = [(t, tuple(words.split_terms(t))) for t in sorted(titles)]

    # ---- loading

    def load(self, threads: int, posts_per_thread: int) -> tuple[int, int]:
        started = time.monotonic()
        total = threads * posts_per_thread
        self.say(f"forum demo: {threads:,} threads of {posts_per_thread} posts ({total:,} posts) in bulk")
        next_thread = (self.db.scalar(select(func.max(Thread.id))) or 0) + 1
        next_post = (self.db.scalar(select(func.max(Post.id))) or 0) + 1
        now = utcnow()
        # Older than what the services just wrote: over the past year, an hour ago at the latest.
        span = timedelta(days=365)
        start = now - span - timedelta(hours=1)
        per_chunk = max(1, CHUNK_POSTS // posts_per_thread)
        board_stats = {b.id: [0, 0, None] for b in self.boards}  # threads, posts, last post at
        done = 0
        set_aside = self._set_indexes_aside() if total >= BIG_LOAD else []
        for chunk_start in range(0, threads, per_chunk):
            count = min(per_chunk, threads - chunk_start)
            thread_rows, post_rows, entries, watches = [], [], [], []
            for i in range(chunk_start, chunk_start + count):
                created = start + span * (i / threads)
                board = self.rng.choices(self.boards, self.weights)[0]
                t_row, p_rows, e_rows = self._thread(next_thread, next_post, board, created, posts_per_thread)
                thread_rows.append(t_row)
                post_rows += p_rows
                entries += e_rows
                watches.append({"user_id": t_row["author_id"], "thread_id": next_thread, "board_id": None})
                stats = board_stats[board.id]
                stats[0] += 1
                stats[1] += posts_per_thread
                stats[2] = max(stats[2] or t_row["last_post_at"], t_row["last_post_at"])
                next_thread += 1
                next_post += posts_per_thread
            self._insert(thread_rows, post_rows, entries, watches)
            done += count * posts_per_thread
            if total >= 50_000:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.say(f"forum demo: {done:,} / {total:,} posts ({rate:,.0f} a second)")
        self._rebuild_indexes(set_aside)
        self._counters(board_stats)
        self._sequences()
        self.say(f"forum demo: {total:,} posts in {time.monotonic() - started:.0f} s")
        return threads, total

    def _thread(
        self, thread_id: int, first_id: int, board: Board, created: datetime, posts: int
    ) -> tuple[dict[str, Any], Rows, Rows]:
        org_slug, _members_only, topics = self.specs[board.id]
        topic = self.rng.choice(topics)
        self._pools(topic, org_slug)
        title, title_terms = self.rng.choice(self.titles[(topic, org_slug)])
        authors = self.authors[board.id]
        rows: Rows = []
        entries: Rows = []
        when = created
        tree: list[tuple[int, int]] = []  # (post id, depth), in floor order
        keys: dict[int, str] = {}
        depths: dict[int, int] = {}
        reply_counts: dict[int, int] = {}
        for floor in range(1, posts + 1):
            post_id = first_id + floor - 1
            if floor == 1:
                body = self.rng.choice(self.openings[(topic, org_slug)])
                parent_id, depth, key = None, 0, floor_segment(1)
                terms = words.stored_terms([*title_terms, words.SEPARATOR, *body.terms])
            else:
                when += timedelta(minutes=self.rng.randint(1, 180))
                body = self.rng.choice(self.replies[(topic, org_slug)])
                parent_id = _pick_parent(self.rng, tree, max_depth=BULK_MAX_DEPTH)
                depth, key = depths[parent_id] + 1, keys[parent_id] + floor_segment(floor)
                reply_counts[parent_id] = reply_counts.get(parent_id, 0) + 1
                terms = words.stored_terms([words.SEPARATOR, *body.terms])
            tree.append((post_id, depth))
            keys[post_id], depths[post_id] = key, depth
            rows.append(
                {
                    "id": post_id,
                    "thread_id": thread_id,
                    "parent_id": parent_id,
                    "author_id": self.rng.choice(authors),
                    "floor": floor,
                    "depth": depth,
                    "sort_key": key,
                    "state": ContentState.VISIBLE,
                    "state_reason": "",
                    "body_source": body.source,
                    "body_html": body.html,
                    "agree_count": 0,
                    "reply_count": 0,
                    "edit_count": 0,
                    "created_at": when,
                    "edited_at": None,
                }
            )
            entries.append({"post_id": post_id, "board_id": board.id, "terms": terms})
        for row in rows:
            row["reply_count"] = reply_counts.get(row["id"], 0)
        thread = {
            "id": thread_id,
            "board_id": board.id,
            "author_id": rows[0]["author_id"],
            "title": title,
            "kind": ThreadKind.DISCUSSION,
            "state": ContentState.VISIBLE,
            "pinned": False,
            "locked": False,
            "featured": False,
            "post_count": posts,
            "reply_count": posts - 1,
            "deadline": None,
            "created_at": created,
            "last_post_at": when,
        }
        return thread, rows, entries

    def _insert(self, threads: Rows, posts: Rows, entries: Rows, watches: Rows) -> None:
        db = self.db
        db.execute(insert(Thread), threads)
        db.execute(insert(Post), posts)
        db.execute(insert(SearchEntry), entries)
        db.execute(insert(Watch), watches)
        if self.sqlite:
            db.execute(
                text(
                    "INSERT INTO forum_search_fts (rowid, terms) SELECT post_id, terms FROM forum_search "
                    "WHERE post_id BETWEEN :first AND :last"
                ),
                {"first": posts[0]["id"], "last": posts[-1]["id"]},
            )

    def _counters(self, stats: dict[int, list[Any]]) -> None:
        for board in self.boards:
            threads, posts, last = stats[board.id]
            if not threads:
                continue
            board.thread_count += threads
            board.post_count += posts
            board.last_post_at = max(board.last_post_at or last, last)
        self.db.flush()

    def _set_indexes_aside(self) -> list[tuple[str, str]]:
        """On PostgreSQL, a big load goes faster without the secondary indexes of the posts and
        the search index (the GIN index above all), built once at the end instead. Their
        definitions are read from the catalog, so they come back exactly as the migrations made
        them; indexes that back a constraint stay."""
        if self.db.get_bind().dialect.name != "postgresql":
            return []
        rows = self.db.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename IN ('forum_posts', 'forum_search') "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            )
        ).all()
        for name, _definition in rows:
            self.db.execute(text(f'DROP INDEX "{name}"'))
        if rows:
            self.say(f"forum demo: indexes set aside until the load is done: {', '.join(n for n, _ in rows)}")
        return [(name, definition) for name, definition in rows]

    def _rebuild_indexes(self, indexes: list[tuple[str, str]]) -> None:
        if not indexes:
            return
        started = time.monotonic()
        self.db.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for name, definition in indexes:
            self.say(f"forum demo: building index {name}")
            self.db.execute(text(definition))
        self.say(f"forum demo: {len(indexes)} indexes built in {time.monotonic() - started:.0f} s")

    def _sequences(self) -> None:
        """Ids were given explicitly: move PostgreSQL's sequences past them."""
        if self.db.get_bind().dialect.name != "postgresql":
            return
        for statement in (
            "SELECT setval(pg_get_serial_sequence('forum_threads', 'id'), max(id)) FROM forum_threads",
            "SELECT setval(pg_get_serial_sequence('forum_posts', 'id'), max(id)) FROM forum_posts",
        ):
            self.db.execute(text(statement))


def analyze(database: Database) -> None:
    """After a bulk load on PostgreSQL: fresh planner statistics for every table the demo
    filled (the accounts too), rather than waiting for autovacuum to notice the new rows."""
    if database.url.startswith("postgresql"):
        with database.writing() as session:
            session.execute(text("ANALYZE"))
