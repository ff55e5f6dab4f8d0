"""Page chrome: the lines a site or a newspaper page wraps around the story."""

from __future__ import annotations

import shutil

import pytest

from flows.ingest.chrome import LineKind, classify_line, split_trailing_continuation
from flows.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("expected", "line"),
    [
        (LineKind.CHROME, "当前位置：首页 > 新闻中心 > 正文"),  # breadcrumb
        (LineKind.CHROME, "【字体：大 中 小】【打印本页】【关闭窗口】"),
        (LineKind.CHROME, "扫一扫在手机打开当前页"),
        (LineKind.CHROME, "上一篇：没有了"),
        (LineKind.CHROME, "下一篇：某县召开代表座谈会"),
        (LineKind.CHROME, "[免责声明] 本文来源于网络转载，仅供学习交流使用，如有侵权请联系删除。"),
        (LineKind.CHROME, "版权所有：某某人大常委会办公室 京ICP备12345678号"),
        (LineKind.CHROME, "联系电话：0371-12345678"),
        (LineKind.CHROME, "X"),  # a close button
        (LineKind.META, "发布时间：2024-09-01 作者：佚名 来源：某某人大网"),
        (LineKind.META, "来源：某某日报 发布日期：2024-02-04 浏览次数： 浏览"),
        (LineKind.META, "发布时间：2023年11月27日 打印本页 关闭 【字体："),
        (LineKind.META, "2018-11-12 17:25:15"),  # a bare timestamp under a title
        (LineKind.META, "原文链接：https://example.cn/2024/08-29/1.html"),
        (LineKind.CONTINUATION, "（上接第一版）"),
        (LineKind.CONTINUATION, "(下转第3版)"),
        (LineKind.BANNER, "要闻速递 YAOWENSUDI"),  # a column head with its pinyin
        (LineKind.TEXT, "以监督之力促进高质量发展"),
        (LineKind.TEXT, "记者从会议上了解到，来源于群众的建议共120条。"),
        # A long sentence that merely mentions a widget word is prose.
        (
            LineKind.TEXT,
            "代表们纷纷表示，上一篇章已经写就，下一篇章要靠全体代表继续努力书写，不负人民重托。",
        ),
    ],
)
def test_classify_line_recognises_chrome(expected: LineKind, line: str) -> None:
    assert expected == classify_line(line)


def test_split_trailing_continuation_keeps_paragraph() -> None:
    assert ("会议强调，要持续发力", "（下转第二版）") == split_trailing_continuation(
        "会议强调，要持续发力（下转第二版）"
    )


def test_chrome_words_come_from_the_dictionary_folder_in_use(tmp_path, settings_env):
    # Phrases and labels are prepared once per vocabulary: a site's own dictionary folder must
    # still be read, not the phrases the process prepared first.
    line = "本网站由测试中心维护"
    label_line = "值班：某某"
    assert LineKind.TEXT == classify_line(line) == classify_line(label_line)
    folder = tmp_path / "dictionaries"
    shutil.copytree(PROJECT_ROOT / "seeds" / "dictionaries", folder)
    with (folder / "ingest_chrome_phrases.txt").open("a", encoding="utf-8") as phrases:
        phrases.write("\n!由测试中心维护\n")
    with (folder / "ingest_meta_labels.txt").open("a", encoding="utf-8") as labels:
        labels.write("\n值班\tauthor\n")
    settings_env(dictionary_dir=str(folder))

    assert LineKind.CHROME == classify_line(line)
    assert LineKind.META == classify_line(label_line)
