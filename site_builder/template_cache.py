"""Compiled Jinja templates, shared by every environment of a process and kept on disk.

MkDocs creates a fresh Jinja environment per build and so would recompile all of Material's
templates (and ours) for every client: most of a build's time.
"""
from __future__ import annotations

import os
from pathlib import Path

import jinja2
import jinja2.bccache

CACHE_FOLDER = ".site-builder-cache"


class TemplateBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of a worker process, and on disk in the
    output folder (OUT/.site-builder-cache) for the next build.

    MkDocs creates a fresh Jinja environment per build and so recompiles all of Material's
    templates for every client (most of a build's time). Each entry carries the template
    source's checksum and Jinja's bytecode version, which Jinja checks on load: an edited
    template, or another Python, recompiles; nothing is served stale.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}
        self.directory: Path | None = None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is None and self.directory is not None:
            try:
                data = (self.directory / bucket.key).read_bytes()
            except OSError:
                return
        if data is not None:
            bucket.bytecode_from_string(data)  # resets itself on a checksum/version mismatch

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        self._store[bucket.key] = data
        if self.directory is not None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                partial = self.directory / f"{bucket.key}.{os.getpid()}.partial"
                partial.write_bytes(data)
                os.replace(partial, self.directory / bucket.key)
            except OSError:
                pass  # a cache: never a reason to fail a build


CACHE = TemplateBytecode()


def use_output_folder(out: Path) -> None:
    """Keep compiled templates in OUT/.site-builder-cache/templates for later builds."""
    CACHE.directory = Path(out) / CACHE_FOLDER / "templates"
