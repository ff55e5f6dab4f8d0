"""Region: the place an article is about, from title, congress owner and frequency."""

from __future__ import annotations

import pytest

from flows.extract.places import extract_places
from flows.extract.region import infer_region
from flows.segment import get_segmenter


def _region(title: str | None, text: str) -> tuple[str | None, str | None, str | None]:
    places = extract_places(text, get_segmenter().tag(text))
    region = infer_region(places, title, text)
    if region is None:
        return (None, None, None)
    assert region.start == region.end == 0 or text[region.start : region.end] == region.name
    return (region.province, region.city, region.county)


@pytest.mark.parametrize(
    ("expected", "title", "text"),
    [
        # A county-level city: its prefecture and province are inferred.
        (
            ("贵州省", "黔东南苗族侗族自治州", "凯里市"),
            None,
            "凯里市人大常委会开展视察。凯里市代表积极参与。",
        ),
        # Short county name in the title counts most.
        (
            ("河南省", "安阳市", "林州市"),
            "林州:代表履职热情高",
            "本报讯 林州市人大常委会探索代表工作新模式。",
        ),
        # A city article that names its counties in passing stays at city level.
        (
            ("河南省", "安阳市", None),
            None,
            "安阳市人大常委会召开会议。安阳市代表视察林州市、汤阴县。安阳市人大常委会表示满意。",
        ),
    ],
)
def test_infer_region_picks_the_article_subject(expected, title, text):
    assert expected == _region(title, text)


def test_infer_region_prefers_the_congress_owner_over_the_province():
    text = "近日,湖南省株洲市人大常委会为茶陵县代表联络站授牌。"
    assert ("湖南省", "株洲市", None) == _region(None, text)


@pytest.mark.parametrize(
    "text",
    [
        # National commentary: one passing mention of the capital is no region.
        "新华社北京电 全面深化改革取得历史性成就。",
        "今天的中国,行进到关键时期。",
    ],
)
def test_infer_region_returns_none_for_national_articles(text):
    assert (None, None, None) == _region(None, text)
