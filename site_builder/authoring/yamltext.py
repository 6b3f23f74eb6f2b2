"""Editing YAML files as text (signers add, import): PyYAML's node marks say where a value
is, so comments, layout and every untouched field stay byte for byte as people wrote them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

from ..errors import SiteBuilderError


def item_columns(text: str, item: yaml.Node, what: str = "a list item") -> tuple[int, int]:
    """(column of the `-`, column of the item's content) of a block list item."""
    start = text.rfind("\n", 0, item.start_mark.index) + 1
    prefix = text[start : item.start_mark.index].rstrip()
    if not prefix.endswith("-") or prefix[:-1].strip(" "):
        raise SiteBuilderError(
            f"{what} is not written as `- ...` on its own line; nothing was changed"
        )
    return len(prefix) - 1, item.start_mark.column


def last_index(node: yaml.Node) -> int:
    """Where the text of a node ends (its last scalar or flow collection)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = (
        node.value
        if isinstance(node, yaml.SequenceNode)
        else [n for pair in node.value for n in pair]
    )
    return max((last_index(c) for c in children), default=node.start_mark.index)


def line_end(text: str, index: int) -> int:
    """The end of the line `index` is on, before its line break (\\n or \\r\\n)."""
    end = text.find("\n", index)
    end = len(text) if end < 0 else end
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def replace_file(path: Path, text: str) -> None:
    """Replace (or create) a file atomically, keeping its mode: a failed write leaves the old
    file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the current folder where it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
