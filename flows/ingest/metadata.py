"""Reading article metadata out of text: dates, sources, bylines, titles.

Every rule here is about the *form* of Chinese news metadata (labels, datelines, byline roles,
calendar formats), never about a particular site; role words and labels come from
seeds/dictionaries/ingest_*.txt.
"""

from __future__ import annotations

import re
from datetime import date

import cn2an

from flows.ingest.chrome import meta_labels_in
from flows.ingest.normalize import HANZI
from flows.vocabulary import lines, word_list

NAME = re.compile(rf"^[{HANZI}][{HANZI}·•]{{1,5}}$")
MAX_NAME_HANZI = 4
BULLETS = "■●▲□◆◇★☆▶►◎○·•-— "
SENTENCE_END = "。！？!?…；"
CLOSING_PARENS = re.compile(r"[（(]([^（）()]{1,40})[）)]$")
CHINESE_DIGITS = "〇零一二三四五六七八九十百"
ISO_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
CJK_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ROC_DATE = re.compile(
    rf"(?:中华)?民国\s*([\d{CHINESE_DIGITS}]{{1,4}})\s*年\s*([\d{CHINESE_DIGITS}]{{1,3}})\s*月"
    rf"\s*([\d{CHINESE_DIGITS}]{{1,3}})\s*日"
)
ROC_EPOCH = 1911
# 本报讯 may run straight into the text; any other dateline ends at a space, a bracket or a dash.
DATELINE = re.compile(
    rf"^(?:(?P<own>本[报刊网台站][{HANZI}]{{0,8}}?(?:\d{{1,2}}月\d{{1,2}}日)?讯)"
    rf"|(?P<who>[^\s，。：:（）()“”]{{2,16}}?)(?P<when>[{HANZI}]{{0,8}}\d{{1,2}}月\d{{1,2}}日)?"
    r"(?P<kind>讯|电)(?=[\s（(【—:：]|$))"
)
AGENCY = re.compile(r"^(.+?(?:通讯社|社|网|报|台|电视台|中心|频道|客户端))")
OWN_PAPER = re.compile(r"^本(?:报|刊|网|台|站)")
PHOTO_CREDIT = re.compile(r"(?:摄影|摄)$")


# --- dates -----------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """The first complete date in the text: ISO-like, 年月日, or the ROC (民国) calendar."""
    candidates = []
    for pattern, convert in ((ROC_DATE, _roc), (CJK_DATE, _gregorian), (ISO_DATE, _gregorian)):
        for match in pattern.finditer(text):
            parsed = convert(match.groups())
            if parsed is not None:
                candidates.append((match.start(), parsed))
    return min(candidates)[1] if candidates else None


def _gregorian(groups: tuple[str, ...]) -> date | None:
    return _valid_date(int(groups[0]), int(groups[1]), int(groups[2]))


def _roc(groups: tuple[str, ...]) -> date | None:
    numbers = [_number(group) for group in groups]
    if None in numbers:
        return None
    year, month, day = numbers  # type: ignore[misc]
    return _valid_date(year + ROC_EPOCH, month, day)


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if all(char in "〇零一二三四五六七八九" for char in text):  # 一一三 is read digit by digit
        return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in text))
    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def _valid_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- metadata rows ---------------------------------------------------------------------------


def meta_fields(line: str) -> dict[str, str]:
    """{field: value} of a metadata row; a value runs to the next label or a wide gap."""
    labels = meta_labels_in(line)
    fields: dict[str, str] = {}
    for index, (label, field, start) in enumerate(labels):
        end = labels[index + 1][2] if index + 1 < len(labels) else len(line)
        value = re.sub(rf"^{re.escape(label)}\s*[：:]\s*", "", line[start:end]).strip()
        if field not in {"date", "url"}:
            value = value.split(" ")[0] if value else ""
        if value and field not in fields:
            fields[field] = value
    if "date" not in fields and parse_date(line):
        fields["date"] = line
    return fields


# --- sources ---------------------------------------------------------------------------------


def dateline_source(paragraph: str) -> str | None:
    """The agency of a dateline that opens a paragraph: 新华社北京3月1日电 -> 新华社."""
    match = DATELINE.match(paragraph)
    if not match or match.group("own") or (match.group("kind") == "电" and not match.group("when")):
        return None
    return _agency(_before_date(match))


def _agency(who: str) -> str | None:
    if OWN_PAPER.match(who):
        return None  # 本报讯: the page does not say which paper "this paper" is
    agency = AGENCY.match(who)
    return agency.group(1) if agency else None


def starts_with_dateline(paragraph: str) -> bool:
    match = DATELINE.match(paragraph)
    return bool(match) and bool(
        match.group("own") or match.group("kind") == "讯" or match.group("when")
    )


# --- bylines ---------------------------------------------------------------------------------


