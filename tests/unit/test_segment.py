"""flows.segment: the faster tagger must tag exactly as jieba.posseg does."""

from __future__ import annotations

import importlib
import random

import jieba.posseg
import pytest

from flows.segment import Segmenter, Token, sparse_viterbi, tokens_from_words
from flows.settings import get_settings
from tests.conftest import SEED_ARTICLES

jieba_viterbi = importlib.import_module("jieba.posseg.viterbi")


@pytest.fixture(scope="module")
def segmenters() -> tuple[Segmenter, Segmenter]:
    """(ours, reference): the reference swaps in jieba's own tagger before anything is tagged,
    because the first tagger to run takes the user dictionary's tags for itself."""
    ours = Segmenter(get_settings().user_dictionary)
    reference = Segmenter(get_settings().user_dictionary)
    reference._tagger = jieba.posseg.POSTokenizer(reference._tokenizer)
    return ours, reference


def sample_text() -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(SEED_ARTICLES.glob("*")))


@pytest.mark.parametrize(
    "text",
    [
        "平顶山市人大常委会党组书记、主任张明新说",  # a name outside the dictionary: the HMM's job
        "记者贺志泉、通讯员蔡文瑶报道",  # two unknown names in a row
        "2024年共收集意见建议300余条，办结率达98.5%。",  # digits, ASCII and punctuation
        "CAE仿真团队攻关",  # Latin letters inside a Chinese block
        "議會審議通過",  # traditional characters the dictionary barely knows
        "张",  # one character
        "",  # nothing at all
        "  \n ",  # whitespace only
    ],
)
def test_tag_matches_jieba_posseg(segmenters, text):
    ours, reference = segmenters

    assert reference.tag(text) == ours.tag(text)


def test_tag_matches_jieba_posseg_on_every_sample(segmenters):
    ours, reference = segmenters
    for path in sorted(SEED_ARTICLES.glob("*")):
        text = path.read_text(encoding="utf-8")
        assert reference.tag(text) == ours.tag(text), path.name


def test_sparse_viterbi_matches_jieba_viterbi_on_random_spans():
    # Spans of 1 to 12 characters, as the tagger hands out-of-dictionary runs to the Viterbi.
    text = sample_text()
    rng = random.Random(3)
    spans = [
        text[start : start + rng.randint(1, 12)] for start in rng.sample(range(len(text)), 400)
    ]
    spans = [span for span in spans if span]
    tables = (
        jieba.posseg.char_state_tab_P,
        jieba.posseg.start_P,
        jieba.posseg.trans_P,
        jieba.posseg.emit_P,
    )

    assert [jieba_viterbi.viterbi(span, *tables) for span in spans] == [
        sparse_viterbi(span) for span in spans
    ]


@pytest.mark.parametrize("text", ["市人大常委会建成代表联络站12个", "a b  c", "第一段\n第二段", ""])
def test_tokens_from_words_equals_tokens(segmenters, text):
    ours, _ = segmenters

    assert ours.tokens(text) == tokens_from_words(ours.cut(text))


def test_tag_clauses_tagging_every_clause_equals_tagging_the_text(segmenters):
    ours, _ = segmenters
    for path in sorted(SEED_ARTICLES.glob("*")):
        text = path.read_text(encoding="utf-8")
        assert ours.tag(text) == ours.tag_clauses(text, lambda _: True), path.name


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        # Clause ends stay with the clause before; a run of them is one end.
        (["甲乙，", "丙丁。。", "戊"], "甲乙，丙丁。。戊"),
        (["第一段\n第二段"], "第一段\n第二段"),  # a line break does not end a clause
        (["，", "甲"], "，甲"),
        ([], ""),
    ],
)
def test_tag_clauses_splits_after_clause_punctuation(segmenters, expected, text):
    ours, _ = segmenters

    untagged = ours.tag_clauses(text, lambda _: False)

    assert expected == [token.text for token in untagged]
    assert {None} >= {token.pos for token in untagged}


def test_tag_clauses_tags_only_the_clauses_asked_for(segmenters):
    ours, _ = segmenters
    text = "今天天气很好，主任张明新说。"

    tagged = ours.tag_clauses(text, lambda clause: "主任" in clause)

    assert Token("今天天气很好，", 0, 7) == tagged[0]
    assert ours.tag(text)[-len(tagged) + 1 :] == tagged[1:]
