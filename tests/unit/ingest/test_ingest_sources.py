"""Bad input: every kind is quarantined with its reason code, and no input file is ever lost."""

from __future__ import annotations

import builtins
import hashlib
import os
import stat
from pathlib import Path

import pytest

from flows.ingest import QuarantineReason, discover_files, fingerprint, ingest_file

ARTICLE = (
    "市人大常委会召开会议\n\n本报讯（记者 张三）近日，市人大常委会召开会议，审议通过了有关决定。\n"
)
CAP = 10_000


def _ingest(path: Path, root: Path, *, max_bytes: int = CAP):
    return ingest_file(path, root, max_bytes=max_bytes)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", QuarantineReason.EMPTY),
        ("blank.txt", b"  \n\t\r\n  ", QuarantineReason.WHITESPACE_ONLY),
        # Full-width spaces and a BOM are whitespace too once decoded.
        ("wide-blank.txt", "\ufeff\u3000\u3000\n".encode(), QuarantineReason.WHITESPACE_ONLY),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), QuarantineReason.BINARY),
        ("noise.txt", b"\x80\xff" * 50, QuarantineReason.UNDECODABLE),
        ("notes.md", ARTICLE.encode(), QuarantineReason.UNSUPPORTED_TYPE),
        # Only page chrome: nothing is left to be an article.
        ("chrome.txt", "打印本页 关闭\n上一篇：没有了\n".encode(), QuarantineReason.NO_ARTICLES),
    ],
)
def test_ingest_quarantines_bad_content(
    tmp_path: Path, name: str, content: bytes, reason: QuarantineReason
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    outcome = _ingest(path, tmp_path)
    assert (str(reason), []) == (outcome.quarantined.reason, outcome.articles)
    assert name == outcome.quarantined.path


def test_ingest_quarantines_oversize_before_reading(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(ARTICLE.encode() * 100)
    opened: list[str] = []
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    outcome = _ingest(path, tmp_path, max_bytes=1000)
    assert ("oversize", None, []) == (outcome.quarantined.reason, outcome.file, opened)


def test_ingest_quarantines_fifo_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)  # opening it for reading would block forever
    outcome = _ingest(path, tmp_path)
    assert ("not_regular_file", None) == (outcome.quarantined.reason, outcome.file)
    assert "fifo" in outcome.quarantined.detail


def test_ingest_quarantines_device_inside_root(tmp_path: Path) -> None:
    path = tmp_path / "zero.txt"
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero: endless bytes
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    outcome = _ingest(path, tmp_path)
    assert ("not_regular_file", "character device") == (
        outcome.quarantined.reason,
        outcome.quarantined.detail.split(": ")[-1],
    )


@pytest.mark.parametrize(
    "target",
    [
        Path("/dev/null"),  # a device outside the root: the link leaves the root first
        Path("/etc/hostname"),  # a regular file outside the root
    ],
)
def test_ingest_quarantines_symlink_leaving_root(tmp_path: Path, target: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    link = root / "escape.txt"
    link.symlink_to(target)
    outcome = _ingest(link, root)
    assert "symlink_outside_root" == outcome.quarantined.reason


def test_ingest_loads_symlink_inside_root(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "real.txt")
    outcome = _ingest(tmp_path / "alias.txt", tmp_path)
    assert (None, 1) == (outcome.quarantined, len(outcome.articles))


def test_ingest_quarantines_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    assert "unreadable" == _ingest(tmp_path / "gone.txt", tmp_path).quarantined.reason


def test_ingest_quarantines_unreadable_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(ARTICLE, encoding="utf-8")

    # Tests run as root, where chmod 000 does not stop reading: simulate the refusal instead.
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(args[0]))

    monkeypatch.setattr(builtins, "open", refuse)
    outcome = _ingest(path, tmp_path)
    assert ("unreadable", None) == (outcome.quarantined.reason, outcome.file)


def test_ingest_records_file_identity(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.txt"
    path.parent.mkdir()
    path.write_bytes(ARTICLE.encode("gb18030"))
    outcome = _ingest(path, tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert ("sub/a.txt", digest, "gb18030") == (
        outcome.file.path,
        outcome.file.file_id,
        outcome.file.encoding,
    )
    assert [digest] == [article.file_id for article in outcome.articles]
    assert digest == fingerprint(path)


def _messy_tree(root: Path, outside: Path) -> None:
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "nested" / "b.htm").write_text(f"<html><body><p>{ARTICLE}</p></body></html>", "utf-8")
    (root / "nested" / "deeper" / "c.txt").write_bytes(ARTICLE.encode("big5", errors="ignore"))
    (root / "empty.txt").write_bytes(b"")
    (root / "noise.txt").write_bytes(b"\x80\xff" * 50)
    (root / ".hidden.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(root / "pipe.txt")
    (root / "escape.txt").symlink_to(outside / "x.txt")
    (root / "linked-dir").symlink_to(outside, target_is_directory=True)


def test_ingest_loses_no_input_file(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "x.txt").write_text(ARTICLE, encoding="utf-8")
    _messy_tree(root, outside)
    found_root, paths = discover_files(root)
    outcomes = [ingest_file(path, found_root, max_bytes=CAP) for path in paths]
    # Hidden files are skipped; the symlinked directory is listed but never walked.
    assert 8 == len(paths)
    assert all(bool(outcome.articles) != (outcome.quarantined is not None) for outcome in outcomes)
    loaded = sorted(outcome.file.path for outcome in outcomes if outcome.articles)
    assert ["a.txt", "nested/b.htm", "nested/deeper/c.txt"] == loaded


def test_discover_files_accepts_glob(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    for name in ("x/a.txt", "x/b.html", "x/c.md", "top.txt"):
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    root, paths = discover_files(f"{tmp_path}/**/*.txt")
    assert (tmp_path.resolve(), ["top.txt", "x/a.txt"]) == (
        root,
        sorted(path.relative_to(root).as_posix() for path in paths),
    )


def test_discover_files_rejects_missing_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        discover_files(tmp_path / "nowhere")