def byline_names(text: str, *, allow_bare: bool = False) -> list[str] | None:
    """Names in a byline ("本报记者 张三 通讯员 李四"), or None when the text is not a byline.

    A byline is role words and names only. Without a role word (allow_bare) it must be names
    alone, as in a closing "（张三）".
    """
    text = re.sub(r"(?:文/图|文图/|文/|图/|摄/)", " 记者 ", text.strip(BULLETS))
    tokens = [token for token in re.split(r"[\s、，,；;:：|｜]+", text) if token]
    if not tokens:
        return None
    names: list[str] = []
    saw_role = False
    for token in tokens:
        role, rest = _split_role(token)
        saw_role = saw_role or role
        rest = PHOTO_CREDIT.sub("", rest) if role or len(rest) > 2 else rest
        if not rest:
            continue
        if not _is_name_or_placeholder(rest):
            return None
        if rest not in lines("ingest_not_names"):
            names.append(rest)
    return names if saw_role or allow_bare else None


def _split_role(token: str) -> tuple[bool, str]:
    """(has a role word, the text after the last role word): 某某日报记者张三 -> 张三."""
    for role in lines("ingest_byline_roles", longest_first=True):
        position = token.rfind(role)
        if position >= 0:
            return True, token[position + len(role) :]
    return False, token


def _is_name_or_placeholder(text: str) -> bool:
    if text in lines("ingest_not_names"):
        return True
    hanzi = sum(1 for char in text if char not in "·•")
    return bool(NAME.match(text)) and 2 <= hanzi <= MAX_NAME_HANZI


def photo_credit_names(paragraph: str) -> list[str]:
    """Photographers of a caption ending "…记者 张三 摄" or "…。张三摄"."""
    if not PHOTO_CREDIT.search(paragraph):
        return []
    tail = re.split(r"[。！？；，、：:]", paragraph)[-1]
    tokens = tail.split()
    tokens[-1] = PHOTO_CREDIT.sub("", tokens[-1])
    tokens = [token for token in tokens if token]
    has_role = any(_split_role(token)[0] for token in tokens)
    names: list[str] = []
    for token in reversed(tokens):
        role, rest = _split_role(token)
        if rest and not _is_name_or_placeholder(rest):
            break
        if rest:
            names.append(rest)
        if role or not has_role:
            break  # without a role word only the name next to 摄 is trusted
    return [name for name in reversed(names) if name not in lines("ingest_not_names")]


# --- closings --------------------------------------------------------------------------------


def closing_parts(paragraph: str) -> tuple[list[str], str | None] | None:
    """(authors, source) of a closing "（本报记者 张三）" / "（新华社北京3月1日电）" / "（完）".

    None when the paragraph does not end with one. A bare name in parentheses counts only after
    a finished sentence, so that "条例（试行）" is not a byline.
    """
    match = CLOSING_PARENS.search(paragraph)
    if not match:
        return None
    inner = match.group(1).strip()
    before = paragraph[: match.start()].rstrip()
    finished = not before or before[-1] in SENTENCE_END + "”’」"
    if inner == "完":
        return [], None
    source = _closing_source(inner)
    if source is not None:
        return [], source
    names = byline_names(inner, allow_bare=finished)
    if names is None or (not names and not finished):
        return None
    if not _has_role(inner) and not all(_has_surname(name) for name in names):
        return None  # "（附件略）" is not a person
    return names, None


def _has_role(text: str) -> bool:
    return any(role in text for role in lines("ingest_byline_roles", longest_first=True))


def _has_surname(name: str) -> bool:
    surnames = frozenset(word_list("surnames"))
    return name[:1] in surnames or name[:2] in surnames


def _closing_source(inner: str) -> str | None:
    fields = meta_fields(inner)
    if "source" in fields:
        return fields["source"]
    if inner.startswith("据"):
        return _agency(inner[1:])
    match = DATELINE.match(inner)
    whole = match is not None and not match.group("own") and match.end() == len(inner)
    if whole and (match.group("when") or match.group("kind") == "讯"):
        return _agency(_before_date(match))
    return None


def _before_date(match: re.Match[str]) -> str:
    """新华社北京3月1日电 -> 新华社北京: who and where, whatever the lazy split made of them."""
    return match.group("who") + re.sub(r"\d.*", "", match.group("when") or "")


def dateline_byline(paragraph: str) -> list[str]:
    """Names in the parentheses right after an opening dateline: 本报讯（记者 张三）."""
    match = DATELINE.match(paragraph)
    if not match:
        return []
    rest = paragraph[match.end() :].lstrip()
    inner = re.match(r"^[（(]([^（）()]{1,60})[）)]", rest)
    if not inner:
        return []
    return byline_names(inner.group(1)) or []


# --- titles ----------------------------------------------------------------------------------


def split_title(heading: str) -> tuple[str, str | None]:
    """ "Title——subtitle" -> (title, subtitle); a heading without dashes has no subtitle."""
    parts = re.split(r"\s*(?:——|──|－－|--)\s*", heading, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return parts[0].strip(), parts[1].strip()
    return heading.strip(), None


def strip_subtitle_dashes(line: str) -> str:
    return re.sub(r"^(?:——|──|－－|--|—|－)\s*", "", line).strip()
