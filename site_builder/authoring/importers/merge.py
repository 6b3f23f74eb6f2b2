"""Merge imported milestones into plan.yml by editing its text.

A milestone is matched by its tracker reference (`internal: {source: REF}`) first, then by id.
A matched milestone gets only its `title` and `due` values replaced (and `internal.source`
added when it has none), in place: comments, layout, quoting and every hand-written field
stay as they were. Unmatched records are appended as new milestones. Nothing is deleted and no
id ever changes (approval notes name them). The result is parsed and checked like the loader
does before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ...errors import Diagnostics, PlanError, SiteBuilderError
from ...plans import schema, yamlsafe
from ...textsafe import printable
from ..approve import read_record
from ..scaffold import yaml_scalar
from ..yamltext import item_columns, last_index, line_end
from .sources import Record, slugify


@dataclass(frozen=True)
class Merged:
    text: str
    added: tuple[str, ...]  # ids
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class _Existing:
    id: str
    node: yaml.MappingNode
    ref: str | None


def new_plan(title: str, records: list[Record], source: str) -> Merged:
    """The text of a new plan.yml holding `records`."""
    taken: set[str] = set()
    lines = [
        f"# Imported by `site-builder import` from {printable(source)}.",
        "# Edit freely: importing again changes only titles and due dates (matched by",
        "# internal.source, then by id) and adds new milestones.",
        f"title: {yaml_scalar(title)}",
        "milestones:",
    ]
    ids = []
    for index, record in enumerate(records):
        mid = _unique(_base_id(record), taken)
        ids.append(mid)
        if index:
            lines.append("")
        first, *rest = _block(mid, record)
        lines += ["  - " + first, *("    " + x for x in rest)]
    text = "\n".join(lines) + "\n"
    _verify(text, {i: (r.title, r.due) for i, r in zip(ids, records)})
    return Merged(text, tuple(ids), (), ())


def merge(path: Path, text: str, records: list[Record]) -> Merged:
    """`text` (an existing plan.yml) with `records` merged in (see the module docstring)."""
    diags = Diagnostics()
    if read_record(path, schema.PLAN, diags, text) is None or diags.errors:
        raise PlanError(diags.errors or diags.items)
    root = yamlsafe.parse(text)
    sequence = _value(root, "milestones")
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style or not sequence.value:
        raise SiteBuilderError(
            f"{path}: `milestones:` must be a block list (- id: ...) to "
            "import into it; nothing was changed"
        )
    nl = "\r\n" if "\r\n" in text else "\n"
    existing = [_existing(item) for item in sequence.value]
    by_ref = {e.ref: e for e in existing if e.ref}
    by_id = {e.id: e for e in existing}
    taken = set(by_id)
    matched: set[str] = set()
    edits: list[tuple[int, int, str]] = []
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    expected: dict[str, tuple[str, dt.date]] = {}
    new_blocks: list[list[str]] = []
    for record in records:
        found = by_ref.get(record.ref) if record.ref else None
        if found is None:
            candidate = by_id.get(_base_id(record))
            # Two different tracker records with the same id are different milestones.
            if candidate and (None in (candidate.ref, record.ref) or candidate.ref == record.ref):
                found = candidate
        if found is not None and found.id not in matched:
            matched.add(found.id)
            changes = _updates(text, found, record, nl)
            edits += changes
            (updated if changes else unchanged).append(found.id)
            expected[found.id] = (record.title, record.due)
            continue
        mid = _unique(_base_id(record), taken)
        added.append(mid)
        expected[mid] = (record.title, record.due)
        new_blocks.append(_block(mid, record))
    if new_blocks:
        edits.append(_append(text, sequence, new_blocks, nl))
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]  # right to left: earlier offsets stay valid
    _verify(text, expected, path)
    return Merged(text, tuple(added), tuple(updated), tuple(unchanged))


# --- reading the existing plan ----------------------------------------------------------------


def _value(mapping, name: str):
    if not isinstance(mapping, yaml.MappingNode):
        return None
    return next((v for k, v in mapping.value if getattr(k, "value", None) == name), None)


def _existing(item: yaml.Node) -> _Existing:
    internal = _value(item, "internal")
    source = _value(internal, "source")
    ref = source.value if isinstance(source, yaml.ScalarNode) and source.value else None
    return _Existing(_value(item, "id").value, item, ref)


def _base_id(record: Record) -> str:
    if record.id:
        return record.id
    return slugify(record.title) or slugify(record.ref or "") or "milestone"


def _unique(base: str, taken: set[str]) -> str:
    mid, n = base, 2
    while mid in taken:
        suffix = f"-{n}"
        mid, n = base[: 63 - len(suffix)].rstrip("-") + suffix, n + 1
    taken.add(mid)
    return mid


# --- editing the text -------------------------------------------------------------------------


def _block(mid: str, record: Record) -> list[str]:
    """A new milestone's lines, relative to its `- ` (first line after it)."""
    lines = [f"id: {yaml_scalar(mid)}", f"title: {yaml_scalar(record.title)}"]
    if record.phase:
        lines.append(f"phase: {yaml_scalar(record.phase)}")
    if record.owner:
        lines.append(f"owner: {yaml_scalar(record.owner)}")
    lines.append(f"due: {record.due.isoformat()}")
    if record.delivered:
        lines.append(f"delivered: {record.delivered.isoformat()}")
    if record.invoice is not None:
        lines.append(f"invoice: {format(record.invoice, 'f')}")
    if record.ref:
        lines += ["internal:", f"  source: {yaml_scalar(record.ref)}"]
    return lines


