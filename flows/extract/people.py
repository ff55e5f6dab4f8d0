"""People named in an article, with their role as written, bylines excluded.

jieba's `nr` tag alone is a poor person detector (尼龙, 养老, 白龟湖 come out as names: F1 0.44
on the samples). A name is kept only when the text treats it as a person: a role title before it
(党组书记、主任张三), a title after it (张三主任), or a verb of saying after it (张三说). The
role is the run of name-like words before the name, back to the start of the clause; "该公司"
in a role is replaced by the company named last before it.

Bylines are not people in the story: names in `authors`, and names right after 记者 / 通讯员 /
编辑 / 摄影 (the markers in seeds/dictionaries/roles_byline_markers.txt).
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows.extract.organizations import find_organization_spans
from flows.records import Person
from flows.segment import Token
from flows.vocabulary import word_list

_PERSON_POS = ("nr", "nrfg", "nrt")
_ROLE_POS = ("n", "s", "b", "j", "m", "q", "f", "z", "a", "x", "eng")
_MAX_ROLE_LENGTH = 40
_PLACE_ENDINGS = ("村", "乡", "镇", "县", "市", "区", "省", "州", "街", "路", "庄")
# Abstract-noun endings jieba mis-tags as names: 幸福感, 积极性.
_NOUN_ENDINGS = ("感", "性", "率", "度", "化", "们")
_CLAUSE_STOPPERS = frozenset("的在对由是和与及向把被将从为于")


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    return frozenset(word_list("roles_titles"))


@lru_cache(maxsize=1)
def _surnames() -> tuple[str, ...]:
    return tuple(sorted(word_list("surnames"), key=len, reverse=True))


def tag_triggers() -> frozenset[str]:
    """Words one of which a clause must hold for a person to be kept or a byline read in it
    (a title, a verb of saying, a byline marker, a kinship word); organisations that a role
    holds have their own triggers (organizations.tag_triggers)."""
    return frozenset(
        (
            *_titles(),
            *word_list("roles_speech_verbs"),
            *word_list("roles_byline_markers"),
            *word_list("roles_kinship"),
        )
    )


def extract_people(text: str, tagged: list[Token], authors: tuple[str, ...]) -> list[Person]:
    """Every mention of a person in the story, with the role written before (or after) it."""
    excluded = set(authors) | byline_names(text, tagged)
    org_spans = find_organization_spans(text, tagged, [])
    people: list[Person] = []
    for first, last in _name_candidates(tagged):
        start, end = tagged[first].start, tagged[last].end
        name = text[start:end]
        if name in excluded:
            continue
        role = _role_before(text, tagged, first, org_spans) or _title_after(tagged, last)
        if role is None and not _speaks(tagged, last):
            continue
        people.append(Person(name=name, start=start, end=end, role=role, text=name))
    return people


def byline_names(text: str, tagged: list[Token]) -> set[str]:
    """Names that follow a byline marker: (记者 张三 通讯员 李四 王五), 本报记者 赵六.

    After a marker, names are runs of short tokens (jieba splits rare names: 寇/轶敏) separated
    by spaces or 、; the byline ends at the first run that does not start with a surname.
    """
    markers = frozenset(word_list("roles_byline_markers"))
    names: set[str] = set()
    for index, token in enumerate(tagged):
        if token.text in markers:
            names |= _names_after_marker(tagged, index + 1, markers)
    return names


def _names_after_marker(tagged: list[Token], index: int, markers: frozenset[str]) -> set[str]:
    names: set[str] = set()
    run: list[str] = []
    for token in tagged[index : index + 12]:
        if token.text in markers or not token.text.strip() or token.text == "、":
            names |= _close_run(run)
            run = []
            continue
        if (
            not re.fullmatch(r"[\u4e00-\u9fff]{1,3}", token.text)
            or len("".join(run) + token.text) > 4
        ):
            break
        run.append(token.text)
    names |= _close_run(run)
    return names


def _close_run(run: list[str]) -> set[str]:
    name = "".join(run)
    return {name} if 2 <= len(name) <= 4 and name.startswith(_surnames()) else set()


def _name_candidates(tagged: list[Token]) -> list[tuple[int, int]]:
    """(index of the name's first token, index of its last) for person-like tokens.

    A lone surname before a kinship word is a name too (王 + 大伯 -> 王大伯).
    """
    kinship = frozenset(word_list("roles_kinship"))
    surnames = frozenset(_surnames())  # a set: `in` on the tuple scanned every surname per token
    candidates = []
    for position, token in enumerate(tagged):
        following = tagged[position + 1] if position + 1 < len(tagged) else None
        if token.text in surnames and following is not None and following.text in kinship:
            candidates.append((position, position + 1))
        elif _is_person_token(token):
            candidates.append((position, position))
    return candidates


def _is_person_token(token: Token) -> bool:
    if not (token.pos or "").startswith(_PERSON_POS) or not 2 <= len(token.text) <= 4:
        return False
    # jieba tags villages and towns named after a family as names: 王庄村, 刘集乡.
    is_place = token.text.endswith(_PLACE_ENDINGS + _NOUN_ENDINGS)
    return token.text.startswith(_surnames()) and token.text not in _titles() and not is_place


def _speaks(tagged: list[Token], position: int) -> bool:
    speech = frozenset(word_list("roles_speech_verbs"))
    following = tagged[position + 1 : position + 3]
    # 张三说 / 张三表示, allowing one adverb between: 张三笑着说 is caught by the next word only.
    return any(token.text in speech for token in following[:1]) or (
        len(following) == 2
        and (following[0].pos or "").startswith("d")
        and following[1].text in speech
    )


def _title_after(tagged: list[Token], position: int) -> str | None:
    if position + 1 < len(tagged) and tagged[position + 1].text in _titles():
        return tagged[position + 1].text  # 张三主任, 李四书记
    return None


def _role_before(
    text: str, tagged: list[Token], position: int, org_spans: list[tuple[int, int]]
) -> str | None:
    """The role written right before the name, if it ends in a title (党组书记、主任)."""
    end = tagged[position].start
    start = _role_start(tagged, position, org_spans, end)
    role = text[start:end].strip("、 ")
    if not role or not role.endswith(tuple(_titles())):
        return None
    return _resolve_this_company(text, role, start, org_spans)


def _role_start(
    tagged: list[Token], name_index: int, org_spans: list[tuple[int, int]], end: int
) -> int:
    start = end
    for index in range(name_index - 1, -1, -1):
        token = tagged[index]
        org = next((span for span in org_spans if span[1] == token.end), None)
        if org is not None:
            start = org[0]  # a company name may hold verbs (开发): take it whole
            continue
        if token.text == "该" and text_starts_with_company(tagged, index):
            start = token.start  # 该公司总经理: resolved to the company below
            break
        if not _fits_role(token) or end - token.start > _MAX_ROLE_LENGTH:
            break
        start = token.start
    return start


def text_starts_with_company(tagged: list[Token], index: int) -> bool:
    return index + 1 < len(tagged) and tagged[index + 1].text == "公司"


def _fits_role(token: Token) -> bool:
    """A word that can be part of a role: nouns, places, numbers (十二届), 、; a title always."""
    if token.text in _titles():
        return True
    if token.text == "、":
        return True
    if not token.text.strip() or token.text in _CLAUSE_STOPPERS or _is_person_token(token):
        return False
    pos = token.pos or ""
    if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", token.text):
        return False
    # jieba tags 1-character nouns like 组 (1组村民) as verbs; longer verbs open a clause.
    return (
        pos.startswith(_ROLE_POS)
        or pos.startswith("vn")
        or (len(token.text) == 1 and pos.startswith("v"))
    )


def _resolve_this_company(
    text: str, role: str, role_start: int, org_spans: list[tuple[int, int]]
) -> str:
    """该公司总经理 -> <the company named last before>总经理."""
    if not role.startswith("该公司"):
        return role
    companies = [text[s:e] for s, e in org_spans if e <= role_start and text[s:e].endswith("公司")]
    return companies[-1] + role[1 + len("公司") :] if companies else role
