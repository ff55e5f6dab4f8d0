"""Duplicates: exact copies, reprints contained in a longer page, and the canonical choice."""

from __future__ import annotations

import dataclasses
import random
from datetime import date

from flows.ingest import find_duplicates
from flows.records import Article

PARAGRAPHS = [
    "市人大常委会深入基层开展专题调研，听取代表和群众对养老服务工作的意见建议，推动问题解决。",
    "调研组先后走访五十余家养老机构，梳理出六个方面二十余项问题，提出四个方面十六项具体建议。",
    "会后，市人大常委会列出问题清单，连同审议意见一并转交市政府研究办理，以清单式落实推进整改。",
    "下一步，常委会将持续跟踪监督，确保各项整改措施落到实处，让老年人共享发展成果。",
]
OTHER = "县人大代表深入田间地头，了解种植户在产销对接方面的困难，协调有关部门帮助解决销路问题。" * 3


def _article(file_id: str, body: str, **fields) -> Article:
    return Article(file_id=file_id, ordinal=0, body=body, body_original=body, **fields)


def test_find_duplicates_links_the_sample_reprint_pair(sample_outcomes) -> None:
    articles = [a for outcome in sample_outcomes.values() for a in outcome.articles]
    reprint = sample_outcomes["000_54f3899849c6cafd.txt"].articles[0]
    original = sample_outcomes["001_4ca2f901b2fa3bdc.txt"].articles[1]
    links = find_duplicates(articles)
    # The reprint carries a 原文链接 (it says it is a copy), so the newspaper text is canonical.
    assert [(reprint.article_id, original.article_id, "near")] == [
        (link.article_id, link.canonical_article_id, link.method) for link in links
    ]
    assert links[0].similarity >= 0.8


def test_find_duplicates_flags_exact_copy_with_other_whitespace() -> None:
    first = _article("a", "\n".join(PARAGRAPHS), published_date=date(2024, 1, 2))
    second = _article(
        "b", "  ".join(PARAGRAPHS).replace("，", ","), published_date=date(2024, 1, 1)
    )
    [link] = find_duplicates([first, second])
    # The earlier publish date is canonical, whatever the order of the input.
    assert (first.article_id, second.article_id, "exact", 1.0) == (
        link.article_id,
        link.canonical_article_id,
        link.method,
        link.similarity,
    )


def test_find_duplicates_uses_containment_for_embedded_story() -> None:
    short = _article("a", "\n".join(PARAGRAPHS[:3]))
    longer = _article("b", "\n".join([OTHER, *PARAGRAPHS, OTHER.replace("县", "乡")]))
    [link] = find_duplicates([short, longer])
    # Jaccard is low (the longer page is mostly other text) but the short story is all inside it.
    assert ("near", True) == (link.method, link.similarity >= 0.8)


def test_find_duplicates_leaves_different_stories_alone() -> None:
    first = _article("a", "\n".join(PARAGRAPHS))
    second = _article("b", OTHER)
    assert [] == find_duplicates([first, second])


def test_find_duplicates_ignores_tiny_shared_boilerplate() -> None:
    # Two briefs that share only a short stock sentence are not the same story.
    stock = "会议强调，要认真贯彻落实。"
    first = _article("a", stock + PARAGRAPHS[0])
    second = _article("b", stock + OTHER)
    assert [] == find_duplicates([first, second])


def test_find_duplicates_never_links_an_article_to_itself() -> None:
    # The same article passed twice (in the batch and among earlier loads) is not a duplicate.
    article = _article("a", "\n".join(PARAGRAPHS))
    assert [] == find_duplicates([article, article])


def _story(number: int) -> str:
    """A distinct story: four paragraphs of characters drawn at random, seeded by `number`."""
    draw = random.Random(number)
    pool = "".join(PARAGRAPHS)
    return "\n".join("".join(draw.choices(pool, k=60)) + "。" for _ in range(4))


def test_find_duplicates_finds_a_reprint_among_stories_sharing_stock_text() -> None:
    # Many distinct stories open with the same stock paragraph (more than the index keeps copies
    # of); a reprint of the last one must still be linked to it, and nothing else linked.
    stories = [_article(f"s{number:03d}", f"{OTHER}\n{_story(number)}") for number in range(60)]
    reprint = _article("zz-reprint", stories[-1].body + "\n（本文转载自其他网站）")

    links = find_duplicates([*stories, reprint])

    assert [(reprint.article_id, stories[-1].article_id, "near")] == [
        (link.article_id, link.canonical_article_id, link.method) for link in links
    ]


def test_find_duplicates_on_every_core_links_as_one_process_does() -> None:
    # Enough articles for the fingerprints to go to a process pool: exact copies, reprints and
    # stories sharing stock text, visited in one canonical order whatever process hashed them.
    stories = [_article(f"s{number:03d}", f"{OTHER}\n{_story(number)}") for number in range(150)]
    copies = [_article(f"c{number:03d}", stories[number].body) for number in range(0, 150, 7)]
    reprints = [
        _article(f"r{number:03d}", stories[number].body + "\n（本文转载自其他网站）")
        for number in range(3, 150, 11)
    ]
    articles = [*stories, *copies, *reprints]

    in_one_process = find_duplicates(articles, workers=1)

    assert len(in_one_process) == len(copies) + len(reprints)
    assert in_one_process == find_duplicates(articles, workers=2)


