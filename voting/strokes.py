"""Candidates in 姓氏笔画 order, as the 条例 (第二十四条) asks for the ballot.

A full stroke-count table (Unihan kTotalStrokes) is megabytes or a download at run time, so
this module ships the stroke counts of about a hundred common surnames (simplified forms).
Names whose surname is not in the table come after all the others, in Unicode order: the
secretary sees the order before the list is fixed and can correct it by hand. Within one
stroke count the order is by Unicode code point, not by first stroke (横竖撇点折).
"""

from __future__ import annotations

from collections.abc import Iterable

_STROKES_BY_SURNAME = {
    2: "丁",
    3: "马于万",
    4: "王邓韦方尹毛孔",
    5: "冯田叶卢石付白龙史",
    6: "刘孙朱许吕任江闫向汤",
    7: "李张陈杨吴何宋肖余杜苏沈陆汪邹邱邵严",
    8: "周林罗郑金范孟武",
    9: "赵胡姚姜钟段侯贺郝",
    10: "徐郭高唐袁贾夏秦陶顾钱莫",
    11: "黄梁曹崔龚",
    12: "谢韩彭曾董蒋程覃",
    13: "雷",
    14: "蔡谭廖熊",
    15: "潘黎",
    16: "薛",
    17: "魏戴",
}

STROKES = {char: count for count, chars in _STROKES_BY_SURNAME.items() for char in chars}
UNKNOWN = 10_000  # after every surname in the table


def stroke_key(name: str) -> tuple[int, str]:
    name = name.strip()
    surname = name[:1]
    return (STROKES.get(surname, UNKNOWN), name)


def in_stroke_order(names: Iterable[str]) -> list[str]:
    return sorted(names, key=stroke_key)
