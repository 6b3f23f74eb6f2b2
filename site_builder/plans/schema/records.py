"""The declaration machinery, part 2: lists, alternatives, fields and records (mappings), each
validating YAML nodes and exporting its JSON Schema fragment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .values import INVALID, Type, describe, did_you_mean, is_null


class Seq(list):
    """A converted list that remembers the line of each item."""

    line: int = 0
    lines: list[int]


class ListOf(Type):
    def __init__(self, item: Type, min_items: int = 0, allow_scalar: bool = False):
        self.item, self.min_items, self.allow_scalar = item, min_items, allow_scalar
        array: dict[str, Any] = {"type": "array", "items": item.json}
        if min_items:
            array["minItems"] = min_items
        self.json = {"anyOf": [item.json, array]} if allow_scalar else array

    def convert(self, node, ctx, what):
        if isinstance(node, yaml.ScalarNode) and self.allow_scalar:
            nodes = [node]
        elif not isinstance(node, yaml.SequenceNode):
            ctx.error(node, f"`{what}` must be a list, not {describe(node)}")
            return INVALID
        else:
            nodes = node.value
        out = Seq()
        out.line, out.lines = ctx.line(node), []
        for i, item in enumerate(nodes):
            if is_null(item):  # `- ` alone would otherwise become the text "" or "~"
                ctx.error(item, f"`{what}[{i + 1}]` is empty: write a value or remove the `-` line")
                continue
            value = self.item.convert(item, ctx, f"{what}[{i + 1}]")
            if value is not INVALID:
                out.append(value)
                out.lines.append(ctx.line(item))
        if len(nodes) < self.min_items:
            ctx.error(node, f"`{what}` needs at least {self.min_items} item(s)")
            return INVALID
        return out


class OneOf(Type):
    """A scalar of one type or a mapping of another (e.g. a deliverable)."""

    def __init__(self, scalar: Type, mapping: Record):
        self.scalar, self.mapping = scalar, mapping
        self.json = {"oneOf": [scalar.json, mapping.json]}

    def convert(self, node, ctx, what):
        if isinstance(node, yaml.MappingNode):
            return self.mapping.convert(node, ctx, what)
        return self.scalar.convert(node, ctx, what)


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it is required, and what it means.

    `example` appears in the JSON Schema and, for a required field, in the message when it is
    missing. `json_extra` adds JSON Schema keywords for checks the loader makes elsewhere
    (e.g. the pattern of `language`); it never changes what the loader accepts.
    """

    name: str
    type: Type
    doc: str
    required: bool = False
    example: Any = None
    json_extra: dict | None = None
    missing_hint: str = ""  # appended to the message when a required field is missing

    @property
    def json(self) -> dict:
        """The JSON Schema of this key's value (null allowed when optional: empty = absent)."""
        fragment = {**self.type.json, **(self.json_extra or {})}
        if not self.required:
            fragment = _nullable(fragment)
        examples = fragment.pop("examples", None) or (
            [self.example] if self.example is not None else None
        )
        fragment.pop("description", None)  # a nested record's own doc: the field's says more
        return {"description": self.doc, **fragment, **({"examples": examples} if examples else {})}


def _nullable(fragment: dict) -> dict:
    """`fragment` or null (an empty value, which the loader treats as absent)."""
    if not fragment:
        return fragment  # anything, null included
    out = dict(fragment)
    for combinator in ("anyOf", "oneOf"):
        if combinator in out:
            out[combinator] = [*out[combinator], {"type": "null"}]
            return out
    types = out["type"] if isinstance(out["type"], list) else [out["type"]]
    out["type"] = [*types, "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


class Fields(dict):
    """A converted mapping: field name -> value, plus the line of the mapping and of each key."""

    line: int = 0
    lines: dict[str, int]

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def get(self, key, default=None):
        """The value of a field, or `default` when absent or invalid (already reported)."""
        value = super().get(key, default)
        return default if value is INVALID else value


@dataclass
class Record(Type):
    """A mapping with declared fields; unknown keys are errors with a did-you-mean hint."""

    title: str
    fields: list[Field] = field(default_factory=list)
    doc: str = ""
    # Keys that are always an error, with the message to give (e.g. `password:`). The JSON
    # Schema refuses them like any unknown key (additionalProperties: false).
    forbidden: dict[str, str] = field(default_factory=dict)
    # JSON Schema keywords for rules between fields that the loader checks (e.g. `key` or
    # `keys`); like Field.json_extra, it never changes what the loader accepts.
    json_rules: dict = field(default_factory=dict)

    # A record's JSON Schema is computed from its fields; the value types keep theirs as a
    # plain attribute (Type.json), which a property may override for reading only.
    @property
    def json(self):  # type: ignore[override]
        required = [f.name for f in self.fields if f.required]
        return {
            "title": self.title,
            **({"description": self.doc} if self.doc else {}),
            "type": "object",
            **({"required": required} if required else {}),
            "properties": {f.name: f.json for f in self.fields},
            "additionalProperties": False,
            **self.json_rules,
        }

    def convert(self, node, ctx, what=""):
        if not isinstance(node, yaml.MappingNode):
            ctx.error(
                node,
                f"{'`' + what + '` must be' if what else 'expected'} a mapping "
                f"of fields, not {describe(node)}",
            )
            return INVALID
        known = {f.name: f for f in self.fields}
        out = Fields()
        out.line, out.lines = ctx.line(node), {}
        for key_node, value_node in node.value:
            prefix = f"{what}." if what else ""
            if not isinstance(key_node, yaml.ScalarNode):
                ctx.error(key_node, f"field names must be text, not {describe(key_node)}")
                continue
            key = key_node.value
            if key not in known and key in self.forbidden:
                ctx.error(key_node, f"`{prefix}{key}`: {self.forbidden[key]}")
                continue
            if key not in known:
                ctx.error(
                    key_node,
                    f"unknown field `{prefix}{key}`"
                    + (did_you_mean(key, known) or "; expected one of " + ", ".join(known)),
                )
                continue
            if key in out.lines:
                ctx.error(
                    key_node, f"`{prefix}{key}` is given twice (first on line {out.lines[key]})"
                )
                continue
            out.lines[key] = ctx.line(key_node)
            if is_null(value_node):
                continue  # an empty value counts as absent
            value = known[key].type.convert(value_node, ctx, prefix + key)
            if value is not INVALID:
                out[key] = value
            else:
                out[key] = INVALID
        for f in self.fields:
            if f.required and f.name not in out.lines:
                ctx.error(
                    node,
                    f"missing required field `{(what + '.') if what else ''}{f.name}`"
                    + (f", e.g. `{f.name}: {f.example}`" if f.example is not None else "")
                    + (f": {f.missing_hint}" if f.missing_hint else ""),
                )
            elif f.required and f.name not in out:
                ctx.error(
                    None,
                    f"`{(what + '.') if what else ''}{f.name}` must not be empty",
                    line=out.lines[f.name],
                )
        return out
