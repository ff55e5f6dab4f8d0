"""Which People's Congress function an article, and each of its paragraphs, is about.

The functions are 立法, 监督, 决定, 任免, 代表工作 and 自身建设; text with none of their cue words
is 其他. Cue words per function live in seeds/dictionaries/topics_*.txt. A unit's topic is the
function with the most cue hits; its score is that function's share of all hits, and the cue
words found are kept as evidence so a reader can see why.

Paragraphs are the non-blank lines of the text, numbered from 0 in order.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from flows.records import TopicAssignment
from flows.vocabulary import word_list

OTHER = "其他"
TOPIC_FILES = {
    "立法": "topics_lifa",
    "监督": "topics_jiandu",
    "决定": "topics_jueding",
    "任免": "topics_renmian",
    "代表工作": "topics_daibiao",
    "自身建设": "topics_zishen",
}


@lru_cache(maxsize=1)
def _cue_topics() -> dict[str, str]:
    """cue word -> topic; a word listed for two topics stays with the first (file order above)."""
    cues: dict[str, str] = {}
    for topic, file_name in TOPIC_FILES.items():
        for word in word_list(file_name):
            cues.setdefault(word, topic)
    return cues


def classify_topics(text: str, tokens: list[str]) -> list[TopicAssignment]:
    """One assignment for the article (paragraph=None), then one per paragraph."""
    paragraphs = _tokens_by_paragraph(text, tokens)
    per_paragraph = [
        _assign(paragraph_tokens, index) for index, paragraph_tokens in enumerate(paragraphs)
    ]
    article = _assign([token for paragraph in paragraphs for token in paragraph], None)
    return [article, *per_paragraph]


def _tokens_by_paragraph(text: str, tokens: list[str]) -> list[list[str]]:
    """The tokens of each non-blank line."""
    if "".join(tokens) == text:
        return _cut_at_line_breaks(tokens)
    return _tokens_walked_along(text, tokens)


def _cut_at_line_breaks(tokens: list[str]) -> list[list[str]]:
    """Tokens that spell the text end to end (as jieba cuts): a line ends at a token with a
    line break, so no token needs to be looked for in the text."""
    paragraphs: list[list[str]] = [[]]
    for token in tokens:
        if "\n" in token:
            if paragraphs[-1]:
                paragraphs.append([])
        elif token.strip():
            paragraphs[-1].append(token)
    return [paragraph for paragraph in paragraphs if paragraph]


def _tokens_walked_along(text: str, tokens: list[str]) -> list[list[str]]:
    """The tokens of each non-blank line, found by walking the tokens along the text."""
    paragraphs: list[list[str]] = [[]]
    position = 0
    for token in tokens:
        found = text.find(token, position)
        if found < 0:
            continue  # a token not from this text: skip rather than misplace it
        if "\n" in text[position:found] and paragraphs[-1]:
            paragraphs.append([])
        position = found + len(token)
        if "\n" in token:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if token.strip():
            paragraphs[-1].append(token)
    return [paragraph for paragraph in paragraphs if paragraph]


def _assign(tokens: list[str], paragraph: int | None) -> TopicAssignment:
    cues = _cue_topics()
    hits = [token for token in tokens if token in cues]
    if not hits:
        return TopicAssignment(topic=OTHER, score=0.0, evidence=(), paragraph=paragraph)
    counts = Counter(cues[token] for token in hits)
    # Ties go to the topic listed first in TOPIC_FILES, so the answer never depends on hash order.
    order = list(TOPIC_FILES)
    topic = max(counts, key=lambda name: (counts[name], -order.index(name)))
    evidence = tuple(dict.fromkeys(token for token in hits if cues[token] == topic))
    return TopicAssignment(
        topic=topic,
        score=round(counts[topic] / len(hits), 4),
        evidence=evidence,
        paragraph=paragraph,
    )
