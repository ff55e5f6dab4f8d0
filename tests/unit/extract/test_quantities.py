"""Quantities: value, unit, approximation and subject, and what is not a quantity."""

from __future__ import annotations

import pytest

from flows.extract.quantities import extract_quantities
from flows.segment import get_segmenter


def _facts(text: str) -> list[tuple[float, str, str | None]]:
    return [
        (quantity.value, quantity.unit, quantity.approx) for quantity in extract_quantities(text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("各类养老服务床位三万余张。", [(30_000, "张", "余")]),
        ("建成代表联络站二百七十三个。", [(273, "个", None)]),
        ("实现产值近400亿元，", [(40_000_000_000, "元", "近")]),  # money in 元
        ("划拨20万元加强建设", [(200_000, "元", None)]),
        ("年产值突破10亿元", [(1_000_000_000, "元", "超")]),  # 突破 reads as 超
        ("地区生产总值增长5.4%。", [(5.4, "%", None)]),
        ("带动20多万群众务工增收", [(200_000, "群众", "多")]),  # no measure word: noun is unit
        ("对发改、科技等9部门开展测评", [(9, "部门", None)]),
        ("种植酥梨10万亩以上", [(100_000, "亩", "以上")]),
        ("近千家企业", [(1000, "家", "近")]),  # bare 千 allowed with an approximation
        ("两部条例均全票通过", [(2, "部", None)]),  # 两 counts, unlike 一
        ("1项工作被评为出彩工作", [(1, "项", None)]),  # Arabic 1 is a count
        ("两年多来，助推办理", [(2, "年", "多")]),  # a duration
        ("赞成58票，反对0票", [(58, "票", None), (0, "票", None)]),
        ("每名代表联系3至5个选民", [(3, "个", "以上")]),  # range: lower bound, 以上
        ("7个方面18项意见建议", [(7, "个", None), (18, "项", None)]),
    ],
)
def test_extract_quantities_reads_value_unit_and_approx(
    text: str, expected: list[tuple[float, str, str | None]]
) -> None:
    assert expected == _facts(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024年3月11日上午9时召开会议",  # dates and times
        "整体工作位居全省第一方阵",  # ordinal
        "市十二届人大二次会议期间",  # term and session numbers
        "全市五级人大代表积极参与",  # level word
        "实施“五大行动”和“九个一”工作法",  # numbers inside slogans
        "研究确定人大“1661”工作思路",
        "作为一项重要任务，推进一批项目、一系列举措",  # indefinite 一
        "红岩嘴村1组村民",  # a group number glued to a village name
        "建成5G基站",  # a code
        "千家万户、三番五次",  # idioms
        "深入贯彻党的二十大精神",  # party congress, not 20 categories
        "全面振兴新突破三年行动",  # a programme name, not a duration
        "庆祝成立70周年大会",
        "按照《三年行动计划》执行",  # numbers inside titles
    ],
)
def test_extract_quantities_skips_non_quantities(text: str) -> None:
    assert [] == extract_quantities(text)


@pytest.mark.parametrize(
    ("text", "expected_subject"),
    [
        ("建成代表联络站273个，", "代表联络站"),  # subject before the number
        ("收集各类社情民意4300余条，", "社情民意"),  # determiner 各类 dropped
        ("提出18项意见建议。", "意见建议"),  # subject after the unit
        ("先后深入50余家不同类型、不同层次的养老机构开展检查", "养老机构"),  # modifier, 的, noun
        ("对5个部门的工作进行评议", "部门"),  # possessive 的: the counted thing comes first
        ("113名三级人大代表轮流接待", "人大代表"),  # level word skipped
        ("人大代表9000余名全部行动起来", "人大代表"),
        ("聚焦8个方面重要事项", "方面"),  # 方面 ends the phrase
        ("制定法规14部、废止2部", "法规"),  # elided subject taken from the same sentence
        ("今年是全国人民代表大会成立70周年。", "全国人民代表大会成立"),
    ],
)
def test_extract_quantities_finds_the_counted_subject(text: str, expected_subject: str) -> None:
    assert expected_subject == extract_quantities(text)[-1].subject


@pytest.mark.parametrize("text", ["制定法规14部。废止2部", "制定法规14部；另有废止2部"])
def test_an_elided_subject_is_not_taken_across_a_sentence_break(text: str) -> None:
    assert [("14部", "法规"), ("2部", None)] == [
        (quantity.text, quantity.subject) for quantity in extract_quantities(text)
    ]


def test_extract_quantities_offsets_point_into_the_text() -> None:
    text = "截至今年6月底，入驻企业84家，实现产值近400亿元。"
    for quantity in extract_quantities(text):
        assert quantity.text == text[quantity.start : quantity.end]
    assert ["84家", "近400亿元"] == [quantity.text for quantity in extract_quantities(text)]


def test_extract_quantities_reads_numerals_against_the_words_it_is_given():
    """The extract stage passes the words the segment stage stored: a numeral inside a longer
    word is no count (三番五次), but the same characters as separate words are."""
    text = "三番五次"

    assert [] == extract_quantities(text, get_segmenter().cut(text))
    assert [(5, "次")] == [(q.value, q.unit) for q in extract_quantities(text, list(text))]


def test_extract_quantities_segments_again_when_the_words_do_not_spell_the_text():
    # A hand-edited stage folder: words of another text are not trusted.
    assert [] == extract_quantities("三番五次", ["三", "番", "五", "次", "多"])
