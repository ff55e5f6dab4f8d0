"""One input file in, its articles (or a quarantine record) out. Never raises for bad input."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flows.ingest.decode import decode_bytes
from flows.ingest.html import html_to_text
from flows.ingest.metadata import (
    byline_names,
    closing_parts,
    dateline_byline,
    dateline_source,
    meta_fields,
    parse_date,
    photo_credit_names,
    split_title,
    strip_subtitle_dashes,
)
from flows.ingest.normalize import normalize_text, to_simplified
from flows.ingest.sources import (
    HTML_SUFFIXES,
    CheckedFile,
    QuarantineReason,
    RejectedFile,
    check_readable,
    read_bytes,
    relative_name,
)
from flows.ingest.split import ArticleDraft, Block, Page, Role, split_page
from flows.records import Article, Quarantined, SourceFile

DATELINE_DEPTH = 3
BODY_ROLES = {Role.PARAGRAPH, Role.HEADING, Role.CAPTION, Role.LABEL, Role.SUBTITLE}


@dataclass(frozen=True)
class IngestOutcome:
    file: SourceFile | None  # None only when quarantined before reading
    articles: list[Article]
    quarantined: Quarantined | None  # exactly one of (articles non-empty, quarantined) holds
    page_chrome: list[str]  # lines removed as chrome, as written


def ingest_file(path: Path, root: Path, *, max_bytes: int) -> IngestOutcome:
    """Reads, decodes, cleans and splits one file; bad input ends quarantined with a reason."""
    path, root = Path(path), Path(root)
    try:
        checked = check_readable(path, root, max_bytes=max_bytes)
    except RejectedFile as rejected:
        return _quarantine(relative_name(path, root), rejected, None)
    try:
        data = read_bytes(checked, max_bytes=max_bytes)
    except RejectedFile as rejected:
        return _quarantine(checked.relative, rejected, None)
    source_file = SourceFile(
        file_id=hashlib.sha256(data).hexdigest(), path=checked.relative, size_bytes=len(data)
    )
    try:
        return _ingest_bytes(checked, data, source_file)
    except RejectedFile as rejected:
        return _quarantine(checked.relative, rejected, source_file)


def _quarantine(relative: str, rejected: RejectedFile, file: SourceFile | None) -> IngestOutcome:
    record = Quarantined(
        path=relative,
        reason=str(rejected.reason),
        detail=rejected.detail,
        file_id=file.file_id if file else None,
        size_bytes=file.size_bytes if file else None,
    )
    return IngestOutcome(file=file, articles=[], quarantined=record, page_chrome=[])


def _ingest_bytes(checked: CheckedFile, data: bytes, source_file: SourceFile) -> IngestOutcome:
    if not data:
        raise RejectedFile(QuarantineReason.EMPTY, "the file has no bytes")
    decoded = decode_bytes(data)
    file = SourceFile(
        source_file.file_id, source_file.path, source_file.size_bytes, decoded.encoding
    )
    text = decoded.text
    if checked.path.suffix.lower() in HTML_SUFFIXES:
        text = html_to_text(text)
    lines = page_lines(text)
    if not any(normalised.strip() for normalised, _ in lines):
        raise RejectedFile(QuarantineReason.WHITESPACE_ONLY, "no visible characters")
    page = split_page(lines)
    articles = [
        build_article(draft, page, file.file_id, ordinal)
        for ordinal, draft in enumerate(page.articles)
    ]
    if not articles:
        raise RejectedFile(QuarantineReason.NO_ARTICLES, "no article text after removing chrome")
    return IngestOutcome(file=file, articles=articles, quarantined=None, page_chrome=page.chrome)


def page_lines(text: str) -> list[tuple[str, str]]:
    """(normalised simplified, original) pairs, one per line of the decoded text."""
    original = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normalised = to_simplified(normalize_text(text)).split("\n")
    return list(zip(normalised, original, strict=True))


# --- from draft to Article ---------------------------------------------------------------------


def build_article(draft: ArticleDraft, page: Page, file_id: str, ordinal: int) -> Article:
    body_blocks = _body_blocks(draft)
    title, subtitle = _title(draft)
    meta = _meta(draft, page, first=ordinal == 0)
    return Article(
        file_id=file_id,
        ordinal=ordinal,
        body="\n".join(block.text for block in body_blocks),
        body_original="\n".join(block.original.strip() for block in body_blocks),
        title=title,
        subtitle=subtitle,
        published_date=_date(meta),
        source=meta.get("source") or _body_source(draft),
        authors=tuple(_authors(draft, meta)),
        url=meta.get("url"),
    )


def _body_blocks(draft: ArticleDraft) -> list[Block]:
    blocks = [block for block in draft.body if block.role in BODY_ROLES]
    while blocks and blocks[0].role == Role.LABEL:
        blocks.pop(0)
    return blocks


def _title(draft: ArticleDraft) -> tuple[str | None, str | None]:
    title, subtitle = split_title(draft.heading.text) if draft.heading else (None, None)
    for block in draft.header:
        if block.role == Role.SUBTITLE and subtitle is None:
            subtitle = strip_subtitle_dashes(block.text)
    return title, subtitle


def _meta(draft: ArticleDraft, page: Page, *, first: bool) -> dict[str, str]:
    """Metadata rows of the article, falling back to the page's rows above the first story."""
    fields: dict[str, str] = {}
    own = [block for block in draft.header if block.role == Role.META]
    for block in own:
        fields = {**meta_fields(block.text), **fields}
    inherited = page.page_meta if first else page.page_meta[:1]
    for block in inherited:
        for key, value in meta_fields(block.text).items():
            if key in {"date", "source"} or first:
                fields.setdefault(key, value)
    return fields


def _date(meta: dict[str, str]) -> date | None:
    return parse_date(meta["date"]) if "date" in meta else None


def _body_source(draft: ArticleDraft) -> str | None:
    paragraphs = [block.text for block in draft.body if block.role == Role.PARAGRAPH]
    for text in paragraphs[:DATELINE_DEPTH]:
        if source := dateline_source(text):
            return source
    for text in reversed(paragraphs[-2:]):
        closing = closing_parts(text)
        if closing and closing[1]:
            return closing[1]
    return None


def _authors(draft: ArticleDraft, meta: dict[str, str]) -> list[str]:
    names: list[str] = []
    if "author" in meta:
        names += byline_names(meta["author"], allow_bare=True) or []
    for block in draft.header + draft.body:
        names += _block_authors(block, first_paragraph=_is_first_paragraph(draft, block))
    return list(dict.fromkeys(names))


def _is_first_paragraph(draft: ArticleDraft, block: Block) -> bool:
    """The news text proper may open after a lead box, so the dateline is sought a little deeper."""
    opening = [b for b in draft.body if b.role == Role.PARAGRAPH][:DATELINE_DEPTH]
    return any(b is block for b in opening)


def _block_authors(block: Block, *, first_paragraph: bool) -> list[str]:
    if block.role == Role.BYLINE:
        closing = closing_parts(block.text)
        return closing[0] if closing else byline_names(block.text) or []
    if block.role == Role.CAPTION:
        return photo_credit_names(block.text)
    if block.role != Role.PARAGRAPH:
        return []
    names = dateline_byline(block.text) if first_paragraph else []
    closing = closing_parts(block.text)
    return names + (closing[0] if closing else []) + photo_credit_names(block.text)
