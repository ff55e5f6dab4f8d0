"""Small input folders for the scenarios: the samples, generated variants, and hostile files.

Corpora stay small on purpose: the suite runs in CI on two cores, and what it tests (crashes,
locks, bad bytes) does not need volume. Generated files are derived from the samples by
re-encoding, reordering or corrupting them, never by inventing content.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.settings import PROJECT_ROOT

SAMPLES = sorted((PROJECT_ROOT / "seeds" / "articles").glob("*.txt"))
HOSTILE_MAX_BYTES = 400_000  # RENDA_MAX_FILE_BYTES for the hostile run: oversize stays cheap


def sample_text(index: int) -> str:
    return SAMPLES[index].read_text(encoding="utf-8")


def copy_samples(target: Path, count: int | None = None) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES[:count]:
        shutil.copyfile(sample, target / sample.name)  # copyfile: the seeds are read-only
    return target


def crash_corpus(target: Path) -> Path:
    """The five samples plus two variants: a GB18030 copy (a duplicate under another name,
    in another encoding) and a sample with its paragraphs in reverse order (a near-duplicate).
    """
    copy_samples(target)
    (target / "variant_gb18030.txt").write_bytes(sample_text(2).encode("gb18030"))
    paragraphs = sample_text(4).split("\n\n")
    (target / "variant_reordered.txt").write_text("\n\n".join(reversed(paragraphs)), "utf-8")
    return target


# --- hostile input -------------------------------------------------------------------------------


def hostile_corpus(target: Path) -> dict[str, str]:
    """Every kind of bad input ingest handles, beside two good samples; name -> what it is."""
    copy_samples(target, 2)
    rng = random.Random(8)
    traditional = _traditional(sample_text(3))
    files = {
        "gbk.txt": (sample_text(2).encode("gb18030"), "GBK/GB18030 text"),
        "big5.txt": (traditional.encode("big5", errors="ignore"), "Big5 traditional text"),
        "utf16.txt": (sample_text(4).encode("utf-16"), "UTF-16 with its BOM"),
        "utf8_bom.txt": (b"\xef\xbb\xbf" + sample_text(3).encode(), "UTF-8 with a BOM"),
        "invalid_utf8.txt": (_with_invalid_bytes(sample_text(4)), "UTF-8 with stray bytes"),
        "mixed.txt": (_mixed_encodings(sample_text(2)), "half UTF-8, half GBK"),
        "empty.txt": (b"", "empty"),
        "whitespace.txt": (b" \n\t\n  \n", "whitespace only"),
        "binary.txt": (rng.randbytes(4096), "random bytes"),
        "nul.txt": (sample_text(4).replace("。", "。\x00").encode(), "NUL bytes in text"),
        "oversize.txt": (sample_text(1).encode() * 25, "over the size cap"),
        "one_line.txt": (_one_huge_line(), "one line of ~90k characters"),
        "script.html": (_hostile_html(), "HTML with script tags and SQL-looking text"),
        "copy_of_000.txt": (SAMPLES[0].read_bytes(), "the same bytes under another name"),
        "picture.png": (b"\x89PNG\r\n\x1a\n" + rng.randbytes(512), "unsupported type"),
    }
    for name, (data, _) in files.items():
        (target / name).write_bytes(data)
    described = {name: what for name, (_, what) in files.items()}
    described.update(_special_files(target))
    return described


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _with_invalid_bytes(text: str) -> bytes:
    data = text.encode()
    middle = data.rfind("。".encode(), 0, len(data) // 2) + 3
    return data[:middle] + b"\xff\xfe\xc3" + data[middle:]


def _mixed_encodings(text: str) -> bytes:
    half = len(text) // 2
    return text[:half].encode() + text[half:].encode("gb18030")


def _one_huge_line() -> bytes:
    body = "".join(sample_text(i).replace("\n", "") for i in range(5))
    return (body * 2)[:90_000].encode()


def _hostile_html() -> bytes:
    body = sample_text(2).replace("\n\n", "</p>\n<p>")
    page = (
        "<html><head><meta charset='utf-8'><script>alert('x'); document.write('注入');</script>"
        "<style>p{color:red}</style></head><body><p>"
        f"{body}</p><p>'; drop table raw.file_ledger; -- \" or 1=1; delete from core.dim_articles"
        "</p><script>fetch('/steal?c=' + document.cookie)</script></body></html>"
    )
    return page.encode()


def _special_files(target: Path) -> dict[str, str]:
    """Files that are not plain bytes: links, a FIFO, an unreadable file."""
    outside = target.parent / "outside_secret.txt"
    outside.write_text("不在来源目录中的文件\n", encoding="utf-8")
    (target / "link_outside.txt").symlink_to(outside)
    os.mkfifo(target / "fifo.txt")  # opening it would block forever: it must never be opened
    described = {
        "link_outside.txt": "symlink out of the source root",
        "fifo.txt": "a FIFO",
    }
    if os.geteuid() == 0:
        # chmod 000 does not stop root: a link to a missing file is unreadable for anyone.
        (target / "unreadable.txt").symlink_to(target / "missing" / "gone.txt")
        described["unreadable.txt"] = "unreadable (dangling link: root ignores chmod 000)"
    else:
        unreadable = target / "unreadable.txt"
        unreadable.write_text("读不到", encoding="utf-8")
        unreadable.chmod(0)
        described["unreadable.txt"] = "unreadable (chmod 000)"
    return described


@contextmanager
def changing_file(path: Path, versions: list[bytes], period: float = 0.02) -> Iterator[None]:
    """Rewrite `path` in place, cycling through `versions`, until the block ends.

    The last write is always the final version, so the file ends in a known state.
    """
    stop = threading.Event()

    def rewrite() -> None:
        index = 0
        while not stop.is_set():
            path.write_bytes(versions[index % len(versions)])
            index += 1
            stop.wait(period)
        path.write_bytes(versions[-1])

    worker = threading.Thread(target=rewrite, daemon=True)
    path.write_bytes(versions[0])
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()
