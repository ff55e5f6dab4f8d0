"""The scorer: the gold against itself is perfect, and each perturbation lowers only its field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import opencc
import pytest

from flows.evaluate import (
    FIELDS,
    Counts,
    Evaluation,
    Tally,
    evaluate,
    format_evaluation,
    main,
    match_articles,
    normalize_text,
    subject_agrees,
)

GOLD_DIR = Path(__file__).resolve().parents[1] / "gold"
PERFECT = 1.0

Documents = dict[str, dict[str, Any]]


def load_gold() -> Documents:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))}


def write(documents: Documents, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for stem, document in documents.items():
        (directory / f"{stem}.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return directory


def score_perturbed(perturb: Callable[[Documents], None], tmp_path: Path) -> Evaluation:
    predicted = copy.deepcopy(load_gold())
    perturb(predicted)
    return evaluate(write(predicted, tmp_path / "predicted"), GOLD_DIR)


def articles(documents: Documents) -> list[dict[str, Any]]:
    return [article for document in documents.values() for article in document["articles"]]


def values(evaluation: Evaluation, names: Iterable[str]) -> dict[str, float]:
    return {name: evaluation.value(name) for name in names}


def first_with(documents: Documents, key: str) -> dict[str, Any]:
    """The first article (files in name order) with a non-empty `key`."""
    return next(article for article in articles(documents) if article.get(key))


def linked_titles(documents: Documents) -> set[str]:
    return {a["duplicate_of"].split(": ", 1)[1] for a in articles(documents) if a["duplicate_of"]}


def unlinked_with(documents: Documents, key: str) -> dict[str, Any]:
    # Renaming a duplicate's target would also break the duplicate link; avoid those.
    linked = linked_titles(documents)
    return next(a for a in articles(documents) if a.get(key) and a["title"] not in linked)


def map_strings(value: Any, convert: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, list):
        return [map_strings(item, convert) for item in value]
    if isinstance(value, dict):
        return {key: map_strings(item, convert) for key, item in value.items()}
    return value


def map_article_strings(convert: Callable[[str], str]) -> Callable[[Documents], None]:
    def perturb(documents: Documents) -> None:
        for document in documents.values():
            document["articles"] = map_strings(document["articles"], convert)

    return perturb


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def to_corner_quotes(text: str) -> str:
    return text.translate(str.maketrans({"“": "「", "”": "」", '"': "『"}))


def spaced(text: str) -> str:
    return " ".join(text[i : i + 3] for i in range(0, len(text), 3))


def wrap_laws(documents: Documents) -> None:
    for article in articles(documents):
        article["laws"] = [f"《{law}》" for law in article["laws"]]


def reverse_articles(documents: Documents) -> None:
    for document in documents.values():
        document["articles"].reverse()


def drop_one_duplicate_direction(documents: Documents) -> None:
    first_with(documents, "duplicate_of")["duplicate_of"] = None


def test_evaluate_gold_against_itself_is_perfect() -> None:
    evaluation = evaluate(GOLD_DIR, GOLD_DIR)
    assert dict.fromkeys(FIELDS, PERFECT) == values(evaluation, FIELDS)
    assert not evaluation.files_missing


@pytest.mark.parametrize(
    "perturb",
    [
        map_article_strings(opencc.OpenCC("s2t").convert),
        map_article_strings(to_full_width),
        map_article_strings(to_corner_quotes),
        map_article_strings(spaced),  # whitespace is layout, wherever it falls
        wrap_laws,
        reverse_articles,  # articles pair on content, not on position
        # The gold links both ways; a pipeline that links only copy -> original is still right.
        drop_one_duplicate_direction,
    ],
    ids=[
        "traditional",
        "full-width",
        "corner-quotes",
        "spaces",
        "book-title-marks",
        "order",
        "one-link-direction",
    ],
)
def test_evaluate_ignores_differences_of_form(
    perturb: Callable[[Documents], None], tmp_path: Path
) -> None:
    evaluation = score_perturbed(perturb, tmp_path)
    assert dict.fromkeys(FIELDS, PERFECT) == values(evaluation, FIELDS)


def drop_person(documents: Documents) -> None:
    first_with(documents, "people")["people"].pop(0)


def change_role(documents: Documents) -> None:
    first_with(documents, "people")["people"][0]["role"] = "虚构职务"


def change_unit(documents: Documents) -> None:
    first_with(documents, "quantities")["quantities"][0]["unit"] = "虚构单位"


def change_value(documents: Documents) -> None:
    first_with(documents, "quantities")["quantities"][0]["value"] = 123456789


def change_subject(documents: Documents) -> None:
    first_with(documents, "quantities")["quantities"][0]["subject"] = "完全无关的东西"


def add_place(documents: Documents) -> None:
    first_with(documents, "places")["places"].append("虚构县")


def drop_organization(documents: Documents) -> None:
    first_with(documents, "organizations")["organizations"].pop()


def drop_law(documents: Documents) -> None:
    first_with(documents, "laws")["laws"].pop()


def drop_slogan(documents: Documents) -> None:
    first_with(documents, "slogans")["slogans"].pop()


def change_event_date(documents: Documents) -> None:
    first_with(documents, "dated_events")["dated_events"][0]["date"] = "1999-01-01"


def change_vote(documents: Documents) -> None:
    first_with(documents, "votes")["votes"][0]["against"] = 99


def change_title(documents: Documents) -> None:
    unlinked_with(documents, "title")["title"] = "虚构标题"


def change_subtitle(documents: Documents) -> None:
    first_with(documents, "subtitle")["subtitle"] = None


def change_publish_date(documents: Documents) -> None:
    first_with(documents, "publish_date")["publish_date"] = "1999-01-01"


def change_source(documents: Documents) -> None:
    first_with(documents, "source")["source"] = None


def change_region(documents: Documents) -> None:
    first_with(documents, "region")["region"]["county"] = "虚构县"


def drop_author_of_single_article_file(documents: Documents) -> None:
    # In a one-article file the author disappears from the file's author set too.
    document = next(d for d in documents.values() if len(d["articles"]) == 1)
    document["articles"][0]["authors"] = document["articles"][0]["authors"][1:]


@pytest.mark.parametrize(
    ("perturb", "lowered"),
    [
        (drop_person, {"people.recall"}),
        (change_role, {"roles"}),
        (change_unit, {"quantities.precision", "quantities.recall"}),
        (change_value, {"quantities.precision", "quantities.recall"}),
        (change_subject, {"quantity_subjects"}),
        (add_place, {"places.precision"}),
        (drop_organization, {"organizations.recall"}),
        (drop_law, {"laws.recall"}),
        (drop_slogan, {"slogans.recall"}),
        (change_event_date, {"dated_events.precision", "dated_events.recall"}),
        (change_vote, {"votes.precision", "votes.recall"}),
        (change_title, {"title"}),
        (change_subtitle, {"subtitle"}),
        (change_publish_date, {"publish_date"}),
        (change_source, {"source"}),
        (change_region, {"region"}),
        (drop_author_of_single_article_file, {"authors", "author_names.recall"}),
    ],
    ids=lambda value: value.__name__ if callable(value) else "+".join(sorted(value)),
)
def test_evaluate_lowers_only_the_perturbed_field(
    perturb: Callable[[Documents], None], lowered: set[str], tmp_path: Path
) -> None:
    evaluation = score_perturbed(perturb, tmp_path)
    lowered_fields = {name.partition(".")[0] for name in lowered}
    untouched = {name: PERFECT for name in FIELDS if name not in lowered_fields}
    assert untouched == values(evaluation, untouched)
    assert all(evaluation.value(name) < 1.0 for name in lowered), evaluation.as_dict()
    # A dropped or added item lowers one side only.
    sides = {
        f"{name}.{side}"
        for name in lowered_fields
        if FIELDS[name] is Counts
        for side in ("precision", "recall")
    } - lowered
    assert dict.fromkeys(sides, PERFECT) == values(evaluation, sides)


def test_evaluate_missing_article_lowers_split_recall(tmp_path: Path) -> None:
    gold = load_gold()
    total = len(articles(gold))
    evaluation = score_perturbed(
        lambda docs: max(docs.values(), key=lambda d: len(d["articles"]))["articles"].pop(),
        tmp_path,
    )
    assert (total - 1) / total == evaluation.value("article_split.recall")
    # Metadata is judged on matched articles only, so the gap shows in the split alone.
    unaffected = ["article_split.precision", "title"]
    assert dict.fromkeys(unaffected, PERFECT) == values(evaluation, unaffected)


def test_evaluate_missing_file_counts_as_all_false_negatives(tmp_path: Path) -> None:
    gold = load_gold()
    missing = next(iter(gold))
    evaluation = score_perturbed(lambda docs: docs.pop(missing), tmp_path)
    assert [missing] == evaluation.files_missing
    split = evaluation.scores["article_split"]
    assert (len(gold[missing]["articles"]), 0) == (split.fn, split.fp)


def test_evaluate_both_duplicate_directions_missing_lowers_duplicate_recall(
    tmp_path: Path,
) -> None:
    def drop_links(documents: Documents) -> None:
        for article in articles(documents):
            article["duplicate_of"] = None

    evaluation = score_perturbed(drop_links, tmp_path)
    expected = {"duplicate_pairs.recall": 0.0, "article_split": PERFECT}
    assert expected == values(evaluation, expected)


def test_evaluate_wrong_duplicate_link_lowers_precision(tmp_path: Path) -> None:
    def link_wrong_article(documents: Documents) -> None:
        linking = first_with(documents, "duplicate_of")
        target = next(a for a in articles(documents) if a["title"] and a is not linking)
        file_name = next(d["file"] for d in documents.values() if target in d["articles"])
        linking["duplicate_of"] = f"{file_name}: {target['title']}"

    evaluation = score_perturbed(link_wrong_article, tmp_path)
    assert evaluation.value("duplicate_pairs.precision") < 1.0


def test_evaluate_article_with_a_different_start_still_pairs_on_its_title(
    tmp_path: Path,
) -> None:
    def change_start(documents: Documents) -> None:
        unlinked_with(documents, "title")["first_sentence"] = "完全不同的开头文字在这里出现了"

    evaluation = score_perturbed(change_start, tmp_path)
    assert dict.fromkeys(["article_split"], PERFECT) == values(evaluation, ["article_split"])


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("国务院关于", "國務院關於"),  # traditional -> simplified
        ("2024年,第1次", "２０２４年，第１次"),  # full-width -> half-width (NFKC)
        ("五大行动赋能", "“五大行动” 赋能"),  # quotes and spaces folded away
        ("五大行动赋能", "「五大行动」\n赋能"),
        ("河南省养老服务条例", "《河南省养老服务条例》"),
        (None, " “” "),  # nothing left: same as no text at all
        (None, None),
    ],
)
def test_normalize_text_folds_form_differences(expected: str | None, text: str | None) -> None:
    assert expected == normalize_text(text)


@pytest.mark.parametrize(
    ("expected", "gold", "predicted"),
    [
        (True, "产值", "产值"),
        (True, "全国人民代表大会成立", "全国人民代表大会"),  # contained, most of it
        (True, "入驻企业", "企业"),  # half the gold's length: still the same subject
        (False, "县(市、区)", "县"),  # one character says too little
        (False, "职能部门、科研机构和高新企业", "企业"),  # under half: too vague
        (False, "产值", "代表"),
        (True, None, None),
        (False, "产值", None),  # missing subject where the gold has one
    ],
)
def test_subject_agrees_is_strict_but_fair(
    expected: bool, gold: str | None, predicted: str | None
) -> None:
    assert expected == subject_agrees(gold, predicted)


def brief(title: str | None, start: str) -> dict[str, Any]:
    return {"title": title, "first_sentence": start}


@pytest.mark.parametrize(
    ("expected", "gold", "predicted"),
    [
        # Three briefs opening with one byline: each pairs with its longest shared start.
        (
            {0: 2, 1: 0, 2: 1},
            [
                brief(None, "本报讯(记者王某)甲县开展了"),
                brief(None, "本报讯(记者王某)乙县探索了"),
                brief(None, "本报讯(记者王某)丙县举办了"),
            ],
            [
                brief(None, "本报讯（记者王某）乙县探索"),
                brief(None, "本报讯（记者王某）丙县举办"),
                brief(None, "本报讯（记者王某）甲县开展"),
            ],
        ),
        # Nine shared characters are not enough to call two texts one article.
        ({}, [brief(None, "一二三四五六七八九甲乙")], [brief(None, "一二三四五六七八九丙丁")]),
        # A start the pipeline cut differently still pairs when the titles agree.
        ({0: 0}, [brief("某县新闻", "近日,某县召开会议")], [brief("“某县新闻”", "召开会议")]),
        # Two missing titles are not a match.
        ({}, [brief(None, "甲乙丙")], [brief(None, "丁戊己")]),
    ],
    ids=["shared-byline", "too-short-prefix", "title-fallback", "null-titles"],
)
def test_match_articles_pairs_on_body_start_then_title(
    expected: dict[int, int], gold: list[dict[str, Any]], predicted: list[dict[str, Any]]
) -> None:
    assert expected == match_articles(gold, predicted)


@pytest.mark.parametrize(
    ("expected", "counts"),
    [
        ((1.0, 1.0, 1.0), Counts(0, 0, 0)),  # nothing to find, nothing found
        ((1.0, 0.0, 0.0), Counts(0, 0, 3)),  # found nothing: no false claim, all missed
        ((0.5, 1.0, 2 / 3), Counts(2, 2, 0)),
    ],
)
def test_counts_precision_recall_f1(expected: tuple[float, ...], counts: Counts) -> None:
    assert expected == pytest.approx((counts.precision, counts.recall, counts.f1))


def sample_evaluation() -> Evaluation:
    return Evaluation(scores={"people": Counts(8, 2, 2), "roles": Tally(3, 4)})


@pytest.mark.parametrize(
    ("expected", "thresholds"),
    [
        ([], {"people": 0.8, "roles": 0.75}),
        (["people 0.800 < 0.900"], {"people": 0.9}),
        (["roles 0.750 < 0.800"], {"roles": 0.8, "people.recall": 0.8}),
    ],
)
def test_check_lists_the_thresholds_not_met(
    expected: list[str], thresholds: dict[str, float]
) -> None:
    assert expected == sample_evaluation().check(thresholds)


@pytest.mark.parametrize("name", ["peple", "roles.f1"])
def test_check_rejects_unknown_names(name: str) -> None:
    # A typo in a CI threshold must fail loudly, never pass silently.
    with pytest.raises(ValueError):
        sample_evaluation().check({name: 0.5})


def test_format_evaluation_has_one_line_per_field() -> None:
    table = format_evaluation(evaluate(GOLD_DIR, GOLD_DIR))
    lines = table.splitlines()
    expected_header = ["field", "precision", "recall", "F1", "accuracy", "support"]
    assert expected_header == lines[0].split()
    assert list(FIELDS) == [line.split()[0] for line in lines[2 : 2 + len(FIELDS)]]
    assert "people                 1.000   1.000  1.000        -" in table


def test_main_prints_json_with_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    main([str(GOLD_DIR), str(GOLD_DIR), "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert list(FIELDS) == list(printed["fields"])
    expected_roles = {"kind": "accuracy", "accuracy": PERFECT}
    assert expected_roles == {key: printed["fields"]["roles"][key] for key in expected_roles}


def test_evaluate_rejects_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        evaluate(tmp_path / "nowhere", GOLD_DIR)