def _updates(text: str, found: _Existing, record: Record, nl: str) -> list[tuple[int, int, str]]:
    edits = []
    title, due = _value(found.node, "title"), _value(found.node, "due")
    if title.value != record.title:
        edits.append(_replace_scalar(text, title, yaml_scalar(record.title)))
    if due.value != record.due.isoformat():
        edits.append(_replace_scalar(text, due, record.due.isoformat()))
    if record.ref and found.ref is None:
        edit = _add_source(text, found.node, record.ref, nl)
        if edit:
            edits.append(edit)
    return edits


def _replace_scalar(text: str, node: yaml.Node, new: str) -> tuple[int, int, str]:
    end = node.end_mark.index
    if node.style in ("|", ">"):  # a block scalar ends after its line break(s): keep them
        end = _content_end(text, end)
    return node.start_mark.index, end, new


def _add_source(text: str, item: yaml.MappingNode, ref: str, nl: str):
    internal = _value(item, "internal")
    line = f"source: {yaml_scalar(ref)}"
    if internal is None:
        indent = " " * item.start_mark.column
        end = line_end(text, _content_end(text, last_index(item)))
        return end, end, nl + indent + "internal:" + nl + indent + "  " + line
    if isinstance(internal, yaml.MappingNode) and not internal.flow_style and internal.value:
        indent = " " * internal.start_mark.column
        end = line_end(text, _content_end(text, last_index(internal)))
        return end, end, nl + indent + line
    if isinstance(internal, yaml.MappingNode) and internal.flow_style and not internal.value:
        return (
            internal.start_mark.index,
            internal.end_mark.index,
            "{source: " + json.dumps(ref, ensure_ascii=False) + "}",
        )
    return None  # a scalar or a non-empty flow mapping: left alone (matching by id still works)


def _append(text: str, sequence: yaml.SequenceNode, blocks: list[list[str]], nl: str):
    first, last = sequence.value[0], sequence.value[-1]
    dash, column = item_columns(text, first, "a milestone")
    gap = ""
    if len(sequence.value) > 1:
        between = text[_content_end(text, last_index(first)) : sequence.value[1].start_mark.index]
        gap = nl if re.search(r"\n[ \t]*\r?\n", between) else ""
    out = []
    for head, *rest in blocks:
        lines = [
            " " * dash + "-" + " " * (column - dash - 1) + head,
            *(" " * column + x for x in rest),
        ]
        out.append(gap + nl + nl.join(lines))
    end = line_end(text, _content_end(text, last_index(last)))
    return end, end, "".join(out)


def _content_end(text: str, index: int) -> int:
    """`index` moved back over trailing white space and line breaks."""
    return len(text[:index].rstrip())


def _verify(
    text: str, expected: dict[str, tuple[str, dt.date]], path: Path = Path("plan.yml")
) -> None:
    """Parse the result like the loader; every imported milestone must read back as meant."""
    diags = Diagnostics()
    fields = read_record(path, schema.PLAN, diags, text)
    problems = [d.message for d in diags.errors]
    if fields is not None and not problems:
        got = {m.get("id"): (m.get("title"), m.get("due")) for m in fields.get("milestones")}
        if len(got) != len(fields.get("milestones")):
            problems.append("a milestone id would be used twice")
        problems += [
            f"milestone `{mid}` did not read back as imported"
            for mid, want in expected.items()
            if got.get(mid) != want
        ]
    if problems:
        raise SiteBuilderError(
            f"{path}: cannot import by editing the file "
            f"({'; '.join(problems[:3])}); nothing was changed"
        )
