"""The shared file store of an output folder: files every site needs, kept once on disk.

Sites hard-link their theme files (and any generated file identical to one already stored)
from OUT/.site-builder-assets/. A site still works on its own (`cp -rL`, upload): hard links
are ordinary files and nothing points outside the site. Sharing is by identical bytes only, so
no client's content can reach another client's site through it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


class AssetStore:
    """Files stored once per output folder; sites hard-link them. Files no site links to any
    more are removed by `collect()`."""

    FOLDER = ".site-builder-assets"

    def __init__(self, out: Path):
        self.root = Path(out) / self.FOLDER

    def link(self, source: str, dest: str) -> None:
        stat = os.stat(source)
        key = hashlib.sha256(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
        stored = self.root / key[:2] / (key + Path(source).suffix)
        if not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial = stored.with_name(f"{stored.name}.{os.getpid()}.partial")
            shutil.copyfile(source, partial)
            try:  # link, not replace: the first worker's copy wins, so all sites share it
                os.link(partial, stored)
            except FileExistsError:
                pass
            finally:
                os.unlink(partial)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        try:
            os.link(stored, dest)
        except OSError:  # another file system, or links not supported: copy
            shutil.copyfile(stored, dest)

    def collect(self) -> None:
        """Remove stored files no site links to (and leftovers of interrupted copies)."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and (path.stat().st_nlink == 1 or path.name.endswith(".partial")):
                path.unlink()

    def share_identical(self, site_dir: Path) -> None:
        """Replace each file of a built site by a link to stored identical bytes (badges,
        empty sitemaps, markers... are often the same for many clients)."""
        for path in sorted(Path(site_dir).rglob("*")):
            if path.is_symlink() or not path.is_file() or path.stat().st_nlink > 1:
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            stored = self.root / "by-content" / digest
            stored.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, stored)  # first of its kind: it becomes the stored copy
                continue
            except FileExistsError:
                pass
            except OSError:
                return  # links not supported here: keep the copies
            partial = path.with_name(f".{path.name}.{os.getpid()}.link")
            os.link(stored, partial)
            os.replace(partial, path)
