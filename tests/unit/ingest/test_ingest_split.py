"""Splitting pages into articles, measured on the samples and on small constructed pages."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from flows.ingest import ingest_file

from .conftest import SAMPLES, gold_for

SAMPLE_NAMES = sorted(path.name for path in SAMPLES.glob("*.txt"))


def _fold(text: str | None) -> str | None:
    if text is None:
        return None
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("“", "").replace("”", "")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_split_matches_gold_article_count(sample_outcomes, name: str) -> None:
    assert len(gold_for(name)["articles"]) == len(sample_outcomes[name].articles)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_split_finds_gold_titles_and_body_starts(sample_outcomes, name: str) -> None:
    gold = [
        (_fold(a["title"]), _fold(a["first_sentence"])[:12]) for a in gold_for(name)["articles"]
    ]
    found = [(_fold(a.title), _fold(a.body)[:12]) for a in sample_outcomes[name].articles]
    assert gold == found


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_split_reports_gold_page_chrome(sample_outcomes, name: str) -> None:
    expected = sorted(_fold(line) for line in gold_for(name)["page_chrome"])
    assert expected == sorted(_fold(line) for line in sample_outcomes[name].page_chrome)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_split_reads_gold_metadata(sample_outcomes, name: str) -> None:
    gold = [
        (a["publish_date"], _fold(a["source"]), sorted(a["authors"]), _fold(a["subtitle"]))
        for a in gold_for(name)["articles"]
    ]
    found = [
        (
            a.published_date.isoformat() if a.published_date else None,
            _fold(a.source),
            sorted(a.authors),
            _fold(a.subtitle),
        )
        for a in sample_outcomes[name].articles
    ]
    assert gold == found


def _ingest_text(tmp_path: Path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "page.txt"
    path.write_bytes(text.encode(encoding))
    return ingest_file(path, tmp_path, max_bytes=1_000_000).articles


NEWSPAPER_PAGE = """县里召开代表座谈会
——听取基层代表意见建议
■ 本报记者 王某 通讯员 李某

近日，县人大常委会召开代表座谈会，听取基层代表意见建议。

会上，代表们围绕乡村振兴等议题踊跃发言，提出建议20余条。

（上接第一版）

代表联络站建设取得新进展。全县已建成联络站30个，实现乡镇全覆盖。

一周要闻

某镇

某镇人大组织代表开展集中视察活动，实地察看民生实事项目进展情况。（赵某）

某乡

某乡人大召开代表小组活动，围绕农村人居环境整治开展专题调研，并就存在问题提出意见。（钱某）
"""


def test_split_cuts_a_newspaper_page(tmp_path: Path) -> None:
    articles = _ingest_text(tmp_path, NEWSPAPER_PAGE)
    assert [
        (
            "县里召开代表座谈会",
            "听取基层代表意见建议",
            ("王某", "李某"),
            "近日，县人大常委会召开代表座谈会",
        ),
        # Continued from page one: its heading is not on this page, so no title is made up.
        (None, None, (), "代表联络站建设取得新进展。全县已"),
        # "一周要闻" heads a column of briefs; each brief is its own article.
        ("某镇", None, ("赵某",), "某镇人大组织代表开展集中视察活动"),
        ("某乡", None, ("钱某",), "某乡人大召开代表小组活动，围绕农"),
    ] == [(a.title, a.subtitle, a.authors, a.body[:16]) for a in articles]


@pytest.mark.parametrize(
    ("expected", "page"),
    [
        # A word cut at the page edge: "70周" + "年，…" is one sentence again.
        (
            "今年是县人民代表大会成立60周年，为进一步加强代表工作，市人大常委会作出安排。",
            "今年是县人民代表大会成立60周\n\n年，为进一步加强代表工作，市人大常委会作出安排。",
        ),
        # A line ending in a comma always continues.
        (
            "日前，某省某市人大常委会组织代表开展检查。",
            "日前，某省\n\n某市人大常委会组织代表开展检查。",
        ),
        # A section heading stays on its own line.
        (
            "以监督之力促进发展\n围绕创新关键事项，常委会开展执法检查。",
            "以监督之力促进发展\n\n围绕创新关键事项，常委会开展执法检查。",
        ),
    ],
)
def test_split_joins_lines_broken_at_page_edge(tmp_path: Path, expected: str, page: str) -> None:
    heading = "测试标题\n——副标题\n\n"
    assert expected == _ingest_text(tmp_path, heading + page)[0].body


def test_split_traditional_page_comes_out_simplified(tmp_path: Path) -> None:
    page = (
        "縣人大常委會召開會議\n——聽取代表意見\n\n"
        "本報訊（記者 張某）近日，縣人大常委會召開會議，審議通過了有關決定。\n"
    )
    [article] = _ingest_text(tmp_path, page, encoding="big5")
    assert ("县人大常委会召开会议", "听取代表意见", ("张某",)) == (
        article.title,
        article.subtitle,
        article.authors,
    )
    assert article.body.startswith("本报讯（记者 张某）近日，县人大常委会")
    assert article.body_original.startswith("本報訊（記者 張某）近日")


def test_split_web_page_drops_site_header(tmp_path: Path) -> None:
    page = (
        "某某网\n\n网站首页 > 地方动态\n\n市人大常委会开展执法检查\n\n"
        "发布时间：民国113年3月1日 来源：某某人大网\n\n"
        "近日，市人大常委会开展执法检查。\n\n编辑：孙某\n"
    )
    outcome = ingest_file(_write(tmp_path, page), tmp_path, max_bytes=10_000)
    [article] = outcome.articles
    assert ("市人大常委会开展执法检查", "2024-03-01", "某某人大网", ("孙某",)) == (
        article.title,
        article.published_date.isoformat(),
        article.source,
        article.authors,
    )
    assert "近日，市人大常委会开展执法检查。" == article.body
    assert ["某某网", "网站首页 > 地方动态"] == outcome.page_chrome[:2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "web.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_split_reads_saved_html_page(tmp_path: Path) -> None:
    html = (
        "<html><head><title>县人大常委会召开会议</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> &gt; 正文</div>"
        "<h1>县人大常委会召开会议</h1><div>发布时间：2022-7-18 来源：某某人大网</div>"
        "<div class='content'>"
        "<p>本报讯（记者 赵某）7月15日，县人大常委会召开第十次会议，审议通过了有关决定。</p>"
        "<p>会议听取了县人民政府关于环境状况的报告，并进行了满意度测评。</p></div>"
        "<div class='footer'>版权所有 某某人大 ICP备12345678号</div></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [article] = ingest_file(path, tmp_path, max_bytes=100_000).articles
    assert ("县人大常委会召开会议", "2022-07-18", ("赵某",)) == (
        article.title,
        article.published_date.isoformat(),
        article.authors,
    )
    assert "ICP" not in article.body
