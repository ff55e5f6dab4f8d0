"""Topics: one People's Congress function per article and per paragraph, with evidence."""

from __future__ import annotations

import pytest

from flows.extract.topics import classify_topics
from flows.segment import get_segmenter


def _topics(text: str):
    return classify_topics(text, get_segmenter().cut(text))


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("立法", "常委会审议条例草案,推进地方立法。"),
        ("监督", "常委会开展执法检查和专题询问。"),
        ("决定", "会议表决通过关于重大事项的决议。"),
        ("任免", "会议任命张某为副局长,免去李某职务。"),
        ("代表工作", "代表联络站收集代表建议,代表积极履职。"),
        ("自身建设", "机关党组开展党纪学习教育,加强作风建设。"),
        # No cue word at all.
        ("其他", "今天天气晴朗。"),
    ],
)
def test_classify_topics_assigns_the_article_topic(expected, text):
    article = _topics(text)[0]
    assert (expected, None) == (article.topic, article.paragraph)


def test_classify_topics_numbers_paragraphs_and_keeps_evidence():
    text = "常委会开展执法检查。\n\n代表联络站收集代表建议。\n今天天气晴朗。"
    _article, *paragraphs = _topics(text)
    assert [(0, "监督"), (1, "代表工作"), (2, "其他")] == [
        (p.paragraph, p.topic) for p in paragraphs
    ]
    assert ("执法检查",) == paragraphs[0].evidence
    assert 1.0 == paragraphs[0].score
    assert () == paragraphs[2].evidence


def test_classify_topics_scores_the_share_of_cue_hits():
    article = _topics("开展执法检查,听取审议意见后修订条例。执法检查组视察。")[0]
    assert "监督" == article.topic
    assert 0.5 < article.score < 1.0


def test_paragraphs_are_the_same_whether_tokens_spell_the_text_or_not():
    # jieba's tokens spell the text, so lines are cut at the tokens holding a line break; tokens
    # from elsewhere (a cached cut of another version of the text) are walked along the text.
    text = "常委会开展执法检查。\n\n  代表联络站收集代表建议。\r\n今天天气晴朗。\n"
    tokens = get_segmenter().cut(text)
    assert "".join(tokens) == text
    walked = classify_topics(text + "附言", tokens)  # no longer spelled: the walk is taken
    assert walked == classify_topics(text, tokens)
    assert 4 == len(walked)  # the article and its three non-blank lines
