"""Finding input files and reading their bytes without ever trusting them.

Discovery lists everything a run must account for, including FIFOs, devices and symlinks, so that
each one can be quarantined with a reason instead of silently vanishing. Reading checks the file
kind and size with `lstat`/`stat` *before* opening: opening a FIFO would block the run forever and
reading an oversize file would defeat the cap.
"""

from __future__ import annotations

import glob
import hashlib
import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

GLOB_CHARACTERS = frozenset("*?[")
SUPPORTED_SUFFIXES = frozenset({".txt", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})


class QuarantineReason(StrEnum):
    EMPTY = "empty"
    WHITESPACE_ONLY = "whitespace_only"
    BINARY = "binary"
    OVERSIZE = "oversize"
    UNDECODABLE = "undecodable"
    NOT_REGULAR_FILE = "not_regular_file"
    SYMLINK_OUTSIDE_ROOT = "symlink_outside_root"
    UNREADABLE = "unreadable"
    UNSUPPORTED_TYPE = "unsupported_type"
    NO_ARTICLES = "no_articles"


class RejectedFile(Exception):
    """A file that must be quarantined; carries the reason code and a human-readable detail."""

    def __init__(self, reason: QuarantineReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def discover_files(source: Path | str) -> tuple[Path, list[Path]]:
    """The source root and every non-hidden entry under it (a directory) or matching it (a glob).

    Symlinked directories are listed, not walked, so a link cannot drag files from outside the
    root into the run; the link itself is then quarantined by `check_readable`.
    """
    text = str(source)
    if any(char in GLOB_CHARACTERS for char in text):
        return _discover_glob(text)
    root = Path(text)
    if not root.exists():
        raise FileNotFoundError(f"source does not exist: {root}")
    if root.is_file():
        return root.parent.resolve(), [root.resolve()]
    if not root.is_dir():
        raise ValueError(f"source is neither a directory, a file nor a glob: {root}")
    return root.resolve(), sorted(_walk(root.resolve()))


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(directory)
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        # os.walk does not descend into symlinked directories; list them so they are accounted.
        found.extend(here / name for name in dirnames if (here / name).is_symlink())
        found.extend(here / name for name in filenames if not name.startswith("."))
    return found


def _discover_glob(pattern: str) -> tuple[Path, list[Path]]:
    root = _glob_root(pattern)
    if not root.is_dir():
        raise FileNotFoundError(f"glob root does not exist: {root}")
    matches = [Path(match) for match in glob.glob(pattern, recursive=True)]
    kept = [
        path.absolute()
        for path in matches
        if not _is_hidden(path) and (path.is_symlink() or not path.is_dir())
    ]
    return root.resolve(), sorted(kept)


def _glob_root(pattern: str) -> Path:
    """The deepest directory of the pattern that contains no glob character."""
    parts: list[str] = []
    for part in Path(pattern).parts:
        if any(char in GLOB_CHARACTERS for char in part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _is_hidden(path: Path) -> bool:
    return any(part.startswith(".") and part not in {".", ".."} for part in path.parts)


def fingerprint(path: Path) -> str:
    """sha256 of the raw bytes: the file's identity, so a renamed file is still the same file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks that must happen before any byte is read."""

    path: Path
    relative: str
    size_bytes: int


def relative_name(path: Path, root: Path) -> str:
    """POSIX path relative to the root; the absolute path when it is not under the root."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def check_readable(path: Path, root: Path, *, max_bytes: int) -> CheckedFile:
    """Checks kind, location, type and size without opening the file; raises `RejectedFile`."""
    relative = relative_name(path, root)
    try:
        link_status = os.lstat(path)
    except OSError as error:
        raise RejectedFile(QuarantineReason.UNREADABLE, f"cannot stat: {error}") from error
    if stat.S_ISLNK(link_status.st_mode):
        _check_link_target(path, root)
    try:
        status = os.stat(path)
    except OSError as error:
        raise RejectedFile(
            QuarantineReason.UNREADABLE, f"broken link or stat failed: {error}"
        ) from error
    if not stat.S_ISREG(status.st_mode):
        raise RejectedFile(
            QuarantineReason.NOT_REGULAR_FILE, f"not a regular file: {_kind(status.st_mode)}"
        )
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise RejectedFile(QuarantineReason.UNSUPPORTED_TYPE, f"unsupported suffix {path.suffix!r}")
    if status.st_size > max_bytes:
        raise RejectedFile(
            QuarantineReason.OVERSIZE, f"{status.st_size} bytes exceeds the cap of {max_bytes}"
        )
    return CheckedFile(path=path, relative=relative, size_bytes=status.st_size)


def _check_link_target(path: Path, root: Path) -> None:
    target = path.resolve()
    if not target.is_relative_to(root.resolve()):
        raise RejectedFile(
            QuarantineReason.SYMLINK_OUTSIDE_ROOT,
            f"symlink points outside the source root: {target}",
        )


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "directory"),
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "unknown"


def read_bytes(checked: CheckedFile, *, max_bytes: int) -> bytes:
    """The file's bytes, reading at most one byte past the cap in case it grew since `stat`."""
    try:
        with open(checked.path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise RejectedFile(QuarantineReason.UNREADABLE, f"cannot read: {error}") from error
    if len(data) > max_bytes:
        raise RejectedFile(QuarantineReason.OVERSIZE, f"grew past the cap of {max_bytes} bytes")
    return data
