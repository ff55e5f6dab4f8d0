"""Places: divisions with codes, towns and zones, and names resolved by their article."""

from __future__ import annotations

import pytest

from flows.extract.places import extract_places, get_gazetteer
from flows.segment import get_segmenter


def _places(text: str) -> dict[str, tuple[str | None, str | None, str | None, str | None]]:
    found = extract_places(text, get_segmenter().tag(text))
    assert all(text[p.start : p.end] == p.name for p in found)
    return {p.name: (p.province, p.city, p.county, p.division_code) for p in found}


@pytest.mark.parametrize(
    ("name", "expected", "text"),
    [
        ("安阳市", ("河南省", "安阳市", None, "410500"), "安阳市人大常委会召开会议。"),
        # A county-level city implies its prefecture.
        ("林州市", ("河南省", "安阳市", "林州市", "410581"), "林州市人大常委会召开会议。"),
        # Articles shorten autonomous counties: 阿克塞哈萨克族自治县 -> 阿克塞县.
        (
            "阿克塞县",
            ("甘肃省", "酒泉市", "阿克塞哈萨克族自治县", "620924"),
            "甘肃省阿克塞县人大常委会开展调研。",
        ),
        # ... and autonomous prefectures: 黔东南苗族侗族自治州 -> 黔东南州.
        (
            "黔东南州",
            ("贵州省", "黔东南苗族侗族自治州", None, "522600"),
            "黔东南州人大常委会开展调研。",
        ),
    ],
)
def test_extract_places_normalises_divisions(name, expected, text):
    assert expected == _places(text)[name]


@pytest.mark.parametrize(
    ("expected_city", "text"),
    [
        # 朝阳区 is in Beijing and in Changchun: the other places in the article decide.
        ("北京市", "北京市朝阳区人大常委会组织代表视察。朝阳区代表积极履职。"),
        ("长春市", "吉林省长春市人大常委会召开会议。朝阳区代表积极履职。"),
    ],
)
def test_extract_places_resolves_ambiguous_names_by_context(expected_city, text):
    assert expected_city == _places(text)["朝阳区"][1]


def test_extract_places_leaves_unresolvable_ambiguity_empty():
    # Nothing else in the text says which 朝阳区: better no answer than a wrong one.
    assert "朝阳区" not in _places("朝阳区人大代表积极履职。")


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        # Town after its county; village after its town: each its own place, inheriting the county.
        ({"林州市", "桃源镇", "红旗村"}, "林州市桃源镇红旗村代表联络站挂牌。"),
        # Zone named with a bare city name.
        ({"安阳高新技术产业开发区"}, "截至今年6月底,安阳高新技术产业开发区入驻企业84家。"),
    ],
)
def test_extract_places_finds_towns_villages_and_zones(expected, text):
    assert expected == set(_places(text))


def test_extract_places_gives_a_bare_town_the_county_before_it():
    assert ("河南省", "安阳市", "林州市", "410581") == _places("林州市桃源镇代表活动。")["桃源镇"]


@pytest.mark.parametrize(
    "text",
    [
        "依托优良水稻种植专业合作社建立。",  # 合作社 is no 合作市
        "推动中国特色社会主义事业发展。",  # 中国 inside a set phrase
        "深入农村和社区开展宣传,推进乡村振兴。",  # common nouns ending like places
        "加强城区管理。",  # 城区 is a district's name and a common word
    ],
)
def test_extract_places_ignores_words_that_only_look_like_places(text):
    assert {} == _places(text)


def test_extract_places_drops_a_bare_name_written_in_full_elsewhere():
    assert {"安阳市"} == set(_places("安阳市人大常委会召开会议,安阳发展迎来新机遇。"))


def test_gazetteer_aliases_include_short_autonomous_forms():
    aliases = get_gazetteer().aliases
    assert "620924" == aliases["阿克塞县"][0].division.code
