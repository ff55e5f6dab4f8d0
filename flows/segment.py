"""The one module that owns jieba.

Everything else segments through `get_segmenter()`: an explicit `jieba.Tokenizer` loaded with the
domain dictionary from seeds/, never jieba's global tokenizer, so no caller can change what
another caller sees.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg

from flows.settings import get_settings

jieba.setLogLevel(60)  # jieba logs its cache loading at INFO on every process start.


@dataclass(frozen=True, slots=True)
class Token:
    """One token with its character span in the segmented text."""

    text: str
    start: int
    end: int
    pos: str | None = None


class Segmenter:
    """jieba with the project's user dictionary; cheap `cut`, costly part-of-speech `tag`."""

    def __init__(self, user_dictionary: Path) -> None:
        self.user_dictionary = user_dictionary
        self._tokenizer = jieba.Tokenizer()
        # jieba caches its prefix dictionary in the temp dir; keep ours apart from other users'.
        self._tokenizer.tmp_dir = tempfile.gettempdir()
        self._tokenizer.load_userdict(str(user_dictionary))
        self._tagger = jieba.posseg.POSTokenizer(self._tokenizer)

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text)

    def tokens(self, text: str) -> list[Token]:
        return [Token(word, start, end) for word, start, end in self._tokenizer.tokenize(text)]

    def tag(self, text: str) -> list[Token]:
        """Tokens with jieba's part-of-speech flags (about 6x slower than `tokens`)."""
        tagged: list[Token] = []
        offset = 0
        for pair in self._tagger.cut(text):
            tagged.append(Token(pair.word, offset, offset + len(pair.word), pair.flag))
            offset += len(pair.word)
        return tagged


@lru_cache(maxsize=4)
def _segmenter_for(user_dictionary: Path) -> Segmenter:
    return Segmenter(user_dictionary)


def get_segmenter(user_dictionary: Path | None = None) -> Segmenter:
    """The process-wide segmenter for a dictionary (built once per process, about 1 s)."""
    return _segmenter_for(user_dictionary or get_settings().user_dictionary)
