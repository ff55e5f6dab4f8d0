"""Cutting a page's text into articles, and each article into header and body.

The page is read as a sequence of blocks (one per paragraph, after chrome is set aside and lines
broken at a page edge are joined again). Each block gets a role: heading, subtitle (——...),
byline (■ 本报记者 ...), caption (... 摄), lead label (核心提示), or paragraph. A heading starts
a new article, rather than a section of the current one, when the page gives evidence for it:
a subtitle or byline follows, a dateline or continuation marker follows, the previous story just
closed with "（本报记者 张三）" or "（新华社…电）", a column banner precedes, or the current story
is a news brief (opened by 本报讯), which has no section headings. Text after a closed story with no
heading of its own starts an article with a null title: a title is never made up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from flows.ingest.chrome import LineKind, classify_line, split_trailing_continuation
from flows.ingest.metadata import (
    byline_names,
    closing_parts,
    photo_credit_names,
    starts_with_dateline,
)
from flows.ingest.normalize import has_hanzi
from flows.vocabulary import lines

MAX_HEADING = 45
MAX_SUBTITLE = 60
WEB_HEADER_WINDOW = 8
SENTENCE_END = "。！？!?；;…"
CLOSE_QUOTES = "”’」』"
BULLET = re.compile(r"^[■●▲□◆◇★☆▶►◎]")
SUBTITLE = re.compile(r"^(?:——|──|－－|--|—)\s*\S")
CAPTION_CREDIT = re.compile(r"(?:摄|摄影|供图|图片来源[：:].*)$")
CAPTION_START = re.compile(r"^(?:图为|图：|图:|（图）|\(图\))")
SEPARATORS_OUTSIDE_QUOTES = re.compile(r"[，、；,]")


class Role(StrEnum):
    HEADING = "heading"
    SUBTITLE = "subtitle"
    BYLINE = "byline"
    CAPTION = "caption"
    LABEL = "label"
    PARAGRAPH = "paragraph"
    META = "meta"
    CONTINUATION = "continuation"
    BANNER = "banner"


@dataclass
class Block:
    text: str  # normalised
    original: str  # as decoded
    role: Role = Role.PARAGRAPH

    @property
    def closes_story(self) -> bool:
        return self.role in {Role.PARAGRAPH, Role.BYLINE, Role.CAPTION} and (
            closing_parts(self.text) is not None
        )


@dataclass
class ArticleDraft:
    """One article's blocks, before metadata is read from them."""

    heading: Block | None = None
    header: list[Block] = field(default_factory=list)  # subtitle, bylines, meta, pre-title caption
    body: list[Block] = field(default_factory=list)
    saw_section_heading: bool = False

    @property
    def is_brief(self) -> bool:
        paragraphs = [block for block in self.body if block.role == Role.PARAGRAPH]
        return bool(paragraphs) and starts_with_dateline(paragraphs[0].text)


@dataclass
class Page:
    articles: list[ArticleDraft]
    chrome: list[str]  # lines set aside, as written
    page_meta: list[Block]  # metadata rows that sit above the first story


def split_page(lines: list[tuple[str, str]]) -> Page:
    """(normalised, original) lines of one file -> its articles and its chrome."""
    blocks, chrome = _blocks(lines)
    blocks, header_chrome = _drop_site_header(blocks)
    blocks = _join_broken_lines(blocks)
    for block in blocks:
        if block.role == Role.PARAGRAPH:
            block.role = _role(block.text)
    chrome += _mark_column_heads(blocks)
    articles = _segment(blocks, web_layout=bool(header_chrome) or _has_top_meta(blocks))
    page_meta = [block for block in blocks if block.role == Role.META]
    return Page(
        articles=[a for a in articles if a.body], chrome=header_chrome + chrome, page_meta=page_meta
    )


# --- blocks ----------------------------------------------------------------------------------

LINE_ROLES = {
    LineKind.META: Role.META,
    LineKind.CONTINUATION: Role.CONTINUATION,
    LineKind.BANNER: Role.BANNER,
}


def _blocks(lines: list[tuple[str, str]]) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    chrome: list[str] = []
    for text, original in lines:
        if not text:
            continue
        kind = classify_line(text)
        if kind != LineKind.TEXT:
            chrome.append(original.strip())
        if kind == LineKind.CHROME:
            continue
        if kind in LINE_ROLES:
            blocks.append(Block(text, original, LINE_ROLES[kind]))
            continue
        text, marker = split_trailing_continuation(text)
        blocks.append(Block(text, original))
        if marker:
            chrome.append(marker)
    return blocks, chrome


