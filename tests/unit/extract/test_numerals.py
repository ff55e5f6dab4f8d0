"""Numeral reading: Chinese, Arabic and mixed groups, with 万/亿 scaling."""

from __future__ import annotations

import pytest

from flows.extract.numerals import NUMBER_RE, as_number, parse_numeral, read_number


@pytest.mark.parametrize(
    ("numeral", "expected"),
    [
        ("二百七十三", 273),
        ("三万", 30_000),
        ("两", 2),  # 两 is "two" before a measure word
        ("十二", 12),
        ("一千零五", 1005),
        ("千", 1000),  # 近千家: a bare magnitude means one of it
        ("亿", 100_000_000),
        ("3.5万", 35_000),
        ("1.2亿", 120_000_000),
        ("1,200", 1200),
        ("5.4", 5.4),
        ("二〇二四", 2024),  # digit-by-digit years
    ],
)
def test_parse_numeral_reads_chinese_and_arabic(numeral: str, expected: float) -> None:
    assert expected == parse_numeral(numeral)


@pytest.mark.parametrize("numeral", ["", "亿万", "abc"])
def test_parse_numeral_rejects_non_numbers(numeral: str) -> None:
    with pytest.raises(ValueError):
        parse_numeral(numeral)


@pytest.mark.parametrize(
    ("text", "expected_value", "expected_approx"),
    [
        ("三万余", 30_000, "余"),
        ("3万余", 30_000, "余"),
        ("20多万", 200_000, "多"),  # 多 inside the number, before 万
        ("2.8万多", 28_000, "多"),
        ("百余", 100, "余"),
        ("273", 273, None),
    ],
)
def test_read_number_scales_and_keeps_inner_approximation(
    text: str, expected_value: float, expected_approx: str | None
) -> None:
    match = NUMBER_RE.fullmatch(text)
    assert match is not None
    reading = read_number(match)
    assert (expected_value, expected_approx) == (reading.value, reading.approx)


@pytest.mark.parametrize(("value", "expected"), [(273.0, 273), (5.4, 5.4)])
def test_as_number_keeps_whole_numbers_whole(value: float, expected: int | float) -> None:
    assert expected == as_number(value)
    assert type(expected) is type(as_number(value))
