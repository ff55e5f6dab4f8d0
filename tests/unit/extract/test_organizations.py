"""Organisations: suffix-closed names, nested names, abbreviations resolved by region."""

from __future__ import annotations

import pytest

from flows.extract.organizations import extract_organizations, resolve_abbreviation
from flows.extract.places import extract_places
from flows.records import Place
from flows.segment import get_segmenter


def _orgs(text: str, region: Place | None = None) -> dict[str, str | None]:
    tagged = get_segmenter().tag(text)
    found = extract_organizations(text, tagged, extract_places(text, tagged), region)
    assert all(text[o.start : o.end] == o.name for o in found)
    return {o.name: o.resolved_name for o in found}


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ({"安阳市人大常委会"}, "安阳市人大常委会召开会议。"),
        # Nested: the committee inside the standing committee counts on its own.
        (
            {"安阳市人大常委会", "安阳市人大常委会代表工作委员会"},
            "安阳市人大常委会代表工作委员会主任讲话。",
        ),
        # A company name holding a verb-like character (安) and a person-like token.
        ({"河南华瑞化工有限公司"}, "日前,河南华瑞化工有限公司项目投产。"),
        # The province before a city is address, not part of the name.
        ({"株洲市人大常委会"}, "近日,湖南省株洲市人大常委会召开会议。"),
        # National bodies named alone.
        ({"全国人大", "党中央"}, "在党中央领导下,全国人大加强立法。"),
        # Level word + suffix in one token.
        ({"市委", "市政府"}, "在市委领导下,市政府积极配合。"),
    ],
)
def test_extract_organizations_finds_names(expected, text):
    assert expected == set(_orgs(text))


@pytest.mark.parametrize(
    "text",
    [
        "聚焦中心任务,服务工作大局。",  # 中心, 大局 end like organisations
        "主任带队到林州市调研人大代表联络站建设。",  # a generic station, no name
        "深入贯彻全会精神。",
    ],
)
def test_extract_organizations_ignores_common_nouns(text):
    assert set() == set(_orgs(text))


def test_extract_organizations_stops_at_a_zone_before_a_company():
    text = "在安阳高新技术产业开发区华瑞化工有限公司车间"
    assert "华瑞化工有限公司" in _orgs(text)


@pytest.mark.parametrize(
    ("expected", "name", "region"),
    [
        (
            "安阳市人大常委会",
            "市人大常委会",
            Place("安阳市", 0, 3, "河南省", "安阳市", None, "410500"),
        ),
        # In a county-level city, "市" is the county: the article is written from there.
        (
            "林州市人大常委会",
            "市人大常委会",
            Place("林州市", 0, 3, "河南省", "安阳市", "林州市", "410581"),
        ),
        (
            "汤阴县人大常委会",
            "县人大常委会",
            Place("汤阴县", 0, 3, "河南省", "安阳市", "汤阴县", "410523"),
        ),
        (
            "河南省人大常委会",
            "省人大常委会",
            Place("安阳市", 0, 3, "河南省", "安阳市", None, "410500"),
        ),
        # No county in the region: 县 stays as written.
        ("县人大常委会", "县人大常委会", Place("安阳市", 0, 3, "河南省", "安阳市", None, "410500")),
        ("市人大常委会", "市人大常委会", None),
        # 市场/区域 are ordinary words, not "the city's"/"the district's": nothing to expand.
        (
            "市场监督管理局",
            "市场监督管理局",
            Place("安阳市", 0, 3, "河南省", "安阳市", None, "410500"),
        ),
        (
            "区域协作办公室",
            "区域协作办公室",
            Place("文峰区", 0, 3, "河南省", "安阳市", "文峰区", "410502"),
        ),
        # 市政府 opens with 市政 but does name the city's government.
        ("安阳市政府", "市政府", Place("安阳市", 0, 3, "河南省", "安阳市", None, "410500")),
    ],
)
def test_resolve_abbreviation_uses_the_article_region(expected, name, region):
    assert expected == resolve_abbreviation(name, region)


def test_extract_organizations_resolves_abbreviations_with_region():
    region = Place("安阳市", 0, 3, "河南省", "安阳市", None, "410500")
    assert "安阳市人大常委会" == _orgs("市人大常委会召开会议。", region)["市人大常委会"]
