"""The place an article is about: one division, normalised to province / city / county.

Evidence is weighed, not voted: a place in the title counts most (林州：..., 凯里市人大：...),
then the place that owns a 人大/人大常委会 in the text (X市人大常委会 did this), then how often a
place is named. Every mention also counts for the divisions above it, so a county implies its
city and province (凯里市 -> 黔东南苗族侗族自治州, 贵州省). A county is the answer only when it
carries at least half its city's weight: an article about a city that names its counties in
passing stays at city level. National articles (新华社, 全国人大) that name no place often
enough get no region at all.
"""

from __future__ import annotations

from collections import Counter

from flows.extract.places import Division, Gazetteer, get_gazetteer
from flows.records import Place

TITLE_WEIGHT = 5.0
CONGRESS_OWNER_WEIGHT = 3.0
MENTION_WEIGHT = 1.0
MIN_EVIDENCE = 2.0  # one passing mention of 北京 does not make an article about Beijing
COUNTY_SHARE = 0.5
_CONGRESS_WORDS = ("人大常委会", "人大", "人民代表大会", "人民代表大会常务委员会")


def infer_region(places: list[Place], title: str | None, text: str) -> Place | None:
    """The article's region as a Place (name and span of its first mention), or None."""
    gazetteer = get_gazetteer()
    scores: Counter[str] = Counter()
    for place in places:
        division = gazetteer.division(place.division_code)
        # Towns and zones inherit a county from context: counting them would count it twice.
        if division is not None and place.name in gazetteer.aliases:
            _add(scores, division, _mention_weight(place, text))
    for division in title_divisions(title, places, gazetteer):
        _add(scores, division, TITLE_WEIGHT)
    chosen = _choose_division(scores, gazetteer)
    return _as_place(chosen, places, gazetteer) if chosen else None


def _mention_weight(place: Place, text: str) -> float:
    owns_congress = text.startswith(_CONGRESS_WORDS, place.end)
    return MENTION_WEIGHT + (CONGRESS_OWNER_WEIGHT if owns_congress else 0.0)


def _add(scores: Counter[str], division: Division, weight: float) -> None:
    for code in {division.code, division.city_code, division.province_code}:
        if code:
            scores[code] += weight


def title_divisions(title: str | None, places: list[Place], gazetteer: Gazetteer) -> list[Division]:
    """Divisions named in the title, short names included (林州：...), read with the body's places.

    An alias with several candidates keeps those in a province the body names; still
    ambiguous, it is ignored.
    """
    if not title:
        return []
    body_codes = {code for place in places for code in _codes_of(place, gazetteer)}
    found: list[Division] = []
    position = 0
    while position < len(title):
        length, candidates = _longest_alias_at(title, position, gazetteer)
        if not candidates:
            position += 1
            continue
        in_context = [
            d for d in candidates if d.province_code in body_codes or d.code in body_codes
        ]
        chosen = in_context if len(candidates) > 1 else candidates
        if len({d.code for d in chosen}) == 1:
            found.append(chosen[0])
        position += length
    return found


def _longest_alias_at(title: str, start: int, gazetteer: Gazetteer) -> tuple[int, list[Division]]:
    for length in range(min(gazetteer.longest_alias, len(title) - start), 1, -1):
        aliases = gazetteer.aliases.get(title[start : start + length])
        if aliases:
            return length, [alias.division for alias in aliases]
    return 0, []


def _codes_of(place: Place, gazetteer: Gazetteer) -> set[str]:
    division = gazetteer.division(place.division_code)
    if division is None:
        return set()
    return {division.code, division.province_code, division.city_code or ""} - {""}


def _choose_division(scores: Counter[str], gazetteer: Gazetteer) -> Division | None:
    """Best province, then its best city, then its best county if that county dominates."""
    best = _best_below(scores, gazetteer, "province", None)
    if best is None or scores[best.code] < MIN_EVIDENCE:
        return None
    city = _best_below(scores, gazetteer, "city", best) or best
    county = _best_below(scores, gazetteer, "county", city)
    if county is not None and scores[county.code] >= COUNTY_SHARE * scores[city.code]:
        return county
    return city


def _best_below(
    scores: Counter[str], gazetteer: Gazetteer, level: str, parent: Division | None
) -> Division | None:
    candidates = [
        division
        for code in scores
        if (division := gazetteer.division(code)) is not None
        and division.level == level
        and division.code != (parent.code if parent else None)
        and (parent is None or _is_below(division, parent))
    ]
    # Ties break on the code so the answer is the same on every run.
    return max(candidates, key=lambda d: (scores[d.code], d.code), default=None)


def _is_below(division: Division, parent: Division) -> bool:
    if parent.level == "province":
        return division.province_code == parent.code
    return division.city_code == parent.code


def _as_place(division: Division, places: list[Place], gazetteer: Gazetteer) -> Place:
    """The region with the span of its first mention in the body (0, 0 if only in the title)."""
    fields = gazetteer.place_fields(division)
    mention = next((place for place in places if place.division_code == division.code), None)
    if mention is None:
        return Place(name=division.name, start=0, end=0, **fields)
    return Place(name=mention.name, start=mention.start, end=mention.end, **fields)
