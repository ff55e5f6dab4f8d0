"""The gold-format export: hand-made records (made-up text) come out in exactly the gold's shape."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.evaluate import FIELDS, evaluate
from flows.export import gold_document, json_number, people_of, write_gold_documents
from flows.records import (
    Article,
    ArticleFacts,
    DatedEvent,
    Law,
    Organization,
    Person,
    Place,
    Quantity,
    Slogan,
    Vote,
)

GOLD_DIR = Path(__file__).resolve().parents[1] / "gold"
REGION_LEVELS = ("province", "city", "county")

BODY = "某某县人大常委会召开会议,审议《某某县河道管理条例》,会议以赞成30票,反对1票,弃权0票通过。"


def span(text: str) -> tuple[int, int]:
    start = BODY.index(text)
    return start, start + len(text)


def made_up_facts(article_id: str) -> ArticleFacts:
    return ArticleFacts(
        article_id=article_id,
        quantities=[
            Quantity("赞成30票", *span("赞成30票"), value=30.0, unit="票", subject="赞成"),
            Quantity("反对1票", *span("反对1票"), value=1.5, unit="票"),  # a made-up fraction
        ],
        # Out of reading order on purpose, and the same place twice.
        places=[Place("某某县", *span("某某县河道")), Place("某某县", *span("某某县"))],
        organizations=[Organization("某某县人大常委会", *span("某某县人大常委会"))],
        people=[Person("王某", 0, 2), Person("王某", 3, 5, role="主任")],
        laws=[Law("某某县河道管理条例", *span("某某县河道管理条例"), kind="条例")],
        slogans=[Slogan("会议", *span("会议"))],
        votes=[Vote("赞成30票,反对1票,弃权0票", *span("赞成30票,反对1票,弃权0票"), 30, 1, 0)],
        dated_events=[DatedEvent(BODY[:10], 0, 10, date(2024, 3, 11), "3月11日")],
        region=Place("某某县", 0, 3, province="某某省", city="某某市", county="某某县"),
    )


def made_up_article(ordinal: int, title: str | None = "某某县召开会议") -> Article:
    return Article(
        file_id="f" * 64,
        ordinal=ordinal,
        body="\n  " + BODY,  # leading layout is not part of the first sentence
        body_original=BODY,
        title=title,
        published_date=date(2024, 3, 12),
        source="某某日报",
        authors=("李某", "李某", "赵某"),
    )


def made_up_document() -> dict[str, Any]:
    first, second = made_up_article(1, title=None), made_up_article(0)
    return gold_document(
        "sub/made_up.txt",
        ["打印本页"],
        [
            (first, None, "sub/made_up.txt: 某某县召开会议"),  # extraction found nothing here
            (second, made_up_facts(second.article_id), None),
        ],
    )


def gold_shape(value: Any) -> Any:
    """The key structure of a document, values left out."""
    if isinstance(value, dict):
        return {key: gold_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [gold_shape(value[0])] if value and isinstance(value[0], dict) else []
    return None


def test_gold_document_has_exactly_the_gold_shape() -> None:
    gold = json.loads(next(GOLD_DIR.glob("000_*.json")).read_text("utf-8"))
    exported = made_up_document()
    expected_document_keys, expected_article = set(gold), gold_shape(gold["articles"][0])
    assert expected_document_keys == set(exported)
    assert expected_article == gold_shape(exported["articles"][0])
    # An article without facts has empty lists, but every key all the same.
    assert list(expected_article) == list(exported["articles"][1])


def test_gold_document_orders_articles_by_ordinal() -> None:
    expected = ["某某县召开会议", None]
    assert expected == [article["title"] for article in made_up_document()["articles"]]


@pytest.mark.parametrize(
    ("expected", "key"),
    [
        (BODY[:20], "first_sentence"),
        ("2024-03-12", "publish_date"),
        ("某某日报", "source"),
        (["李某", "赵某"], "authors"),  # bylines once each
        ({"province": "某某省", "city": "某某市", "county": "某某县"}, "region"),
        (None, "duplicate_of"),
        ([{"name": "王某", "role": "主任"}], "people"),  # the first role any mention states
        (["某某县"], "places"),  # distinct, as written
        (["某某县人大常委会"], "organizations"),
        (["某某县河道管理条例"], "laws"),
        (["会议"], "slogans"),
        ([{"text": "赞成30票,反对1票,弃权0票", "for": 30, "against": 1, "abstain": 0}], "votes"),
        ([{"text": BODY[:10], "date": "2024-03-11", "what": BODY[:10]}], "dated_events"),
    ],
)
def test_gold_article_exports_each_field(expected: Any, key: str) -> None:
    assert expected == made_up_document()["articles"][0][key]


def test_gold_article_exports_integral_values_as_ints() -> None:
    quantities = made_up_document()["articles"][0]["quantities"]
    expected_values = [(30, int), (1.5, float)]
    expected_first = {
        "text": "赞成30票",
        "value": 30,
        "unit": "票",
        "approx": None,
        "subject": "赞成",
    }
    assert expected_values == [(q["value"], type(q["value"])) for q in quantities]
    assert expected_first == quantities[0]


def test_gold_article_without_facts_has_empty_facts_and_passes_the_link_through() -> None:
    article = made_up_document()["articles"][1]
    expected_link, no_region = "sub/made_up.txt: 某某县召开会议", dict.fromkeys(REGION_LEVELS)
    assert expected_link == article["duplicate_of"]
    assert no_region == article["region"]
    assert not (article["people"] or article["quantities"] or article["votes"])


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        (70, 70.0),
        (40000000000, 4e10),  # 近400亿元 in 元: still an exact int
        (5.4, 5.4),
        (None, float("nan")),  # not JSON: an unknown value instead of an invalid file
        (None, None),
    ],
)
def test_json_number_writes_integral_values_as_ints(
    expected: int | float | None, value: float | None
) -> None:
    result = json_number(value)
    assert (expected, type(expected)) == (result, type(result))


def test_people_of_keeps_one_entry_per_name() -> None:
    people = [
        Person("甲某", 5, 7),
        Person("乙某", 0, 2, role="代表"),
        Person("甲某", 9, 11, "主任"),
    ]
    expected = [{"name": "乙某", "role": "代表"}, {"name": "甲某", "role": "主任"}]
    assert expected == people_of(people)


def test_write_gold_documents_writes_one_readable_file_per_input(tmp_path: Path) -> None:
    document = made_up_document()
    paths = write_gold_documents([document], tmp_path / "out")
    expected = [tmp_path / "out" / "made_up.json"]
    assert expected == paths
    text = paths[0].read_text("utf-8")
    assert "某某县" in text  # Chinese as written, not \u escapes
    assert document == json.loads(text)


def test_write_gold_documents_refuses_two_inputs_with_one_stem(tmp_path: Path) -> None:
    documents = [gold_document("a/x.txt", [], []), gold_document("b/x.txt", [], [])]
    with pytest.raises(ValueError, match=r"x\.json"):
        write_gold_documents(documents, tmp_path)


def test_exported_documents_score_perfectly_against_themselves(tmp_path: Path) -> None:
    written = write_gold_documents([made_up_document()], tmp_path)
    evaluation = evaluate(tmp_path, written[0].parent)
    assert dict.fromkeys(FIELDS, 1.0) == {name: evaluation.value(name) for name in FIELDS}
