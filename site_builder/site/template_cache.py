"""Compiled Jinja templates, shared by every environment of one process (never on disk).

MkDocs creates a fresh Jinja environment per build and so would recompile all of Material's
templates (and ours) for every client: most of a build's time.

Compiled templates are code. They are kept in this process's memory only and never read
from or written to disk (the output folder, a CI cache): whoever could write such a file
would run code next to the link secret and the passwords. Measured, an on-disk cache saved
about 0.2 s per build process, not worth that.
"""

from __future__ import annotations

import jinja2
import jinja2.bccache


class TemplateBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of a (worker) process.

    Each entry carries the template source's checksum, which Jinja checks on load: an edited
    template recompiles; nothing is served stale.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # resets itself on a checksum mismatch

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


CACHE = TemplateBytecode()
