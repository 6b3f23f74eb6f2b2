"""Reading git: the plans' repository, `git log --raw` records, and blobs streamed through one
`git cat-file --batch` process (history.py and events/changes.py build on these)."""

from __future__ import annotations

import calendar
import datetime as dt
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .schema import DATE_RANGE

MAX_BLOB_BYTES = 1_000_000
_RECORD, _FIELD = "\x1e", "\x1f"
# `git log --format` of one commit record, as `parse_log` reads it.
LOG_FORMAT = "%x1e%H%x1f%P%x1f%ct%x1f%cI%x1f%an%x1f%s"


@dataclass(frozen=True)
class Commit:
    sha: str
    time: int  # unix seconds
    date: dt.date  # the committer's local date
    author: str
    subject: str
    parents: tuple[str, ...] = ()  # as git log printed them (rewritten with --parents)

    @property
    def short(self) -> str:
        return self.sha[:7]


def open_repo(plans: Path):
    """The git repository holding `plans` (GitPython), or None outside one."""
    import git  # GitPython

    try:
        return git.Repo(plans, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


_EPOCH_RANGE = tuple(calendar.timegm(day.timetuple()) for day in DATE_RANGE)


def _commit_time(ctime: int, cdate: str) -> tuple[int, dt.date]:
    """A commit's time and day, kept inside the dates the tool accepts (git takes any date:
    a commit stamped in the year 5138 must not break a build's sitemap timestamp)."""
    low, high = _EPOCH_RANGE
    if low <= ctime <= high:
        return ctime, dt.date.fromisoformat(cdate[:10])
    clamped = min(max(ctime, low), high)
    return clamped, dt.datetime.fromtimestamp(clamped, dt.timezone.utc).date()


def parse_log(output: str):
    """Yield (Commit, [(status, old_path, new_path, new_blob)]) from `git log --raw -z`."""
    for record in output.split(_RECORD)[1:]:
        header, _, raw = record.partition("\0")
        sha, parents, ctime, cdate, author, subject = header.split(_FIELD, 5)
        commit = Commit(
            sha, *_commit_time(int(ctime), cdate), author, subject, tuple(parents.split())
        )
        tokens = raw.lstrip("\n").split("\0")
        entries, i = [], 0
        while i < len(tokens):
            meta = tokens[i]
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta[1:].split()
            status, blob = parts[4][0], parts[3]
            if status in "RC":
                entries.append((status, tokens[i + 1], tokens[i + 2], blob))
                i += 3
            else:
                entries.append((status, tokens[i + 1], tokens[i + 1], blob))
                i += 2
        yield commit, entries


def read_blobs(repo, names: list[str], max_bytes: int = MAX_BLOB_BYTES) -> dict[str, bytes | None]:
    """The contents of many blobs through ONE streaming `git cat-file --batch`.

    `names` are blob ids or `<rev>:<path>` names. Names that do not exist (or are not blobs)
    are left out of the result; blobs larger than `max_bytes` map to None.
    """
    return dict(iter_blobs(repo, names, max_bytes))


def iter_blobs(
    repo, names: list[str], max_bytes: int = MAX_BLOB_BYTES
) -> Iterator[tuple[str, bytes | None]]:
    """(name, contents) of each existing blob, in order, streamed from one cat-file process;
    contents are None for blobs larger than `max_bytes`."""
    wanted = list(dict.fromkeys(n for n in names if "\n" not in n))
    if not wanted:
        return
    process = subprocess.Popen(
        [repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git", "cat-file", "--batch"],
        cwd=repo.working_tree_dir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None and stdout is not None  # both were asked for as pipes

    def feed() -> None:  # a thread, so the pipe never fills up in both directions
        try:
            stdin.write("".join(f"{n}\n" for n in wanted).encode())
            stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for name in wanted:
            header = stdout.readline().split()
            if len(header) != 3 or not header[2].isdigit():
                continue  # "<name> missing" (or ambiguous): nothing follows
            size = int(header[2])
            if header[1] == b"blob" and size <= max_bytes:
                yield name, stdout.read(size + 1)[:size]
                continue
            remaining = size + 1  # skip the contents and the newline after them
            while remaining > 0:
                chunk = stdout.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            if header[1] == b"blob":
                yield name, None
    finally:
        stdout.close()
        process.kill()
        writer.join()
        process.wait()
