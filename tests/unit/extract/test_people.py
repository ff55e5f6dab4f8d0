"""People: who counts as a person, the role as written, and bylines left out."""

from __future__ import annotations

import pytest

from flows.extract.people import byline_names, extract_people
from flows.segment import get_segmenter


def _people(text: str, authors: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    found = extract_people(text, get_segmenter().tag(text), authors)
    assert all(text[p.start : p.end] == p.name for p in found)
    return [(p.name, p.role) for p in found]


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        # Role before the name, two titles joined by 、, then a speech verb.
        (
            [("王建国", "安阳市人大常委会党组书记、主任")],
            "“要加强监督。”安阳市人大常委会党组书记、主任王建国说。",
        ),
        # Title after the name.
        ([("王建国", "主任")], "王建国主任到现场调研。"),
        # Speech verb alone makes a person, with no role.
        ([("张伟", None)], "张伟表示,将继续推进。"),
        # A surname and a kinship word form a name; the relation before it is the role.
        ([("王大伯", "邻居")], "他一大早就来到邻居王大伯家。"),
    ],
)
def test_extract_people_finds_name_and_role(expected, text):
    assert expected == _people(text)


@pytest.mark.parametrize(
    "text",
    [
        # jieba tags these as person names; nothing in the text treats them as people.
        "推动尼龙新材料产业发展,完善养老服务体系。",
        "白龟湖周边环境优美。",
        # An abstract noun after a collective noun is no person (jieba: 幸福感/nr).
        "全面提升群众幸福感。",
    ],
)
def test_extract_people_ignores_names_jieba_invents(text):
    assert [] == _people(text)


def test_extract_people_resolves_this_company_in_a_role():
    text = "河南华瑞化工有限公司项目投产,该公司总经理王建国表示感谢。"
    assert [("王建国", "河南华瑞化工有限公司总经理")] == _people(text)


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ({"王建国", "李红梅", "张伟"}, "(记者 王建国 通讯员 李红梅 张伟)近日"),
        ({"王建国"}, "本报讯(记者王建国)某某县人大常委会"),
        # Byline names cut in two by jieba are joined again.
        ({"寇明轩"}, "■ 本报记者 寇明轩\n"),
    ],
)
def test_byline_names_reads_names_after_markers(expected, text):
    assert expected == byline_names(text, get_segmenter().tag(text))


@pytest.mark.parametrize(
    ("authors", "text"),
    [
        # In a byline inside the text: not a person of the story.
        ((), "本报讯(记者王建国)近日,王建国表示将继续采访。"),
        # Named as an author by ingest.
        (("张伟",), "张伟表示,将继续推进。"),
    ],
)
def test_extract_people_excludes_bylines(authors, text):
    assert [] == _people(text, authors)
