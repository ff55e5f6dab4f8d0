"""Laws and other titled documents: 《某某省养老服务条例》 -> title, kind 条例.

A title in 《》 is a law (in the broad sense the warehouse uses: laws, regulations, decisions,
plans, opinions, reports, proposals) when it ends with a document kind from
seeds/dictionaries/law_kinds.txt. Titles ending otherwise name newspapers, books or programmes
(《某某日报》, 《某某晚报》) and are left out. The longest matching kind wins
(实施条例 over 条例); a subtitle after —— stays part of the title, as the page writes it.
"""

from __future__ import annotations

import re

from flows.records import Law
from flows.vocabulary import lines

_TITLE_RE = re.compile(r"《([^《》\n]{2,80})》")


def _law_kinds() -> tuple[str, ...]:
    # Longest first: a title ending in 实施办法 is that kind, not the shorter 办法.
    return lines("law_kinds", longest_first=True)


def law_kind(title: str) -> str | None:
    """The document kind a title ends with, or None when it is not a law-like document."""
    # 《中华人民共和国宪法(修正案)》: the kind is read before a closing parenthesis.
    bare = re.sub(r"[(（][^()（）]*[)）]$", "", title.strip())
    return next((kind for kind in _law_kinds() if bare.endswith(kind)), None)


def extract_laws(text: str) -> list[Law]:
    """Every law-like title in 《》, in order; offsets cover the title without the brackets."""
    laws = []
    for match in _TITLE_RE.finditer(text):
        kind = law_kind(match.group(1))
        if kind is not None:
            laws.append(
                Law(title=match.group(1), start=match.start(1), end=match.end(1), kind=kind)
            )
    return laws
