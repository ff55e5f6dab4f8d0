"""The one module that owns jieba.

Everything else segments through `get_segmenter()`: an explicit `jieba.Tokenizer` loaded with the
domain dictionary from seeds/, never jieba's global tokenizer, so no caller can change what
another caller sees.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import jieba
import jieba.posseg
import jieba_next
from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

from flows.settings import get_settings

jieba.setLogLevel(60)  # jieba logs its cache loading at INFO on every process start.


class Token(NamedTuple):
    """One token with its character span in the segmented text.

    A named tuple rather than a frozen dataclass: extraction builds one per word of every
    article, and a tuple is built in less than half the time.
    """

    text: str
    start: int
    end: int
    pos: str | None = None


# jieba's own dictionary: jieba-next reads it with the same algorithm, compiled.
JIEBA_DICTIONARY = Path(jieba.__file__).with_name("dict.txt")


class Segmenter:
    """jieba with the project's user dictionary; cheap `cut`, costly part-of-speech `tag`.

    jieba is the segmenter of record: its dictionary, its word graph, its HMM and its tags. The
    word graph and the best route through it (most of jieba's time) run in jieba-next's compiled
    implementation, which gives the same tokens (tests/unit/test_segment.py compares both with plain
    jieba on the samples and the benchmark corpus, tags included).
    """

    def __init__(self, user_dictionary: Path) -> None:
        self.user_dictionary = user_dictionary
        # The prefix dictionary is cached in the temp dir, apart from other users' caches.
        self._tokenizer = jieba_next.Tokenizer(JIEBA_DICTIONARY, cache_dir=tempfile.gettempdir())
        self._tokenizer.load_userdict(user_dictionary)
        self._tagger = _Tagger(self._tokenizer, JIEBA_DICTIONARY)

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text)

    def warm(self) -> Segmenter:
        """Load every table now, so worker processes forked afterwards share them.

        jieba-next's compiled prefix dictionary is left to each process's first cut (0.1 s,
        about 35 MB): the flow's process, which forks the workers, never segments itself.
        """
        self._tokenizer.check_initialized()
        self._tagger.makesure_userdict_loaded()
        return self

    def tag(self, text: str, offset: int = 0) -> list[Token]:
        """Tokens with jieba's part-of-speech flags (about 6x slower than `tokens`).

        `offset` is added to every span: for tagging a piece of a longer text.
        """
        tagged: list[Token] = []
        for word, flag in self._tagger.tag_words(text):
            tagged.append(Token(word, offset, offset + len(word), flag))
            offset += len(word)
        return tagged

    def tag_clauses(self, text: str, needs_tags: Callable[[str], bool]) -> list[Token]:
        """`tag(text)`'s tokens in the clauses `needs_tags` accepts; elsewhere one untagged token
        per clause (pos None), so spans still cover the text in order.

        Tagging a clause alone gives the same tokens as tagging it inside the text: jieba tags
        each run of word characters on its own, and a clause ends after punctuation, which is
        outside every run and tagged one character at a time.
        """
        tagged: list[Token] = []
        for clause in CLAUSE.finditer(text):
            if needs_tags(clause.group()):
                tagged += self.tag(clause.group(), clause.start())
            else:
                tagged.append(Token(clause.group(), clause.start(), clause.end()))
        return tagged


# A clause: text up to and including a run of clause-ending punctuation (or the end of the text).
# None of these characters is a word character to jieba, and no extractor reads a name or a role
# across one; 、 (党组书记、主任) and whitespace (a byline goes on after a line break) are read
# across, so they do not end a clause.
_CLAUSE_ENDS = "，。！？；：,!?;:"
CLAUSE = re.compile(rf"[^{_CLAUSE_ENDS}]+[{_CLAUSE_ENDS}]*|[{_CLAUSE_ENDS}]+")


def tokens_ending_at(tagged: list[Token], start: int, last: int) -> list[Token]:
    """The tokens from offset `start` through tagged[last]: `[t for t in tagged[: last + 1] if
    t.start >= start]` for tokens in text order, without copying the whole prefix each time."""
    first = last + 1
    while first > 0 and tagged[first - 1].start >= start:
        first -= 1
    return tagged[first : last + 1]


class _Tagger(jieba.posseg.POSTokenizer):
    """jieba.posseg's tagger, walking jieba-next's compiled route in one loop, with a faster,
    output-identical Viterbi for runs of characters outside the dictionary.

    `tag_words(text)` gives `[(pair.word, pair.flag) for pair in jieba.posseg's cut(text)]`:
    the same walk (its `__cut_internal`, `__cut_DAG` and `__cut_detail`, step for step), with
    three costs taken out. The best route through the word graph comes from jieba-next's compiled
    code (jieba's algorithm; the graph itself is never read, so it is not built). Words are
    appended to a list, not passed up through three nested generators as `pair` objects. And the
    Viterbi skips transitions that do not exist (see `sparse_viterbi`). tests/unit/test_segment.py
    compares the tags with plain jieba.posseg on the samples and the benchmark corpus.
    """

    def __init__(self, tokenizer: jieba_next.Tokenizer, dictionary: Path) -> None:
        self.tokenizer = tokenizer  # its FREQ and user-dictionary tags, as jieba.posseg reads them
        # jieba's dictionary file as jieba.posseg reads it (bytes): the tag of every word.
        self.load_word_tag(dictionary.open("rb"))

    def tag_words(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech flag) of every word of `text`, as jieba.posseg cuts it."""
        self.makesure_userdict_loaded()
        words: list[tuple[str, str]] = []
        for block in _RE_HAN_INTERNAL.split(text):
            if _RE_HAN_INTERNAL.match(block):
                self._tag_word_graph(block, words)
            else:
                _tag_outside_words(block, words)
        return words

    def _tag_word_graph(self, block: str, words: list[tuple[str, str]]) -> None:
        """jieba.posseg's `__cut_DAG`: dictionary words along the best route; a run of
        one-character words is read again as a whole (`_tag_single_run`)."""
        # A private method of the pinned jieba-next: where the best word at each offset ends.
        ends = self.tokenizer._route_from_rust(block)
        tags = self.word_tag_tab  # a local name: this loop runs once per word of every clause
        single_chars = ""
        start, length = 0, len(block)
        while start < length:
            end = ends[start] + 1
            if end - start == 1:
                single_chars += block[start]
            else:
                if single_chars:
                    self._tag_single_run(single_chars, words)
                    single_chars = ""
                word = block[start:end]
                words.append((word, tags.get(word, "x")))
            start = end
        if single_chars:
            self._tag_single_run(single_chars, words)

    def _tag_single_run(self, run: str, words: list[tuple[str, str]]) -> None:
        """One character alone keeps its tag; a longer run is read by the HMM unless the run
        is itself a dictionary word (then character by character, as jieba does)."""
        tags = self.word_tag_tab
        if len(run) == 1:
            words.append((run, tags.get(run, "x")))
        elif not self.tokenizer.FREQ.get(run):
            _tag_unknown_run(run, words)
        else:
            words.extend((char, tags.get(char, "x")) for char in run)


# jieba.posseg's patterns: runs it segments with the word graph, whitespace it keeps whole,
# Chinese runs inside an unknown word, and numbers or Latin words inside one.
_RE_HAN_INTERNAL = jieba.posseg.re_han_internal
_RE_SKIP_INTERNAL = jieba.posseg.re_skip_internal
_RE_HAN_DETAIL = jieba.posseg.re_han_detail
_RE_SKIP_DETAIL = jieba.posseg.re_skip_detail
_RE_NUM = jieba.posseg.re_num
_RE_ENG = jieba.posseg.re_eng


def _tag_outside_words(block: str, words: list[tuple[str, str]]) -> None:
    """jieba.posseg's tags between word runs: whitespace whole, anything else per character."""
    for piece in _RE_SKIP_INTERNAL.split(block):
        if _RE_SKIP_INTERNAL.match(piece):
            words.append((piece, "x"))
            continue
        for char in piece:
            if _RE_NUM.match(char):
                words.append((char, "m"))
            elif _RE_ENG.match(piece):  # jieba tests the whole piece here, not the character
                words.append((char, "eng"))
            else:
                words.append((char, "x"))


def _tag_unknown_run(run: str, words: list[tuple[str, str]]) -> None:
    """jieba.posseg's `__cut_detail`: Chinese read by the HMM, numbers and Latin words whole."""
    for block in _RE_HAN_DETAIL.split(run):
        if _RE_HAN_DETAIL.match(block):
            words.extend(_hmm_words(block))
            continue
        for piece in _RE_SKIP_DETAIL.split(block):
            if not piece:
                continue
            if _RE_NUM.match(piece):
                words.append((piece, "m"))
            elif _RE_ENG.match(piece):
                words.append((piece, "eng"))
            else:
                words.append((piece, "x"))


@lru_cache(maxsize=1 << 16)
def _hmm_words(sentence: str) -> tuple[tuple[str, str], ...]:
    """(word, flag) pairs the Viterbi reads in a run of characters outside the dictionary.

    Cached: the same runs (names, rare words) come back article after article, and the Viterbi
    is the costliest step of tagging. The tables it reads are jieba's fixed model, so the same
    run always gives the same answer.
    """
    _, states = sparse_viterbi(sentence)
    words: list[tuple[str, str]] = []
    begin, next_index = 0, 0
    for index, char in enumerate(sentence):
        position, flag = states[index]
        if position == "B":
            begin = index
        elif position == "E":
            words.append((sentence[begin : index + 1], flag))
            next_index = index + 1
        elif position == "S":
            words.append((char, flag))
            next_index = index + 1
    if next_index < len(sentence):
        words.append((sentence[next_index:], states[next_index][1]))
    return tuple(words)


MIN_FLOAT = -3.14e100  # jieba's score for a character a state never emits


@lru_cache(maxsize=1)
def _predecessors() -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
    previous: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for before, targets in trans_P.items():
        for after in targets:
            previous.setdefault(after, set()).add(before)
    return {state: frozenset(states) for state, states in previous.items()}


def sparse_viterbi(observed: str) -> tuple[float, list[tuple[str, str]]]:
    """jieba.posseg.viterbi's result, visiting only transitions that exist (same tie-breaks).

    jieba's Viterbi scores every (previous state, state) pair, but its transition table is sparse
    (a state has at most 81 predecessors among 256; B-n can only follow M-n or E-n): the missing
    pairs score minus infinity and can never win, so skipping them changes no result and removes
    most of the cost, which was most of the time of part-of-speech tagging.
    """
    all_states = trans_P.keys()
    scores = {
        y: start_P[y] + emit_P[y].get(observed[0], MIN_FLOAT)
        for y in char_state_tab_P.get(observed[0], all_states)
    }
    back: list[dict] = [dict.fromkeys(scores, "")]
    for char in observed[1:]:
        scores, pointers = _viterbi_step(char, scores, all_states)
        back.append(pointers)
    probability, state = max((score, y) for y, score in scores.items())
    route = [state] * len(observed)
    for index in range(len(observed) - 1, -1, -1):
        route[index] = state
        state = back[index][state]
    return probability, route


def _viterbi_step(char: str, previous: dict, all_states) -> tuple[dict, dict]:
    live = [x for x in previous if trans_P[x]]
    expected = {y for x in live for y in trans_P[x]}
    candidates = set(char_state_tab_P.get(char, all_states)) & expected
    if not candidates:
        candidates = expected or set(all_states)
    scores, pointers = {}, {}
    live_set = frozenset(live)
    predecessors = _predecessors()
    for y in candidates:
        emit = emit_P[y].get(char, MIN_FLOAT)
        linked = predecessors.get(y, frozenset()) & live_set
        if linked:
            scores[y], pointers[y] = max((previous[x] + trans_P[x][y] + emit, x) for x in linked)
        else:  # no live predecessor: jieba scores them all -inf and keeps the largest state
            scores[y], pointers[y] = float("-inf"), max(live)
    return scores, pointers


@lru_cache(maxsize=4)
def _segmenter_for(user_dictionary: Path) -> Segmenter:
    return Segmenter(user_dictionary)


def get_segmenter(user_dictionary: Path | None = None) -> Segmenter:
    """The process-wide segmenter for a dictionary (built once per process, about 1 s)."""
    return _segmenter_for(user_dictionary or get_settings().user_dictionary)