def _has_top_meta(blocks: list[Block]) -> bool:
    return any(block.role == Role.META for block in blocks[:WEB_HEADER_WINDOW])


def _drop_site_header(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    """On a web page the title sits right above its metadata row; what is above it is chrome."""
    meta_index = next(
        (i for i, block in enumerate(blocks[:WEB_HEADER_WINDOW]) if block.role == Role.META), None
    )
    if meta_index is None:
        return blocks, []
    text_before = [i for i in range(meta_index) if blocks[i].role == Role.PARAGRAPH]
    if len(text_before) < 2:
        return blocks, []
    title_index = text_before[-1]
    dropped = [blocks[i].original.strip() for i in text_before[:-1]]
    kept = [block for i, block in enumerate(blocks) if i not in set(text_before[:-1])]
    kept_title = next(block for block in kept if block is blocks[title_index])
    kept_title.role = Role.HEADING
    return kept, dropped


def _mark_column_heads(blocks: list[Block]) -> list[str]:
    """Text, then two headings in a row: the first is a column head ("一周要闻") over the second.

    A section heading is followed by its text, never by another heading, so the first one is
    page furniture that separates stories, like a banner.
    """
    heads = []
    for index in range(1, len(blocks) - 1):
        before, block, after = blocks[index - 1], blocks[index], blocks[index + 1]
        if block.role == after.role == Role.HEADING and before.role in {
            Role.PARAGRAPH,
            Role.CAPTION,
        }:
            block.role = Role.BANNER
            heads.append(block.original.strip())
    return heads


# --- joining lines broken at a page or column edge ---------------------------------------------


def _join_broken_lines(blocks: list[Block]) -> list[Block]:
    joined: list[Block] = []
    for index, block in enumerate(blocks):
        previous = joined[-1] if joined else None
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if previous is not None and _continues(previous, block) and not _is_title(block, after):
            joined[-1] = Block(previous.text + block.text, previous.original + block.original)
        else:
            joined.append(block)
    return joined


def _continues(previous: Block, block: Block) -> bool:
    if previous.role != Role.PARAGRAPH or block.role != Role.PARAGRAPH:
        return False
    if SUBTITLE.match(block.text) or BULLET.match(block.text) or _is_byline(block.text):
        return False
    return is_broken_line(previous.text, block.text)


def _is_title(block: Block, after: Block | None) -> bool:
    """A line followed by its subtitle, byline or continuation marker is a title, not a tail."""
    if after is None or not _is_heading(block.text):
        return False
    return after.role == Role.CONTINUATION or bool(
        SUBTITLE.match(after.text) or BULLET.match(after.text)
    )


def is_broken_line(line: str, following: str) -> bool:
    """A line that stops mid-sentence, so the next text line carries on with the same sentence."""
    if _ends_sentence(line) or SUBTITLE.match(line) or _is_byline(line) or _is_caption(line):
        return False
    if line[-1] in "，、：:,—(（“":
        return True
    if len(line) > MAX_HEADING or _has_inner_sentence_end(line):
        return True
    if (
        _opens_with_adverb(line)
        or len(SEPARATORS_OUTSIDE_QUOTES.findall(_outside_quotes(line))) >= 2
    ):
        return True
    return _starts_with_stub(following)


def _ends_sentence(line: str) -> bool:
    if line[-1] in SENTENCE_END:
        return True
    if line[-1] in CLOSE_QUOTES and len(line) > 1 and line[-2] in SENTENCE_END:
        return True
    return line[-1] in "）)" and closing_parts(line) is not None


def _has_inner_sentence_end(line: str) -> bool:
    return re.search(r"[。！？][^”’」』）)]", _outside_quotes(line)) is not None


def _outside_quotes(line: str) -> str:
    return re.sub(r"“[^”]*”|《[^》]*》|「[^」]*」", "", line)


def _opens_with_adverb(line: str) -> bool:
    """ "日前，陕西省": a sentence opener and a comma are prose, never a heading."""
    head = re.split(r"[，,]", line, maxsplit=1)
    return len(head) == 2 and head[0] in lines("ingest_sentence_openers")


def _starts_with_stub(following: str) -> bool:
    """ "月，为推动…": a one- or two-character clause is the tail of a word cut at the edge."""
    match = re.match(r"^([^，。、；,]{1,2})[，。、；,]", following)
    return bool(match) and match.group(1) not in lines("ingest_sentence_openers")


# --- roles -----------------------------------------------------------------------------------


def _role(text: str) -> Role:
    if text in lines("ingest_lead_labels") or text.rstrip("：:") in lines("ingest_lead_labels"):
        return Role.LABEL
    if SUBTITLE.match(text) and len(text) <= MAX_SUBTITLE and not _ends_sentence(text):
        return Role.SUBTITLE
    if _is_byline(text) or _is_closing_byline(text):
        return Role.BYLINE
    if _is_caption(text):
        return Role.CAPTION
    if _is_heading(text):
        return Role.HEADING
    return Role.PARAGRAPH


def _is_byline(text: str) -> bool:
    if len(text) > MAX_HEADING or _has_inner_sentence_end(text):
        return False
    names = byline_names(text)
    return bool(names) or (BULLET.match(text) is not None and names is not None)


def _is_closing_byline(text: str) -> bool:
    """A paragraph that is only "（本报记者 张三）"."""
    return text[0] in "（(" and closing_parts(text) is not None and len(text) <= MAX_HEADING


def _is_caption(text: str) -> bool:
    if CAPTION_START.match(text):
        return True
    return bool(CAPTION_CREDIT.search(text)) and (
        bool(photo_credit_names(text)) or text.endswith("供图")
    )


def _is_heading(text: str) -> bool:
    return (
        len(text) <= MAX_HEADING
        and has_hanzi(text)
        and not _ends_sentence(text)
        and not _has_inner_sentence_end(text)
    )


# --- segmentation ----------------------------------------------------------------------------


def _segment(blocks: list[Block], *, web_layout: bool) -> list[ArticleDraft]:
    articles: list[ArticleDraft] = [ArticleDraft()]
    previous: Block | None = None
    for index, block in enumerate(blocks):
        current = articles[-1]
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.role == Role.HEADING and _starts_article(
            block, previous, following, current, web_layout
        ):
            articles.append(_open_with_heading(block, current))
        elif block.role == Role.CONTINUATION:
            if not (current.heading is previous and not current.body):
                articles.append(ArticleDraft())  # text continued from another page: a new story
            articles[-1].header.append(block)
        elif _opens_untitled(block, previous, current):
            articles.append(ArticleDraft(body=[block]))
        else:
            _add(current, block)
        previous = block
    return articles


def _starts_article(
    heading: Block,
    previous: Block | None,
    following: Block | None,
    current: ArticleDraft,
    web_layout: bool,
) -> bool:
    if current.heading is None and not current.body:
        return True  # the first heading on the page, or the first after a continuation
    if previous is not None and (previous.role == Role.BANNER or previous.closes_story):
        return True
    if following is not None and (
        following.role in {Role.SUBTITLE, Role.BYLINE, Role.CONTINUATION}
        and not (following.role == Role.BYLINE and following.text[0] in "（(")
    ):
        return True
    if (
        following is not None
        and following.role == Role.PARAGRAPH
        and starts_with_dateline(following.text)
    ):
        return True
    # A news brief has no section headings: a heading after one is the next story's title.
    return not web_layout and current.is_brief and not current.saw_section_heading


def _open_with_heading(heading: Block, current: ArticleDraft) -> ArticleDraft:
    article = ArticleDraft(heading=heading)
    if current.body and current.body[-1].role == Role.CAPTION:
        article.header.append(current.body.pop())  # a photo above a title belongs to its story
    return article


def _opens_untitled(block: Block, previous: Block | None, current: ArticleDraft) -> bool:
    """Text right after a closed story, with no heading of its own, is another story."""
    if previous is None or not previous.closes_story or not current.body:
        return False
    if block.role in {Role.META, Role.BANNER}:
        return False
    return not (block.role == Role.BYLINE and block.text[0] not in "（(■●▲□◆◇★☆")


def _add(article: ArticleDraft, block: Block) -> None:
    header_roles = {Role.SUBTITLE, Role.BYLINE, Role.META, Role.LABEL}
    if not article.body and block.role in header_roles:
        article.header.append(block)
        return
    if block.role == Role.HEADING:
        article.saw_section_heading = True
    if block.role in {Role.META, Role.BANNER}:
        article.header.append(block)
        return
    article.body.append(block)
