"""Every number with a unit in an article body: 建成代表联络站120个 -> 120, 个, subject 代表联络站.

Conventions (the gold's, see tests/gold/README.md):
- Money is converted to 元 (近250亿元 -> 25000000000 元, approx 近); 万 and 亿 scale every number.
- A number with no measure word takes the noun as unit (6部门 -> 部门), if the noun is a count
  noun in seeds/dictionaries/units.txt; every unit comes from that catalogue.
- approx is one of 余 近 超 多 约 以上 (突破 and 逾 read as 超, 左右 as 约) or None.
- A range is one quantity: 3至5个 -> 3, 个, approx 以上 (the lower bound is the only value the
  sentence guarantees; the whole range stays in `text`).
- Not quantities: dates and times, ordinals (第X), session numbers (十二届, 二次会议), level words
  (三级), numbers inside slogans and 《titles》, numbers glued to names or codes, and the
  indefinite 一 written as a Chinese numeral (一项任务, 一批). Arabic 1 (1项任务) is a count.

The subject is what is counted: the noun phrase right after the unit (12项审议意见), else the one
right before the number (群众来信2100余件), else the verb for event units (调研46次), else the
subject of the previous quantity in the same sentence (制定法规9部、废止3部).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from flows.extract.numerals import (
    CHINESE_DIGITS,
    CHINESE_MAGNITUDES,
    NUMBER_PATTERN,
    as_number,
    parse_numeral,
    read_number,
)
from flows.extract.slogans import extract_slogans
from flows.records import Quantity
from flows.segment import Token, get_segmenter
from flows.vocabulary import rows, word_list

_NOUNISH = {"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nw", "vn", "an", "l", "j", "ng", "b", "zg"}
_NUMERAL_CHARS = set("0123456789" + CHINESE_DIGITS + CHINESE_MAGNITUDES)
_CONNECTORS = {"、", "和", "及", "与", "以及"}
_CLAUSE_BREAK = "，,。；;：:！!？?\n"
_SENTENCE_BREAK = "。；;！!？?\n"
_SENTENCE_BREAK_PATTERN = re.compile(f"[{re.escape(_SENTENCE_BREAK)}]")
_WINDOW = 24  # characters of context read on each side for the subject
# Characters that may follow a duration; anything else makes it part of a name (三年行动).
_DURATION_FOLLOWERS = set("来里内间中多前后以的时就才已被即，,。；;、:：!！?？)）”’ \n")
_SESSION_WORDS = ("会议", "全会", "全体会议", "常委会议", "大会")
# 党的二十大, 十九大以来: party congresses are sessions, not a category count like 6大重点产业.
_CONGRESS_FOLLOWERS = ("以来", "精神", "报告", "召开", "胜利", "期间", "代表", "开幕", "闭幕")
_GLUED_ADDRESS_BEFORE = set("村队社区")  # 村1组, 社区3组: a group number is a name
_RANGE_LOW_RE = re.compile(rf"(\d+(?:\.\d+)?|[{CHINESE_DIGITS}十百千]+)(?:至|到|~|～|-|—|－)$")
_LEVEL_RE = re.compile(rf"^[\d{CHINESE_DIGITS}{CHINESE_MAGNITUDES}]+级$")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    units: dict[str, str]  # unit -> kind
    approx_before: dict[str, str]
    approx_after: dict[str, str]
    determiners: frozenset[str]
    terminal_nouns: frozenset[str]
    verbs: frozenset[str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    approx = rows("numbers_approx")
    return _Vocabulary(
        units={row[0]: row[1] for row in rows("units")},
        approx_before={word: mark for word, mark, where in approx if where == "before"},
        approx_after={word: mark for word, mark, where in approx if where == "after"},
        determiners=frozenset(word_list("numbers_determiners")),
        terminal_nouns=frozenset(word_list("numbers_terminal_nouns")),
        verbs=frozenset(word_list("numbers_verbs")),
    )


def unit_catalogue() -> dict[str, str]:
    """Every unit a quantity may carry, with its kind (the catalogue the gate checks against)."""
    return dict(_vocabulary().units)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _quantity_re() -> re.Pattern[str]:
    vocabulary = _vocabulary()
    return re.compile(
        rf"(?P<before>{_alternation(vocabulary.approx_before)})?"
        rf"{NUMBER_PATTERN}"
        rf"(?P<unit>{_alternation(vocabulary.units)})"
        rf"(?P<after>{_alternation(vocabulary.approx_after)})?"
    )


# --- candidates ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # first character of the quantity, approx word or range included
    number_start: int
    unit_start: int
    unit_end: int
    end: int
    value: float
    unit: str
    approx: str | None


def _candidates(text: str) -> Iterator[_Candidate]:
    for match in _quantity_re().finditer(text):
        candidate = _candidate_from(match, text)
        if candidate is not None:
            yield candidate


def _candidate_from(match: re.Match[str], text: str) -> _Candidate | None:
    try:
        reading = read_number(match)
    except ValueError:
        return None
    mantissa = match.group("mantissa")
    if reading.is_chinese and not _is_countable_chinese(mantissa, match):
        return None
    unit, after = match.group("unit"), match.group("after")
    if after in {"多", "余"} and _vocabulary().units[unit] != "time":
        after = None  # 多/余 after a measure word starts the next word (5项多措并举)
    start, approx = _approx_start(match, text)
    end = match.end("after") if after else match.end("unit")
    value, start, approx = _with_range(text, start, match.start("mantissa"), reading.value, approx)
    return _Candidate(
        start=start,
        number_start=match.start("mantissa"),
        unit_start=match.start("unit"),
        unit_end=match.end("unit"),
        end=end,
        value=value,
        unit=unit,
        approx=_vocabulary().approx_after.get(after or "") or reading.approx or approx,
    )


def _is_countable_chinese(mantissa: str, match: re.Match[str]) -> bool:
    """一 alone means "a" (一项工作); 百/千/万 alone are idioms (千家万户) unless approximate."""
    if set(mantissa) == {"一"} and not match.group("magnitude"):
        return False
    if set(mantissa) <= set("百千万亿"):
        return bool(match.group("before") or match.group("inner_approx"))
    return True


def _approx_start(match: re.Match[str], text: str) -> tuple[int, str | None]:
    before = match.group("before")
    if not before:
        return match.start("mantissa"), None
    # 最近3年, 附近2个: 近 belongs to the word before it, not to the number.
    if before == "近" and match.start() > 0 and text[match.start() - 1] in "最附将接":
        return match.start("mantissa"), None
    return match.start(), _vocabulary().approx_before[before]


def _with_range(
    text: str, start: int, number_start: int, value: float, approx: str | None
) -> tuple[float, int, str | None]:
    """3至5个 -> (3, start of 3, 以上): a range keeps its lower bound."""
    if start != number_start:
        return value, start, approx
    low = _RANGE_LOW_RE.search(text[max(0, start - 8) : start])
    if low is None:
        return value, start, approx
    low_start = start - len(low.group(0))
    if low_start > 0 and text[low_start - 1] == "第":
        return value, start, approx  # 第3至5个: ordinals, excluded later anyway
    try:
        low_value = parse_numeral(low.group(1))
    except ValueError:
        return value, start, approx
    if low_value >= value:
        return value, start, approx
    return low_value, low_start, "以上"


# --- exclusions ----------------------------------------------------------------------------------


def _is_excluded(candidate: _Candidate, text: str, covered: list[tuple[int, int]]) -> bool:
    checks = (
        _is_ordinal,
        _is_glued_to_code,
        _is_date_or_name_duration,
        _is_session,
        _is_congress,
        _is_address,
    )
    if any(check(candidate, text) for check in checks):
        return True
    return any(start <= candidate.number_start < end for start, end in covered)


def _is_ordinal(candidate: _Candidate, text: str) -> bool:
    return candidate.start > 0 and text[candidate.start - 1] == "第"


def _is_glued_to_code(candidate: _Candidate, text: str) -> bool:
    """5G, G20, 1号楼: numbers that belong to a code rather than a count."""
    before = text[candidate.start - 1] if candidate.start > 0 else ""
    after = text[candidate.unit_start] if candidate.unit_start < len(text) else ""
    return bool(_LATIN.match(before) or _LATIN.match(after))


def _is_date_or_name_duration(candidate: _Candidate, text: str) -> bool:
    if _vocabulary().units[candidate.unit] not in {"time", "anniversary"}:
        return False
    if candidate.unit == "年" and candidate.value >= 1000:
        return True  # 2023年, 二〇二三年: a year, not a duration
    follower = text[candidate.end] if candidate.end < len(text) else "\n"
    return follower not in _DURATION_FOLLOWERS  # 两年攻坚, 60周年纪念, 五年发展规划


def _is_session(candidate: _Candidate, text: str) -> bool:
    """二次会议, 七次全会: the session of a body, not a count of meetings."""
    return candidate.unit == "次" and text.startswith(_SESSION_WORDS, candidate.end)


def _is_congress(candidate: _Candidate, text: str) -> bool:
    if candidate.unit != "大":
        return False
    preceded_by_party = text[max(0, candidate.start - 2) : candidate.start] == "党的"
    return preceded_by_party or text.startswith(_CONGRESS_FOLLOWERS, candidate.end)


def _is_address(candidate: _Candidate, text: str) -> bool:
    return (
        candidate.unit == "组"
        and candidate.start > 0
        and (text[candidate.start - 1] in _GLUED_ADDRESS_BEFORE)
    )


def _is_inside_word(candidate: _Candidate, word_starts: list[int]) -> bool:
    """唯一, 三番五次, 三门峡: a Chinese numeral that jieba reads as part of a longer word.

    `word_starts` are the offsets where the text's words start, and its length last.
    """
    index = bisect_right(word_starts, candidate.number_start) - 1
    if not 0 <= index < len(word_starts) - 1:
        return False
    start, end = word_starts[index], word_starts[index + 1]
    if start == candidate.start and end <= candidate.end:
        return False  # 近千家, 两年多: the word is the quantity itself
    return start < candidate.start or end > candidate.unit_end


def _covered_spans(text: str) -> list[tuple[int, int]]:
    """Slogans and 《titles》: numbers there are names (三大工程, 《两年攻坚计划》)."""
    spans = [(slogan.start, slogan.end) for slogan in extract_slogans(text)]
    spans += [(match.start(), match.end()) for match in re.finditer(r"《[^《》]*》", text)]
    return spans


# --- subjects -------------------------------------------------------------------------------------


def _tag(fragment: str) -> list[Token]:
    return get_segmenter().tag(fragment) if fragment else []


def _window_after(text: str, end: int) -> str:
    fragment = text[end : end + _WINDOW]
    cut = next((i for i, char in enumerate(fragment) if char in _CLAUSE_BREAK), len(fragment))
    return fragment[:cut]


def _window_before(text: str, start: int) -> str:
    fragment = text[max(0, start - _WINDOW) : start]
    cut = max((i for i, char in enumerate(fragment) if char in _CLAUSE_BREAK), default=-1)
    return fragment[cut + 1 :]


def _is_nounish(token: Token) -> bool:
    vocabulary = _vocabulary()
    if token.text in vocabulary.verbs or token.text in vocabulary.determiners:
        return False
    if _NUMERAL_CHARS & set(token.text) and (token.pos or "") in {"m", "l"}:
        return False  # 近千家, 两个: the next quantity, not part of this subject
    return (token.pos or "")[:2] in _NOUNISH or (token.pos or "")[:1] == "n"


def _is_level_word(token: Token) -> bool:
    return bool(_LEVEL_RE.match(token.text))


def _closing_index(tokens: list[Token], index: int, opener: str, closer: str) -> int | None:
    """Index of the token closing a short (...) or “...” group opened at `index`."""
    for offset in range(index + 1, min(index + 8, len(tokens))):
        if tokens[offset].text == closer:
            return offset
        if tokens[offset].text == opener:
            return None
    return None


_GROUPS = {"(": ")", "（": "）", "“": "”", "‘": "’"}


def _phrase_forward(tokens: list[Token]) -> list[Token]:
    """The noun phrase at the start of `tokens`: nouns, 、/和 between nouns, (…) and “…” groups."""
    phrase: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if _is_level_word(token):
            phrase, index = [], index + 1  # 25名省、市、县三级人大代表 -> 人大代表
            continue
        if token.text in _GROUPS:
            close = _closing_index(tokens, index, token.text, _GROUPS[token.text])
            if close is None or (not phrase and token.text in "(（"):
                break
            phrase, index = phrase + tokens[index : close + 1], close + 1
            if token.text in "(（":
                break  # 乡镇(街道)人大工作: the bracket closes the counted noun
            continue
        if _is_nounish(token) or (_is_modifier(token) and _noun_follows(tokens, index)):
            phrase.append(token)
            if token.text in _vocabulary().terminal_nouns:
                break
        elif token.text in _CONNECTORS and phrase and _next_is_noun(tokens, index):
            phrase.append(token)
        else:
            break
        index += 1
    return phrase


def _is_modifier(token: Token) -> bool:
    return (token.pos or "") == "a" and token.text not in _vocabulary().determiners


def _noun_follows(tokens: list[Token], index: int) -> bool:
    """主要整改措施: adjectives and adverbs belong to the phrase when a noun ends the run."""
    for token in tokens[index + 1 :]:
        if _is_nounish(token):
            return True
        if not _is_modifier(token):
            return False
    return False


def _next_is_noun(tokens: list[Token], index: int) -> bool:
    return index + 1 < len(tokens) and _is_nounish(tokens[index + 1])


def _phrase_backward(tokens: list[Token]) -> list[Token]:
    """The noun phrase that ends `tokens`, read right to left."""
    closers = {close: open_ for open_, close in _GROUPS.items()}
    phrase: list[Token] = []
    index = len(tokens) - 1
    while index >= 0:
        token = tokens[index]
        if token.text in closers:
            open_index = _opening_index(tokens, index, closers[token.text], token.text)
            if open_index is None:
                break
            phrase, index = tokens[open_index : index + 1] + phrase, open_index - 1
            continue
        if not _belongs_before(tokens, index, phrase):
            break
        phrase.insert(0, token)
        index -= 1
    return phrase


def _belongs_before(tokens: list[Token], index: int, phrase: list[Token]) -> bool:
    token = tokens[index]
    if _is_nounish(token):
        return not _is_level_word(token)
    if _is_modifier(token) and phrase:
        return True  # 困难问题, 重大事项: an adjective before the noun
    return (
        token.text in _CONNECTORS and bool(phrase) and index > 0 and _is_nounish(tokens[index - 1])
    )


def _opening_index(tokens: list[Token], index: int, opener: str, closer: str) -> int | None:
    for offset in range(index - 1, max(index - 8, -1), -1):
        if tokens[offset].text == opener:
            return offset
        if tokens[offset].text == closer:
            return None
    return None


def _without_determiners(phrase: list[Token]) -> str:
    determiners = _vocabulary().determiners
    while phrase and phrase[0].text in determiners:
        phrase = phrase[1:]
    return "".join(token.text for token in phrase).strip("、和及与")


def _subject_after(text: str, candidate: _Candidate) -> str:
    tokens = _tag(_window_after(text, candidate.end))
    if tokens and tokens[0].text in _vocabulary().determiners:
        return ""  # 各级代表3000余名积极参与: the number closes its phrase
    phrase = _phrase_forward(tokens)
    de_follows = any(token.text == "的" for token in tokens[len(phrase) : 12])
    if phrase and not (de_follows and _is_modifying(phrase[0])):
        return _without_determiners(phrase)
    # 76岁的独居老人, 40余家不同规模的托育机构: a modifier, then 的, then the thing counted.
    for index, token in enumerate(tokens[:12]):
        if token.text == "的":
            return _without_determiners(_phrase_forward(tokens[index + 1 :]))
    return _without_determiners(phrase)


def _is_modifying(token: Token) -> bool:
    """不同类型的…, 影响发展的…: the words before 的 describe the noun after it."""
    return _is_modifier(token) or (token.pos or "") in {"vn", "v"} or token.text in _GROUPS


def _subject_before(text: str, candidate: _Candidate) -> str:
    tokens = _tag(_window_before(text, candidate.start))
    kind = _vocabulary().units[candidate.unit]
    subject = _without_determiners(_phrase_backward(tokens))
    if kind in {"percent", "anniversary"} and tokens and _is_verb(tokens[-1]):
        # 财政收入增长6.2%, 自治州成立60周年: the verb is part of what is measured.
        subject = _without_determiners(_phrase_backward(tokens[:-1])) + tokens[-1].text
    if not subject and kind == "event" and tokens and _is_verb(tokens[-1]):
        subject = tokens[-1].text  # 调研46次, 赞成45票: the act is what is counted
    return subject


def _is_verb(token: Token) -> bool:
    return (token.pos or "").startswith("v") or token.text in _vocabulary().verbs


def _subject(text: str, candidate: _Candidate) -> str | None:
    if _vocabulary().units[candidate.unit] == "noun":
        return candidate.unit
    return _subject_after(text, candidate) or _subject_before(text, candidate) or None


def _same_sentence(text: str, first: int, second: int) -> bool:
    """No sentence break between two positions: only the text between them is read."""
    return _SENTENCE_BREAK_PATTERN.search(text, min(first, second), max(first, second)) is None


def _fill_elided_subjects(text: str, quantities: list[Quantity]) -> list[Quantity]:
    """修改6部 after 制定地方性法规9部: an elided subject is the previous one in the sentence."""
    filled: list[Quantity] = []
    for quantity in quantities:
        previous = filled[-1] if filled else None
        if (
            quantity.subject is None
            and previous is not None
            and previous.subject is not None
            and _same_sentence(text, previous.start, quantity.start)
        ):
            quantity = _replace_subject(quantity, previous.subject)
        filled.append(quantity)
    return filled


def _replace_subject(quantity: Quantity, subject: str) -> Quantity:
    return Quantity(
        text=quantity.text,
        start=quantity.start,
        end=quantity.end,
        value=quantity.value,
        unit=quantity.unit,
        approx=quantity.approx,
        subject=subject,
    )


# --- public -------------------------------------------------------------------------------------


def extract_quantities(text: str, words: Sequence[str] | None = None) -> list[Quantity]:
    """Every number + unit in `text`, in order, with offsets into `text`.

    `words` are `get_segmenter().cut(text)` when the caller has them already (the segment stage
    did that work); otherwise, or if they do not spell `text`, the text is segmented here.
    """
    covered = _covered_spans(text)
    if words is None or "".join(words) != text:
        words = get_segmenter().cut(text)
    word_starts = list(accumulate(map(len, words), initial=0))
    quantities = []
    for candidate in _candidates(text):
        if _is_excluded(candidate, text, covered):
            continue
        is_chinese = not text[candidate.number_start].isdigit()
        if is_chinese and _is_inside_word(candidate, word_starts):
            continue
        if candidate.unit == "大" and not _subject_after(text, candidate):
            continue  # 6大重点产业 counts categories; a bare 大 is not a unit
        quantities.append(
            Quantity(
                text=text[candidate.start : candidate.end],
                start=candidate.start,
                end=candidate.end,
                value=as_number(candidate.value),
                unit=candidate.unit,
                approx=candidate.approx,
                subject=_subject(text, candidate),
            )
        )
    return _fill_elided_subjects(text, quantities)
