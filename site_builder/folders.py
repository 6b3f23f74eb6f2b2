"""Where things are: site-builder's base configuration and theme, and the output folder, which
must never be an input, is locked while a build writes it, and receives each site by an atomic
swap (a reader or a crash never sees a half-written site)."""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
from pathlib import Path

from .errors import BuildError, UsageError

PACKAGE_DATA = Path(__file__).parent / "_data"
REPO_ROOT = Path(__file__).parent.parent
TMP_PREFIX = ".site-builder-tmp-"
LOCK_NAME = ".site-builder.lock"


# --- inputs ------------------------------------------------------------------------------------


def base_config_for(plans: Path) -> Path:
    """site-builder's base mkdocs.yml, the same for every plans folder (a plans repository's
    own mkdocs.yml is a layer over it: `config_layer`)."""
    for candidate in (PACKAGE_DATA / "mkdocs.yml", REPO_ROOT / "mkdocs.yml"):
        if candidate.is_file():
            return candidate
    raise BuildError("site-builder's base mkdocs.yml is missing from its installation")


def config_layer(plans: Path) -> Path | None:
    """The plans repository's own mkdocs.yml (beside the plans folder), laid over the base
    where that cannot weaken a site; None when there is none (or it is the base itself)."""
    own = Path(plans).resolve().parent / "mkdocs.yml"
    if not own.is_file() or os.path.samefile(own, base_config_for(plans)):
        return None
    return own


def templates_for(base_config: Path) -> Path:
    """Page templates live in theme/pages beside the base config (bundled as a fallback)."""
    for candidate in (
        base_config.parent / "theme" / "pages",
        PACKAGE_DATA / "theme" / "pages",
        REPO_ROOT / "theme" / "pages",
    ):
        if candidate.is_dir():
            return candidate
    raise BuildError("no page templates found (theme/pages)")


# --- where the output may go ------------------------------------------------------------------


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of an existing path (symlinks followed), else None."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _identities(path: Path) -> list[tuple[int, int]]:
    """Identities of `path` (resolved) and of each of its existing parents."""
    path = path.resolve()
    return [i for i in map(_identity, (path, *path.parents)) if i is not None]


def _git_dirs(plans: Path) -> list[Path]:
    """The git folder(s) of the repository holding the plans (a worktree has two)."""
    import git  # GitPython

    try:
        repo = git.Repo(plans, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return []
    return [Path(repo.git_dir), Path(repo.common_dir)]


def check_output_folder(out: Path, plans: Path, option: str = "--out") -> None:
    """Refuse (UsageError, exit 2) an output folder that would overwrite an input: one that
    is, contains or lies inside the plans folder, the theme folder or the plans' git folder,
    or that is (or contains) the current folder.

    Folders are compared by identity (device and inode, symlinks resolved), so another
    spelling of the same folder (a symlink, another case on a case-insensitive file system)
    is caught too."""
    inputs = [
        ("the plans folder", Path(plans)),
        ("the theme folder", Path(plans).resolve().parent / "theme"),
    ]
    try:
        base = base_config_for(plans)
        inputs += [
            ("the theme folder", templates_for(base).parent),
            ("the theme folder", base.parent / "theme"),
        ]
    except BuildError:
        pass  # the build itself reports it
    inputs += [("the git folder of the plans", folder) for folder in _git_dirs(plans)]
    inputs.append(("the current folder", Path.cwd()))
    around_out = _identities(Path(out))  # OUT (if it exists) and the folders it lies in
    out_id = _identity(Path(out).resolve())
    for what, folder in inputs:
        folder_id = _identity(folder)
        if folder_id is None:
            continue
        if folder_id == out_id:
            relation = "is"
        elif out_id is not None and out_id in _identities(folder):
            relation = "contains"
        elif folder_id in around_out and what != "the current folder":
            relation = "lies inside"
        else:
            continue
        raise UsageError(
            f"{option} {out} {relation} {what} ({folder.resolve()}): the output "
            f"would overwrite it; give a folder of its own, e.g. {option} site"
        )


# --- safe publishing --------------------------------------------------------------------------


class _OutputLock:
    def __init__(self, out: Path):
        self.path = out / LOCK_NAME
        self.fd = -1

    def __enter__(self):
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise UsageError(f"another build is writing to {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def output_lock(out: Path) -> _OutputLock:
    """Hold OUT/.site-builder.lock while writing: a second build into OUT stops (exit 2)."""
    return _OutputLock(out)


def remove_stale_temporaries(out: Path) -> None:
    """Folders left by a build that was killed (we hold the lock, so none is in use)."""
    for entry in out.iterdir():
        if entry.name.startswith(TMP_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where unsupported."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_into_place(new: Path, target: Path) -> None:
    """Replace `target` by `new` so that `target` is always a complete site."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise BuildError(f"{target} exists and is not a site folder; remove it")
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):  # new now holds the old site, inside the staging folder
        shutil.rmtree(new, ignore_errors=True)
        return
    old = new.with_name(new.name + ".old")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)
