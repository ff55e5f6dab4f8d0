"""Decoding: each encoding the corpus meets, and the bytes that must be refused."""

from __future__ import annotations

import codecs

import pytest

from flows.ingest.decode import decode_bytes
from flows.ingest.sources import QuarantineReason, RejectedFile

SIMPLIFIED = "市人大常委会召开第十三次会议，审议通过了《条例》。"
TRADITIONAL = "市人大常委會召開第十三次會議，審議通過了《條例》。"


@pytest.mark.parametrize(
    ("text", "raw", "expected_encoding"),
    [
        (SIMPLIFIED, SIMPLIFIED.encode("utf-8"), "utf-8"),
        # The BOM must not survive into the text (it would break "starts with" rules).
        (SIMPLIFIED, codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig"),
        # GBK files are read as GB18030, its superset.
        (SIMPLIFIED, SIMPLIFIED.encode("gbk"), "gb18030"),
        (SIMPLIFIED, SIMPLIFIED.encode("gb18030"), "gb18030"),
        # Traditional characters are legal in GBK too.
        (TRADITIONAL, TRADITIONAL.encode("gbk"), "gb18030"),
        (TRADITIONAL, TRADITIONAL.encode("big5"), "big5"),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16"), "utf-16"),
        # No BOM: recognised by the characters it decodes to.
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16-le"), "utf_16_le"),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16-be"), "utf_16_be"),
    ],
)
def test_decode_reads_each_encoding(text: str, raw: bytes, expected_encoding: str) -> None:
    decoded = decode_bytes(raw)
    assert (text, expected_encoding) == (decoded.text, decoded.encoding)


@pytest.mark.parametrize(
    "text",
    [
        "會議",  # two characters: Big5 bytes that also decode as (wrong) GBK text
        "審議通過",
        "立法院三讀通過",
        "新聞稿",
    ],
)
def test_decode_prefers_big5_for_short_traditional_text(text: str) -> None:
    assert text == decode_bytes(text.encode("big5")).text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"%PDF-1.7\n" + bytes(range(256)), QuarantineReason.BINARY),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, QuarantineReason.BINARY),
        (bytes(range(0, 32)) * 8, QuarantineReason.BINARY),
        # High bytes that no Chinese encoding decodes cleanly.
        (b"\x80\xff" * 20, QuarantineReason.UNDECODABLE),
        # A UTF-16 BOM in front of bytes that are not text decodes strictly but to noise.
        (codecs.BOM_UTF16_LE + bytes(range(0x80, 0xFF)), QuarantineReason.UNDECODABLE),
        # A UTF-8 BOM in front of bytes that are not UTF-8: never decoded with replacement.
        (codecs.BOM_UTF8 + "会议".encode("gbk"), QuarantineReason.UNDECODABLE),
    ],
)
def test_decode_refuses_bad_bytes(raw: bytes, reason: QuarantineReason) -> None:
    with pytest.raises(RejectedFile) as caught:
        decode_bytes(raw)
    assert reason == caught.value.reason
