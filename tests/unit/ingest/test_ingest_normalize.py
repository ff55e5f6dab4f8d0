"""Normalisation: one canonical text form, whatever the site's typing habits."""

from __future__ import annotations

import pytest

from flows.ingest.normalize import normalize_line, normalize_text, to_simplified


@pytest.mark.parametrize(
    ("expected", "raw"),
    [
        ("ABC123%的代表", "ＡＢＣ１２３％的代表"),  # full-width letters, digits, percent
        ("联系8个乡镇", "联系8 个乡镇"),  # typesetting space inside a quantity
        ("今年7月制定", "今年7 月制定"),
        ("7月17日召开", "7月 17日召开"),
        ("1.5万元", "1.5 万元"),
        # A date that ends a metadata field keeps the space that separates the next field.
        ("发布时间：2024-09-01 作者：佚名", "发布时间:2024-09-01 作者:佚名"),
        ("时间 2018-11-12 17:25:15", "时间\u30002018-11-12 17:25:15"),
        ("人大代表，审议通过！", "人大代表,审议通过!"),  # half-width punctuation in Chinese text
        ("乡镇（街道）人大", "乡镇(街道)人大"),
        ("他说：“好的”。", '他说:"好的"。'),
        ("1,000元", "1,000元"),  # a thousands separator is not Chinese punctuation
        ("见https://example.cn/a:b", "见https://example.cn/a:b"),  # URLs keep their colons
        ("人大代表", "人大\u200b代\x00表\x07"),  # zero-width, NUL and control characters go
        ("两个 空格", "两个 \t 空格  "),
        ("Hello, world!", "Hello, world!"),  # no Chinese: nothing to unify
    ],
)
def test_normalize_line_unifies_forms(expected: str, raw: str) -> None:
    assert expected == normalize_line(raw)


def test_normalize_text_keeps_one_line_per_line() -> None:
    assert ["一", "", "二", "三"] == normalize_text("一\r\n\r\n二\r三").split("\n")


@pytest.mark.parametrize(
    ("expected", "raw"),
    [
        ("市人大常委会审议通过条例", "市人大常委會審議通過條例"),
        ("中华民国113年3月1日", "中華民國113年3月1日"),
        # Already simplified: left exactly as it is (t2s would rewrite 乾 in a name).
        ("乾县人大代表", "乾县人大代表"),
    ],
)
def test_to_simplified_converts_traditional_only(expected: str, raw: str) -> None:
    assert expected == to_simplified(raw)
