"""How long screening a post for watched words takes: moderation/matcher.py's `find` (which folds
the text first) on 2,000-character posts, mostly Chinese with some English and digits, against
5,000 watched words. Every post written or edited pays this, so the target is well under 1 ms.

    .venv/bin/python bench/screening.py            # a few seconds
    .venv/bin/python bench/screening.py --check    # exit 1 when the target is missed

The data is generated from a fixed seed, so runs compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable

from moderation.matcher import WordMatcher, fold

WATCHED_WORDS = 5_000
CHINESE_SHARE = 0.7  # of the watched words
POST_CHARS = 2_000
POSTS = 300
ROUNDS = 10  # each post is screened this many times
SALTED_SHARE = 0.05  # posts that contain a few watched words on purpose
ELLIPSIS_SHARE = 0.3  # posts with a "……", which folds to six full stops and takes fold's slower path
TARGET_MEAN_MS = 1.0
SEED = 20_240_601

# Frequent characters in everyday written Chinese: what watched words are drawn from.
COMMON = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她"
    "里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老"
    "从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机"
    "给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产"
    "入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提"
    "感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛"
    "林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权"
    "往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式"
    "李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据"
    "导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴示证"
)

# What posts are made of: a neighbourhood forum's sentences, with English and numbers mixed in.
SENTENCES = (
    "关于{n}号楼加装电梯的事情，业委会已经收集了大部分住户的意见。",
    "小区东门的路灯坏了{n}天了，晚上回家的时候特别不方便，希望物业尽快处理。",
    "垃圾分类的新规定从下个月开始执行，每天早上{n}点到{m}点可以投放厨余垃圾。",
    "志愿者招募：本周六上午在活动中心帮忙整理图书，需要{n}个人左右。",
    "快递柜经常满，我的包裹放在门卫室{n}天都没人通知，这个问题能不能解决？",
    "消防通道上又停了好几辆车，上次开会说好要装摄像头，现在进展怎么样了？",
    "停车费的收费标准我看了一下，和去年相比每个月涨了{n}元，大家怎么看？",
    "今天下午{n}点在社区会议室开会，讨论绿化带改造方案，欢迎大家参加。",
    "楼下的小孩在走廊里玩球，声音很大，希望家长们注意一下。",
    "有没有邻居知道附近哪里可以修自行车？我的车胎又破了。",
    "我们已经把会议纪要发到{word}群里了，没看到的可以私信我。",
    "物业说这个月底之前会把{word}的问题处理好，我们再等等看。",
    "上次的投票结果是{n}票赞成，{m}票反对，方案通过了。",
    "请大家把意见写在表格里，最晚下周{n}之前发到我的邮箱。",
    "新来的保安师傅很负责，每天晚上都会巡逻好几次。",
    "电梯维修的费用到底应该怎么分摊，一楼的住户也要出钱吗？",
    "如果有人愿意帮忙做{word}，可以在下面留言，我们一起商量。",
    "业主大会的时间定在{n}月{m}日，具体地点另行通知。",
    "最近小区里流浪猫越来越多，有人在草地上喂食，也有人担心卫生问题。",
    "谢谢大家的支持，这次活动一共筹到了{n}元，明细会公开在公告栏。",
)
ENGLISH = (
    "WiFi", "App", "PDF", "OK", "email", "Excel", "Zoom", "deadline", "update", "meeting",
    "WeChat", "link", "online", "QR", "download", "password", "iPhone", "USB", "video", "team",
)  # fmt: skip
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    rng = random.Random(SEED)

    words = _watched_words(rng, WATCHED_WORDS)
    pairs = [(word, "hold" if i % 3 else "block") for i, word in enumerate(words)]
    started = time.perf_counter()
    matcher = WordMatcher(pairs)
    build_ms = (time.perf_counter() - started) * 1000
    _say(
        f"matcher built from {len(matcher):,} watched words in {build_ms:.0f} ms "
        f"({matcher.states:,} automaton states)"
    )
    _say(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")

    posts = [_post(rng, words) for _ in range(POSTS)]
    found = sum(len(matcher.find(post)) for post in posts)
    slower = sum(not isinstance(fold(post)[1], range) for post in posts)
    _say(
        f"{POSTS} posts of {POST_CHARS:,} characters, {slower} with characters that fold to none or "
        f"several (an ellipsis); {found:,} matches in all"
    )

    fold_times = _timed(fold, posts)
    times = _timed(matcher.find, posts)
    mean, p99 = statistics.fmean(times), _percentile(times, 0.99)
    _say(f"fold alone (find includes it): mean {statistics.fmean(fold_times):.2f} ms")

    # Disguised posts (full-width letters, zero-width spaces) take fold's slower path.
    disguised = [_disguise(rng, post) for post in posts[:50]]
    disguised_times = _timed(matcher.find, disguised)
    _say(
        f"disguised posts (full-width letters, 20 zero-width spaces): "
        f"mean {statistics.fmean(disguised_times):.2f} ms, p99 {_percentile(disguised_times, 0.99):.2f} ms"
    )

    # What the automaton saves: `in` over every word, on a few posts (it is slow).
    folded_words = [fold(word)[0] for word in words]
    naive = _timed(lambda post: _naive(folded_words, post), posts[:20], rounds=1)
    _say(f"for comparison, `in` over every word: mean {statistics.fmean(naive):.1f} ms per post")

    passed = mean < TARGET_MEAN_MS
    print(
        f"screening: {len(matcher):,} watched words, {POST_CHARS:,}-character post: mean {mean:.2f} ms, "
        f"p99 {p99:.2f} ms per post (target < {TARGET_MEAN_MS:g} ms): {'PASS' if passed else 'FAIL'}"
    )
    return 1 if args.check and not passed else 0


def _say(message: str) -> None:
    print(f"· {message}", flush=True)


def _watched_words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        if rng.random() < CHINESE_SHARE:
            words.add("".join(rng.choices(COMMON, k=rng.randint(2, 4))))
        else:
            word = "".join(rng.choices(LATIN_LETTERS, k=rng.randint(4, 9)))
            if rng.random() < 0.2:
                word += str(rng.randint(0, 99))
            words.add(word)
    return sorted(words)


def _post(rng: random.Random, watched: list[str]) -> str:
    parts: list[str] = []
    length = 0
    while length < POST_CHARS:
        sentence = rng.choice(SENTENCES).format(
            n=rng.randint(1, 30), m=rng.randint(1, 30), word=rng.choice(ENGLISH)
        )
        if rng.random() < 0.15:
            sentence = f"{rng.choice(ENGLISH)} {sentence}"
        parts.append(sentence)
        length += len(sentence)
    post = "".join(parts)[:POST_CHARS]
    if rng.random() < ELLIPSIS_SHARE:
        post = post.replace("。", "……", 1)[:POST_CHARS]
    if rng.random() < SALTED_SHARE:
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(post))
            word = rng.choice(watched)
            post = (post[:at] + f" {word} " + post[at:])[:POST_CHARS]
    return post


def _naive(folded_words: list[str], post: str) -> list[str]:
    folded = fold(post)[0]
    return [word for word in folded_words if word in folded]


def _disguise(rng: random.Random, post: str) -> str:
    chars = list(post)
    for _ in range(20):
        at = rng.randrange(len(chars))
        chars.insert(at, "\u200b")
    disguised = "".join(chars)
    # Full-width English: ＷｉＦｉ for WiFi.
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and rng.random() < 0.5 else c for c in disguised)


def _timed(function: Callable[[str], object], posts: list[str], rounds: int = ROUNDS) -> list[float]:
    # Warm-up: fold's table, the automaton's remembered transitions, the interpreter's specialisation.
    for post in posts[:20]:
        function(post)
    times: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for post in posts:
            started = clock()
            function(post)
            times.append((clock() - started) / 1e6)
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


if __name__ == "__main__":
    sys.exit(main())
