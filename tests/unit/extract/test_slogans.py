"""Slogans: which quoted strings are policy phrases and which are speech or names."""

from __future__ import annotations

import pytest

from flows.extract.slogans import extract_slogans, is_slogan


@pytest.mark.parametrize(
    "phrase",
    [
        "五大行动",  # numbered
        "两城",  # two characters, but numbered
        "1661",  # a number code
        "九个一",
        "一二三四",
        "学标杆、争先进、创一流",  # parallel with 、
        "上下联动,齐抓共促",  # parallel with a comma
        "代表联络+检察",  # + structure, even though it ends like a name would not
        "不忘初心 牢记使命",  # parallel with a space
        "全链模式",  # four characters, no numeral
    ],
)
def test_is_slogan_accepts_policy_phrases(phrase: str) -> None:
    assert is_slogan(phrase)


@pytest.mark.parametrize(
    "phrase",
    [
        "创新是引领发展的第一动力,立法工作要突出服务保障这一主题。",  # speech
        "我来平顶山工作时间不长",  # first person: speech
        "养老产业如何发展、服务设施怎么建设",  # questions
        "平顶山企业家日",  # a named day
        "掌上人大代表联络站",  # a named station
        "路线图",  # three characters with no policy word after it
        "长钱",  # two characters, no numeral
        "立、改、废",  # single characters
        "一池春水",  # an idiom
        "学",
    ],
)
def test_is_slogan_rejects_speech_names_and_figures_of_speech(phrase: str) -> None:
    assert not is_slogan(phrase)


def test_is_slogan_accepts_three_characters_followed_by_a_policy_word() -> None:
    assert is_slogan("小切口", {"立法实践"})
    assert not is_slogan("小切口", {"、细化"})


def test_extract_slogans_reads_nested_quotes_with_offsets() -> None:
    text = "“我们聚焦市委‘壮大新动能、奋进百强市’目标。”实施“五大行动”，推进“小切口”立法。"
    slogans = extract_slogans(text)
    assert ["壮大新动能、奋进百强市", "五大行动", "小切口"] == [slogan.text for slogan in slogans]
    for slogan in slogans:
        assert slogan.text == text[slogan.start : slogan.end]
