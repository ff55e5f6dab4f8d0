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
from itertools import repeat
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
        self._tagger = _SparseViterbiTagger(_CompiledRoute(self._tokenizer), JIEBA_DICTIONARY)

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text)

    def tokens(self, text: str) -> list[Token]:
        return [Token(word, start, end) for word, start, end in self._tokenizer.tokenize(text)]

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
        for pair in self._tagger.cut(text):
            tagged.append(Token(pair.word, offset, offset + len(pair.word), pair.flag))
            offset += len(pair.word)
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


def tokens_from_words(words: list[str]) -> list[Token]:
    """`tokens()` rebuilt from `cut()`'s words: the same tokens without segmenting again."""
    tokens, offset = [], 0
    for word in words:
        tokens.append(Token(word, offset, offset + len(word)))
        offset += len(word)
    return tokens


class _CompiledRoute:
    """A jieba_next tokenizer as jieba.posseg's tagger uses a jieba one, with the best route
    through the word graph computed by jieba-next's compiled code.

    The tagger calls `get_DAG` and then `calc`, and reads only `route[start][1]` (where the
    best word starting at `start` ends); the graph itself is never read, so it is not built.
    Everything else (`FREQ`, the user dictionary's tags) is the tokenizer's.
    """

    def __init__(self, tokenizer: jieba_next.Tokenizer) -> None:
        self._tokenizer = tokenizer

    def __getattr__(self, name: str):
        return getattr(self._tokenizer, name)

    def get_DAG(self, sentence: str) -> None:
        return None

    def calc(self, sentence: str, dag: None, route: dict[int, tuple[float, int]]) -> None:
        # A private method of the pinned jieba-next: the compiled graph and route in one call.
        ends = self._tokenizer._route_from_rust(sentence)
        route.update(enumerate(zip(repeat(0.0), ends)))  # start -> (score unused, end)


class _SparseViterbiTagger(jieba.posseg.POSTokenizer):
    """jieba's tagger with a faster, output-identical Viterbi for words outside the dictionary.

    jieba's Viterbi scores every (previous state, state) pair, but its transition table is sparse
    (a state has at most 81 predecessors among 256; B-n can only follow by M-n or E-n): the
    missing pairs score minus infinity and can never win, so skipping them changes no result and
    removes most of the cost, which was most of the time of part-of-speech tagging.
    """

    def __init__(self, tokenizer: _CompiledRoute, dictionary: Path) -> None:
        self.tokenizer = tokenizer
        # jieba's dictionary file as jieba.posseg reads it (bytes): the tag of every word.
        self.load_word_tag(dictionary.open("rb"))

    def _POSTokenizer__cut(self, sentence: str):  # overrides the name-mangled hook
        for word, flag in _hmm_words(sentence):
            yield jieba.posseg.pair(word, flag)


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
    """jieba.posseg.viterbi's result, visiting only transitions that exist (same tie-breaks)."""
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
