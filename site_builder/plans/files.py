"""Reading plan files safely: inside their folder, no links out, size limits, UTF-8, YAML
checked against a schema record with line numbers kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import Diagnostics
from . import schema, yamlsafe
from .schema import INVALID, Ctx

# Limits that keep hostile or accidental input from hanging a build (docs/security.md, "Limits").
MAX_YAML_BYTES = 1_000_000
MAX_NOTE_BYTES = 256_000
MAX_DOCUMENT_BYTES = 100_000_000
MAX_APPROVALS_PER_PROJECT = 5_000
MAX_DOCUMENTS_PER_PROJECT = 2_000
MAX_MILESTONES_WARNING = 10
FAR_DATE_YEARS = 5  # a milestone date this far from the plan's median date is a warning
LOGO_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif"}
FAVICON_SUFFIXES = {".png", ".svg", ".ico"}
MAX_SITE_FILE_BYTES = 2_000_000


# Files git and editors leave around that are not part of the plans.
IGNORED_NAMES = {".gitattributes", ".gitignore", ".gitkeep"}


# --- files and folders ------------------------------------------------------------------------


def inside(path: Path, container: Path, diags: Diagnostics) -> bool:
    """False (and an error) when `path` is a symlink resolving outside `container`."""
    if not path.is_symlink():
        return True
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        diags.error(path, 0, "broken or looping symbolic link")
        return False
    if target == container or container in target.parents:
        return True
    diags.error(
        path,
        0,
        f"symbolic link points outside the client folder ({container.name}/); "
        "copy the file in instead",
    )
    return False


def read_text(path: Path, limit: int, diags: Diagnostics) -> str | None:
    try:
        data = read_file(path, limit)
    except FileRefused as refused:
        diags.error(path, 0, str(refused))
        return None
    return decode(path, data, diags)


class FileRefused(Exception):
    """A plan file that is not read, and why (one sentence)."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def read_file(path: Path, limit: int, head: bool = False) -> bytes:
    """The bytes of a plan file (the first `limit` only if `head`): opened at its resolved
    path without following a link swapped in since it was checked (O_NOFOLLOW), refused if
    it is not a regular file, is hard-linked or is larger than `limit`."""
    try:
        fd = os.open(path.resolve(strict=True), os.O_RDONLY | _NOFOLLOW)
    except (OSError, RuntimeError) as exc:
        raise FileRefused(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    with os.fdopen(fd, "rb") as file:
        problem = _file_problem(os.fstat(fd), None if head else limit)
        if problem:
            raise FileRefused(problem)
        data = file.read(limit + 1)
    if len(data) > limit and not head:  # grew since fstat
        raise FileRefused(f"file is too large (more than {limit:,} bytes)")
    return data[:limit]


def _file_problem(info: os.stat_result, limit: int | None) -> str | None:
    """Why a plan file (its stat) is not read as client data, if it is not."""
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_nlink > 1:
        # Either name may be the original: the other may be in another client's folder.
        return (
            f"file has {info.st_nlink} hard links; a hard-linked file may be another "
            "client's, so it is never read or published: copy it in instead (git never "
            "makes hard links)"
        )
    if limit is not None and info.st_size > limit:
        return f"file is too large ({info.st_size:,} bytes; the limit is {limit:,})"
    return None


def decode(path: Path, data: bytes, diags: Diagnostics) -> str | None:
    """A file's bytes as UTF-8 text, or None with an error for `path`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags.error(path, line, "file is not valid UTF-8 text")
        return None


def parse_yaml(
    path: Path, text: str, record: schema.Record, diags: Diagnostics, line_offset: int = 0
) -> schema.Fields | None:
    """YAML text checked against a schema record, or None with the problems in `diags`."""
    parsed = yamlsafe.parse(text)
    if isinstance(parsed, yamlsafe.YamlProblem):
        diags.error(path, parsed.line + line_offset, parsed.message)
        return None
    ctx = Ctx(path, diags, line_offset)
    if parsed is None:
        diags.error(path, 1 + line_offset, f"{record.title} is empty")
        return None
    fields = record.convert(parsed, ctx)
    return None if fields is INVALID else fields