def test_find_duplicates_needs_more_than_one_shared_paragraph_of_many() -> None:
    # Sharing one paragraph out of several is a quotation, not a reprint, even a long one.
    first = _article("a", "\n".join([_story(1), PARAGRAPHS[0] * 2]))
    second = _article("b", "\n".join([_story(2), PARAGRAPHS[0] * 2]))
    assert [] == find_duplicates([first, second])


def test_paragraph_index_finds_what_datasketch_lsh_finds() -> None:
    # The index keeps LSH bands as integers instead of MinHashLSH's buckets: on paragraphs with
    # near copies (a few characters changed), both must name the same candidates.
    from datasketch import MinHashLSH

    from flows.ingest.dedup import (
        NUM_PERM,
        PARAGRAPH_THRESHOLD,
        _minhash,
        _paragraph_shingles,
        _ParagraphBands,
        _ParagraphIndex,
        fingerprint_bodies,
    )

    rng = random.Random(5)
    bodies = []
    for number in range(120):
        text = list(_story(number % 30).replace("\n", "") + PARAGRAPHS[number % 4])
        for _ in range(rng.randrange(8)):
            text[rng.randrange(len(text))] = rng.choice("的了在是我有和人这中大为上个国")
        bodies.append("".join(text))
    index = _ParagraphIndex(_ParagraphBands.of(fingerprint_bodies(bodies, workers=1)))
    matched = 0
    reference = MinHashLSH(threshold=PARAGRAPH_THRESHOLD, num_perm=NUM_PERM)
    for position, body in enumerate(bodies):
        [shingles] = _paragraph_shingles(body)
        minhash = _minhash(shingles)
        [found] = index.matches(position)
        assert set(reference.query(minhash)) == found, position
        matched += bool(found)
        index.add(position, [found])
        reference.insert(position, minhash)  # one paragraph per body: paragraph = position
    assert matched >= 60  # most bodies have earlier near copies: the comparison is not vacuous


def _stories_copies_and_reprints() -> list[Article]:
    stories = [_article(f"s{number:03d}", f"{OTHER}\n{_story(number)}") for number in range(40)]
    copies = [_article(f"c{number:03d}", stories[number].body) for number in range(0, 40, 7)]
    reprints = [
        _article(f"r{number:03d}", stories[number].body + "\n（本文转载自其他网站）")
        for number in range(3, 40, 11)
    ]
    short = _article("brief", "短讯")  # no paragraph long enough to index: no band keys at all
    return [*stories, *copies, *reprints, short]


def test_stored_fingerprints_link_as_the_bodies_they_were_made_from() -> None:
    # A later run reads fingerprints back from the warehouse instead of hashing every body again:
    # what it reads back must find exactly the links the bodies find.
    import pyarrow as pa

    from flows.ingest.dedup import (
        fingerprint_articles,
        fingerprint_columns,
        fingerprints_from_columns,
        link_duplicates,
    )

    articles = _stories_copies_and_reprints()
    made = fingerprint_articles(articles, workers=1)
    table = pa.table(fingerprint_columns(made))  # the staged table, as the load reads it
    read_back = fingerprints_from_columns(
        table["text_hash"].combine_chunks(),
        table["paragraph_shingles"].combine_chunks(),
        table["band_keys"].combine_chunks(),
    )
    stored = [
        dataclasses.replace(entry, fingerprint=fp)
        for entry, fp in zip(made, read_back, strict=True)
    ]
    bodies = {article.article_id: article.body for article in articles}

    links = link_duplicates(stored, bodies.__getitem__)

    assert len(links) == 10  # 6 copies and 4 reprints
    assert find_duplicates(articles) == links
    assert read_back[-1].band_keys is None and read_back[-1].sizes == []


def test_one_file_copied_to_two_places_has_one_canonical_path_whatever_the_order() -> None:
    body = "\n".join(PARAGRAPHS)
    first = Article(file_id="f", ordinal=0, body=body, body_original=body, path="a/x.txt")
    second = dataclasses.replace(first, path="b/x.txt")

    [link] = find_duplicates([second, first])

    assert (second.article_id, first.article_id) == (link.article_id, link.canonical_article_id)
    assert [link] == find_duplicates([first, second])


def test_a_pair_verified_before_links_again_without_reading_either_body() -> None:
    from flows.ingest.dedup import fingerprint_articles, link_duplicates

    articles = _stories_copies_and_reprints()
    entries = fingerprint_articles(articles, workers=1)
    bodies = {article.article_id: article.body for article in articles}
    links = link_duplicates(entries, bodies.__getitem__)
    verified = {link.article_id: (link.canonical_article_id, link.similarity) for link in links}
    near = {link.article_id for link in links if link.method == "near"}
    read: list[str] = []

    def body_of(article_id: str) -> str:
        read.append(article_id)
        return bodies[article_id]

    assert links == link_duplicates(entries, body_of, verified)
    assert len(near) == 4 and [] == read  # each reprint's pair is taken as it was

    # A link to another original than the search's only candidate is verified again.
    [reprint] = sorted(near)[:1]
    elsewhere = {reprint: (articles[0].article_id, 0.99)}
    assert links == link_duplicates(entries, body_of, elsewhere)
    assert reprint in read
