"""Laws: titles in 《》 typed by the document kind they end with."""

from __future__ import annotations

import pytest

from flows.extract.laws import extract_laws, law_kind


@pytest.mark.parametrize(
    ("title", "expected_kind"),
    [
        ("河南省养老服务条例", "条例"),
        ("中华人民共和国宪法", "宪法"),
        ("中华人民共和国全国人民代表大会和地方各级人民代表大会选举法", "法"),
        ("关于加快推进两城建设的决定", "决定"),
        ("平顶山市国土空间总体规划", "规划"),
        ("河南省实施《中华人民共和国村民委员会组织法》办法", "办法"),
        ("某某条例实施细则", "实施细则"),  # the longest kind wins
        ("高质量发展,代表在行动——致全市各级人大代表的倡议书", "倡议书"),  # subtitle kept
        ("人民日报", None),  # newspapers are not laws
        ("习近平谈治国理政", None),  # nor books
    ],
)
def test_law_kind_reads_the_title_suffix(title: str, expected_kind: str | None) -> None:
    assert expected_kind == law_kind(title)


def test_extract_laws_returns_titles_without_brackets_and_with_offsets() -> None:
    text = "按照《河南省创新驱动高质量发展条例》要求，《平顶山日报》报道。"
    laws = extract_laws(text)
    assert [("河南省创新驱动高质量发展条例", "条例")] == [(law.title, law.kind) for law in laws]
    assert laws[0].title == text[laws[0].start : laws[0].end]


def test_extract_laws_keeps_every_occurrence_in_order() -> None:
    text = "《甲市传统村落保护条例》《甲市居民住宅区消防安全管理条例》"
    assert ["甲市传统村落保护条例", "甲市居民住宅区消防安全管理条例"] == [
        law.title for law in extract_laws(text)
    ]
