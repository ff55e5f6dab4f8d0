"""flows.segment: tokens and tags exactly as jieba's own tokenizer and tagger give them.

The segmenter runs jieba's word graph in jieba-next's compiled code and tags with a faster
Viterbi; the reference here is plain jieba (its Tokenizer and jieba.posseg), with the same
dictionaries, on the samples and on the benchmark's generated corpus.
"""

from __future__ import annotations

import importlib
import random
from pathlib import Path

import jieba
import jieba.posseg
import pytest

from bench.corpus import CorpusSpec, write_corpus
from flows.ingest import ingest_file
from flows.segment import Segmenter, Token, sparse_viterbi
from flows.settings import get_settings
from tests.conftest import SEED_ARTICLES

jieba_viterbi = importlib.import_module("jieba.posseg.viterbi")


class JiebaReference:
    """Plain jieba with the project's user dictionary: what the segmenter must reproduce."""

    def __init__(self, user_dictionary: Path) -> None:
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.load_userdict(str(user_dictionary))
        self.tagger = jieba.posseg.POSTokenizer(self.tokenizer)

    def cut(self, text: str) -> list[str]:
        return self.tokenizer.lcut(text)

    def tag(self, text: str) -> list[Token]:
        tagged, offset = [], 0
        for word, flag in self.tagger.cut(text):
            tagged.append(Token(word, offset, offset + len(word), flag))
            offset += len(word)
        return tagged


@pytest.fixture(scope="module")
def segmenters() -> tuple[Segmenter, JiebaReference]:
    return Segmenter(get_settings().user_dictionary), JiebaReference(get_settings().user_dictionary)


@pytest.fixture(scope="module")
def benchmark_bodies(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Article bodies of the benchmark's corpus (its default seed), as ingest reads them."""
    folder = tmp_path_factory.mktemp("bench-corpus")
    paths = write_corpus(SEED_ARTICLES, folder, CorpusSpec(articles=300))
    outcomes = (ingest_file(path, folder, max_bytes=10_000_000) for path in paths)
    return [article.body for outcome in outcomes for article in outcome.articles]


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


def test_cut_matches_jieba_on_every_sample(segmenters):
    ours, reference = segmenters
    for path in sorted(SEED_ARTICLES.glob("*")):
        text = path.read_text(encoding="utf-8")
        assert reference.cut(text) == ours.cut(text), path.name


def test_cut_matches_jieba_on_the_benchmark_corpus(segmenters, benchmark_bodies):
    ours, reference = segmenters

    assert len(benchmark_bodies) == 300
    assert [reference.cut(body) for body in benchmark_bodies] == [
        ours.cut(body) for body in benchmark_bodies
    ]


def test_tag_matches_jieba_posseg_on_the_benchmark_corpus(segmenters, benchmark_bodies):
    ours, reference = segmenters
    bodies = benchmark_bodies[:60]  # jieba.posseg is slow: 60 articles, about 80,000 characters

    assert [reference.tag(body) for body in bodies] == [ours.tag(body) for body in bodies]


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
