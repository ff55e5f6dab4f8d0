"""The records stages hand to each other. Each maps 1:1 to a staging table in warehouse/staging/.

Offsets (`start`, `end`) are character offsets into `Article.body`, end exclusive, so that
`article.body[fact.start:fact.end] == fact.text` holds for every fact (a gate checks it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


def stable_id(*parts: object) -> str:
    """A short, deterministic id from natural-key parts (same input, same id, every run)."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


# --- ingest -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file as found on disk: identity is the content hash, not the name."""

    file_id: str  # sha256 of the raw bytes
    path: str  # relative to the source root, POSIX separators
    size_bytes: int
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An input file that could not be loaded, with a machine-readable reason and a detail."""

    path: str
    reason: str  # one of flows.ingest.QuarantineReason values
    detail: str
    file_id: str | None = None
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    file_id: str
    ordinal: int  # position of the article within its file, from 0
    body: str  # normalised, simplified text that every offset refers to
    body_original: str  # the article's text as decoded, before normalisation
    title: str | None = None
    subtitle: str | None = None
    published_date: date | None = None
    source: str | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    path: str = ""  # source path relative to the source root; set by the flow

    @property
    def article_id(self) -> str:
        # The path is part of the identity: the same bytes under two names are two articles
        # (flagged as exact duplicates), never one row overwriting another.
        return stable_id(self.path, self.file_id, self.ordinal)


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """`article_id` tells the same story as `canonical_article_id` (exact or near duplicate)."""

    article_id: str
    canonical_article_id: str
    method: str  # "exact" or "near"
    similarity: float


# --- extract ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit: 建成代表联络站120个 -> 120, 个, subject 代表联络站."""

    text: str  # the number and unit as written, body[start:end]
    start: int
    end: int
    value: float  # scaled (万, 亿) and, for money, in 元
    unit: str
    approx: str | None = None  # 余 近 超 多 约 以上
    subject: str | None = None  # what is counted


@dataclass(frozen=True, slots=True)
class Keyword:
    term: str
    weight: float
    method: str  # "tfidf" or "textrank"
    rank: int  # 1 = strongest


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    start: int
    end: int
    role: str | None = None  # as written: 安阳市人大常委会党组书记、主任
    text: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # as written
    start: int
    end: int
    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = None  # official code of the most specific level resolved


@dataclass(frozen=True, slots=True)
class Organization:
    name: str  # as written
    start: int
    end: int
    resolved_name: str | None = None  # 市人大常委会 -> 安阳市人大常委会 where the article says so


@dataclass(frozen=True, slots=True)
class Law:
    title: str  # inside 《》, without the brackets
    start: int
    end: int
    kind: str | None = None  # 条例, 办法, 决定, 规划, 倡议书 ...


@dataclass(frozen=True, slots=True)
class Slogan:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Vote:
    text: str
    start: int
    end: int
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None


@dataclass(frozen=True, slots=True)
class Meeting:
    text: str  # 市十五届人大常委会第八次会议
    start: int
    end: int
    body_name: str | None = None  # 人大常委会, 人民代表大会, 主任会议
    term_number: int | None = None  # 十二届 -> 12
    session_number: int | None = None  # 第十三次 -> 13


@dataclass(frozen=True, slots=True)
class DatedEvent:
    text: str  # the sentence the date belongs to
    start: int
    end: int
    event_date: date
    date_text: str  # as written: 5月3日


@dataclass(frozen=True, slots=True)
class TopicAssignment:
    """A People's Congress function for an article (paragraph=None) or one of its paragraphs."""

    topic: str  # 立法 监督 决定 任免 代表工作 自身建设 其他
    score: float
    evidence: tuple[str, ...] = ()
    paragraph: int | None = None


@dataclass(slots=True)
class ArticleFacts:
    """Everything extraction found in one article."""

    article_id: str
    quantities: list[Quantity] = field(default_factory=list)
    keywords: list[Keyword] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    laws: list[Law] = field(default_factory=list)
    slogans: list[Slogan] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    dated_events: list[DatedEvent] = field(default_factory=list)
    topics: list[TopicAssignment] = field(default_factory=list)
    region: Place | None = None  # the place the article is about
