"""Organisations in an article, as written, with abbreviated names resolved where clear.

An organisation ends in a suffix from seeds/dictionaries/orgs_suffixes.txt (人大常委会, 有限公司,
局, 实验室 ...); its name is the name-like tokens before the suffix, back to the first word that
cannot be part of a name. Names inside names count on their own, as the gold convention asks:
安阳市人大常委会代表工作委员会 also yields 安阳市人大常委会.

A name needs something that makes it particular: a place, a level word (市, 省, 全国, 中共) or a
proper-noun token. Otherwise 工作中心 or 相关部门 would pass. "市人大常委会" and the like are
resolved to the article's own city or county (`region`) when the level matches.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

from flows.extract.places import get_gazetteer
from flows.records import Organization, Place
from flows.segment import Token, tokens_ending_at
from flows.vocabulary import word_list

_MAX_NAME_LENGTH = 24
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
_NAME_LIKE_POS = ("n", "s", "a", "b", "f", "j", "z", "g", "x", "eng", "l")
_PROPER_POS = ("nr", "ns", "nz", "nt", "j", "x", "eng")
_TOWN_ENDING = re.compile(r"(镇|乡|村|街道|社区)$")
_COMPANY_SUFFIXES = ("公司", "集团", "合作社")  # company names often hold verbs: 开发, 创新


@dataclass(frozen=True, slots=True)
class _Stops:
    """Where a walk back over a name must end."""

    feature_ends: set[int]
    division_starts: set[int]
    org_ends: set[int]
    place_tokens: set[int]  # starts of tokens inside a place name: 王庄(nr)村 is no person


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    suffixes: tuple[str, ...]  # longest first
    dependent: frozenset[str]
    national: frozenset[str]
    levels: frozenset[str]
    generic: frozenset[str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    suffixes = word_list("orgs_suffixes") + word_list("orgs_dependent_suffixes")
    return _Vocabulary(
        suffixes=tuple(sorted(set(suffixes), key=len, reverse=True)),
        dependent=frozenset(word_list("orgs_dependent_suffixes")),
        national=frozenset(word_list("orgs_national")),
        levels=frozenset(word_list("orgs_level_prefixes")),
        generic=frozenset(word_list("orgs_generic_words")),
    )


@lru_cache(maxsize=65536)
def _longest_suffix(word: str) -> str | None:
    """The longest organisation suffix `word` ends with (a set lookup per length, not a scan).

    Scanning every suffix for every token was a tenth of extraction time on a large corpus.
    """
    suffixes = _suffix_set()
    for length in range(min(len(word), _longest_suffix_length()), 0, -1):
        if word[-length:] in suffixes:
            return word[-length:]
    return None


@lru_cache(maxsize=1)
def _suffix_set() -> frozenset[str]:
    return frozenset(_vocabulary().suffixes)


@lru_cache(maxsize=1)
def _longest_suffix_length() -> int:
    return max(map(len, _vocabulary().suffixes), default=0)


def tag_triggers() -> frozenset[str]:
    """Words one of which a clause must hold for an organisation to end in it (a suffix or a
    national body's name): a clause without one needs no part-of-speech tags."""
    vocabulary = _vocabulary()
    return frozenset((*vocabulary.suffixes, *vocabulary.national))


def extract_organizations(
    text: str, tagged: list[Token], places: list[Place], region: Place | None
) -> list[Organization]:
    """Every organisation mention in `text`, in order of position."""
    spans = find_organization_spans(text, tagged, places)
    return [
        Organization(text[start:end], start, end, resolve_abbreviation(text[start:end], region))
        for start, end in spans
    ]


def find_organization_spans(
    text: str, tagged: list[Token], places: list[Place]
) -> list[tuple[int, int]]:
    """(start, end) of each organisation name, nested names included, sorted."""
    vocabulary = _vocabulary()
    feature_ends = _feature_place_ends(places)
    place_starts = {place.start for place in places}
    division_starts = {place.start for place in places if place.name in get_gazetteer().aliases}
    place_tokens = _starts_of_tokens_inside(tagged, places)
    spans: set[tuple[int, int]] = set()
    org_ends: set[int] = set()  # filled as names are found: a later name may stop at one
    stops = _Stops(feature_ends, division_starts, org_ends, place_tokens)
    for position, token in enumerate(tagged):
        if token.text in vocabulary.national:
            span = token.start, token.end
        elif (suffix := _longest_suffix(token.text)) is not None:
            span = _name_ending_with(
                text, tagged, position, suffix, vocabulary, stops, place_starts
            )
        else:
            continue  # most tokens: neither a national body nor ending with a suffix
        if span is not None:
            spans.add(span)
            org_ends.add(span[1])
    return sorted(spans)


def _starts_of_tokens_inside(tagged: list[Token], places: list[Place]) -> set[int]:
    """Starts of the tokens that lie wholly inside a place name (tokens are in text order)."""
    starts = [token.start for token in tagged]
    inside: set[int] = set()
    for place in places:
        index = bisect_left(starts, place.start)
        while index < len(tagged) and tagged[index].end <= place.end:
            inside.add(tagged[index].start)
            index += 1
    return inside


def _feature_place_ends(places: list[Place]) -> set[int]:
    """Ends of zones and landmarks: an organisation inside one starts after it (开发区X公司)."""
    return {place.end for place in places if not _is_division_or_town(place.name)}


def _is_division_or_town(name: str) -> bool:
    return name in get_gazetteer().aliases or _TOWN_ENDING.search(name) is not None


def _name_ending_with(
    text: str,
    tagged: list[Token],
    position: int,
    suffix: str,
    vocabulary: _Vocabulary,
    stops: _Stops,
    place_starts: set[int],
) -> tuple[int, int] | None:
    """The span of the organisation whose name ends with tagged[position] (which ends with
    `suffix`), walking back over the words of its name; None when it names no particular body."""
    token = tagged[position]
    if token.text in vocabulary.generic and token.text not in vocabulary.suffixes:
        return None
    if suffix in vocabulary.dependent and token.start not in stops.org_ends:
        return None
    if (
        suffix == "人大"
        and position + 1 < len(tagged)
        and tagged[position + 1].text.startswith("代表")
    ):
        return None  # X人大 + 代表联络站: the 人大 names the deputies, not a body
    start = _walk_back(tagged, position, stops, suffix, vocabulary)
    name = text[start : token.end]
    if name in vocabulary.suffixes or _is_generic(name, tagged, start, stops, vocabulary):
        return None
    name_tokens = tokens_ending_at(tagged, start, position)
    if not _is_particular(name, name_tokens, vocabulary, place_starts, token):
        return None
    return start, token.end


def _walk_back(
    tagged: list[Token], position: int, stops: _Stops, suffix: str, vocabulary: _Vocabulary
) -> int:
    """Start of the name: back over name-like tokens, to the first division name at most.

    The division is the organisation's own (汤阴县 in 汤阴县某镇某村代表联络站); what comes
    before it is address (湖南省 in 湖南省株洲市人大常委会), except 中共 in 中共X市委.
    """
    end = tagged[position].end
    start = tagged[position].start
    for index in range(position - 1, -1, -1):
        token = tagged[index]
        # A company after a zone is in the zone (开发区 + X公司); a deputies' station or a body
        # named after one holds it (某某创业园代表联络站).
        at_zone_end = token.end in stops.feature_ends and suffix.endswith(_COMPANY_SUFFIXES)
        if at_zone_end or end - token.start > _MAX_NAME_LENGTH:
            break
        in_place = token.start in stops.place_tokens
        before_suffix = index == position - 1
        if not in_place and not _is_name_like(token, suffix, before_suffix):
            break
        start = token.start
        if token.start in stops.division_starts:
            if (
                index > 0
                and tagged[index - 1].text in vocabulary.levels
                and len(tagged[index - 1].text) > 1
            ):
                start = tagged[index - 1].start
            break
    return start


def _is_name_like(token: Token, suffix: str, before_suffix: bool) -> bool:
    if (
        not _WORD.fullmatch(token.text)
        or token.text in _stop_tokens()
        or token.text in _role_words()
    ):
        return False
    pos = token.pos or ""
    if pos.startswith("vn"):
        return before_suffix or len(token.text) == 1  # 代表工作委员会, not 视察人大代表联络站
    is_company = suffix.endswith(_COMPANY_SUFFIXES)
    if pos.startswith("nr") and not is_company:
        return False  # a person's name ends the organisation before it: 主任张三带队到X联络站
    if pos.startswith(_NAME_LIKE_POS):
        return True
    return is_company and pos.startswith("v")


def _is_generic(
    name: str, tagged: list[Token], start: int, stops: _Stops, vocabulary: _Vocabulary
) -> bool:
    """The name, or what follows its division (某某市 + 工作中心), is a common noun."""
    if name in vocabulary.generic:
        return True
    if start not in stops.division_starts:
        return False
    # Tokens are in text order: the one starting the name is found by bisection, not a scan.
    index = bisect_left(tagged, start, key=attrgetter("start"))
    first = tagged[index] if index < len(tagged) and tagged[index].start == start else None
    return first is not None and name[len(first.text) :] in vocabulary.generic


@lru_cache(maxsize=1)
def _role_words() -> frozenset[str]:
    """Titles that end an organisation's name (主任, 书记); 代表 and 委员 also name bodies."""
    titles = word_list("roles_titles")
    return frozenset(title for title in titles if "代表" not in title and "委员" not in title)


@lru_cache(maxsize=1)
def _stop_tokens() -> frozenset[str]:
    # Words that open a clause rather than a name: 全市 in 全市各部门, 各 in 各级人大.
    return frozenset(
        {"全市", "全省", "全县", "全区", "各级", "各", "该", "本", "我", "其", "相关", "有关"}
    )


def _is_particular(
    name: str,
    name_tokens: list[Token],
    vocabulary: _Vocabulary,
    place_starts: set[int],
    suffix_token: Token,
) -> bool:
    """A place, a level word or a proper noun before the suffix makes the name particular."""
    prefix_tokens = name_tokens[:-1]
    if not prefix_tokens:
        # One token: 市委 (a level and a suffix), or a name jieba knows as an organisation.
        if (suffix_token.pos or "").startswith(("nt", "nz")) and len(name) > 3:
            return True
        return (
            suffix_token.text[0] in vocabulary.levels
            and suffix_token.text[1:] in vocabulary.suffixes
        )
    if name_tokens[0].text in vocabulary.levels or name_tokens[0].start in place_starts:
        return True
    return any((t.pos or "").startswith(_PROPER_POS) for t in prefix_tokens)


# --- abbreviations ----------------------------------------------------------------------------


def resolve_abbreviation(name: str, region: Place | None) -> str:
    """市人大常委会 -> 安阳市人大常委会 when the article's region has a city (or a county-level
    city) to stand for "市"; the name as written when nothing fits. A name that opens with an
    ordinary word (市场监督管理局: 市场 is "market", not "the city") is left as written."""
    if (
        region is None
        or not name
        or name[0] not in _LEVEL_FIELDS
        or name.startswith(word_list("orgs_level_char_words"))
    ):
        return name
    for field_name in _LEVEL_FIELDS[name[0]]:
        full = getattr(region, field_name)
        if full and full.endswith(name[0]):
            return full + name[1:]
    return name


# "市" is the county when the county is a county-level city (林州市): the article speaks of it.
_LEVEL_FIELDS = {
    "省": ("province",),
    "市": ("county", "city"),
    "州": ("city",),
    "县": ("county",),
    "区": ("county",),
}
