"""Metadata read from text: dates, metadata rows, datelines, bylines, closings, titles."""

from __future__ import annotations

from datetime import date

import pytest

from flows.ingest.metadata import (
    byline_names,
    closing_parts,
    dateline_byline,
    dateline_source,
    meta_fields,
    parse_date,
    photo_credit_names,
    split_title,
)


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        (date(2024, 9, 1), "2024-09-01"),
        (date(2023, 11, 27), "2023年11月27日"),
        (date(2018, 11, 12), "2018-11-12 17:25:15"),
        (date(2022, 7, 18), "2022-7-18"),
        (date(2020, 1, 6), "2020/1/6"),
        (date(2024, 3, 5), "2024.3.5"),
        (date(2024, 3, 1), "中华民国113年3月1日"),  # ROC calendar: year + 1911
        (date(1949, 10, 1), "民国三十八年十月一日"),
        (date(2024, 3, 1), "民国一一三年三月一日"),  # digit-by-digit Chinese numerals
        (date(2023, 11, 27), "发布时间：2023年11月27日 打印本页"),
        (None, "10月29日"),  # no year: not a publish date
        (None, "2023-02-30"),  # not a calendar day
        (None, "浏览次数：1234"),
    ],
)
def test_parse_date_reads_each_format(expected: date | None, text: str) -> None:
    assert expected == parse_date(text)


@pytest.mark.parametrize(
    ("expected", "row"),
    [
        (
            {"date": "2024-09-01", "author": "佚名", "source": "某某人大网"},
            "发布时间：2024-09-01 作者：佚名 来源：某某人大网",
        ),
        (
            {"source": "某某日报", "date": "2024-02-04", "views": "浏览"},
            "来源：某某日报 发布日期：2024-02-04 浏览次数： 浏览",
        ),
        ({"source": "某某新闻网"}, "文章来源：某某新闻网"),  # the longer label wins
        ({"source": "某某日报"}, "稿源：某某日报"),
        ({"url": "https://example.cn/a.html"}, "原文链接：https://example.cn/a.html"),
    ],
)
def test_meta_fields_splits_a_row(expected: dict, row: str) -> None:
    assert expected == meta_fields(row)


@pytest.mark.parametrize(
    ("source", "names", "paragraph"),
    [
        (
            None,
            ["张三"],
            "本报讯（记者张三）近日，县人大常委会召开会议。",
        ),  # 本报: which paper is unknown
        ("新华社", [], "新华社北京3月1日电 近日，全国人大常委会召开会议。"),
        (
            "某某融媒体中心",
            ["赵一", "钱二", "孙三"],
            "某某融媒体中心讯（记者 赵一 通讯员 钱二 孙三）近日，会议召开。",
        ),
        (None, [], "近日，湖南省某市人大常委会召开会议。"),
        (None, [], "全市电网负荷10月1日电量创新高。"),  # a date and 电 inside a sentence
    ],
)
def test_dateline_gives_source_and_byline(
    source: str | None, names: list[str], paragraph: str
) -> None:
    assert (source, names) == (dateline_source(paragraph), dateline_byline(paragraph))


@pytest.mark.parametrize(
    ("expected", "paragraph"),
    [
        ((["张三"], None), "……的热情和干劲。（本报记者 张三）"),
        (
            (["李四"], None),
            "确保各项工作落到实处。（李四）",
        ),  # a bare name after a finished sentence
        (([], "新华社"), "开辟广阔前景。（新华社北京3月1日电）"),
        (([], "某某日报"), "正在推进。（来源：某某日报）"),
        (([], "新华社"), "正在推进。（据新华社）"),
        (([], None), "工作取得成效。（完）"),
        (None, "审议了《某某条例（试行）》"),  # a law's qualifier, not a byline
        (None, "通过了条例（试行）"),
        (None, "会议召开。（附件略）"),
    ],
)
def test_closing_parts_reads_story_endings(expected, paragraph: str) -> None:
    assert expected == closing_parts(paragraph)


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        (["周某", "吴某某"], "■ 本报记者 周某 通讯员 吴某某"),
        (["郑某某"], "■ 本报通讯员 郑某某"),
        (["李某"], "编辑：李某"),
        (["王某", "赵某"], "责任编辑：王某 赵某"),
        (["张某"], "文/张某"),
        ([], "作者：佚名"),  # a byline that names nobody
        (None, "人大代表联系群众工作"),  # no role word: not a byline
        (None, "记者从会议上了解到，全市共建成联络站"),
    ],
)
def test_byline_names_reads_roles_and_names(expected, text: str) -> None:
    assert expected == byline_names(text)


@pytest.mark.parametrize(
    ("expected", "caption"),
    [
        (["陈某某"], "新城是集科技创新、产业升级于一体的现代化城区 某某日报记者 陈某某 摄"),
        (["刘某"], "图为检查组实地察看项目实施情况。刘某摄"),
        (["张某", "李某"], "代表们在田间调研 记者 张某 李某 摄"),
        ([], "大家在活动现场合影留念 摄"),  # no name next to 摄
        ([], "本版图片均为市人大常委会供图"),  # an organisation's photos: no person
    ],
)
def test_photo_credit_names_reads_captions(expected: list[str], caption: str) -> None:
    assert expected == photo_credit_names(caption)


@pytest.mark.parametrize(
    ("expected", "heading"),
    [
        (
            ("立足新起点 展现新作为", "县人大常委会年度工作回顾"),
            "立足新起点 展现新作为 ——县人大常委会年度工作回顾",
        ),
        (
            ("某某人大：“三项行动”助力发展", "人大制度优势推动高质量发展"),
            "某某人大：“三项行动”助力发展——人大制度优势推动高质量发展",
        ),
        (("人大代表“摆摊”忙", None), "人大代表“摆摊”忙"),
    ],
)
def test_split_title_separates_subtitle(expected, heading: str) -> None:
    assert expected == split_title(heading)
