"""Finding and removing personal details, as pure functions."""

from __future__ import annotations

from forum.mailbox import redaction


def test_mobile_numbers_and_id_numbers_are_found() -> None:
    text = "我叫王小明，电话 13812345678 或 139-1234-5678，身份证 11010519491231002X。座机 010-12345678。"
    found = redaction.find([text], ["王小明", "李四"])
    assert found == ["11010519491231002X", "13812345678", "139-1234-5678", "王小明"]


def test_numbers_inside_longer_numbers_are_not_phone_numbers() -> None:
    assert redaction.find(["订单号 913812345678123"]) == []
    assert redaction.find(["110105194912310021"]) == ["110105194912310021"]


def test_redaction_masks_every_occurrence_longest_first() -> None:
    assert redaction.redact("王小明说，王小明的妹妹王小", ["王小", "王小明"]) == "***说，***的妹妹***"


def test_names_are_split_on_chinese_and_latin_separators() -> None:
    assert redaction.split_names("张三，李四、王五, 赵六 ") == ["张三", "李四", "王五", "赵六"]
