"""The file-format reference of the docs site, generated from the declarations in plans/schema/.

One Markdown page per file kind (client.yml, plan.yml, approval notes, site-builder.yml): a
table of every field (name, type, required, description, example) for the file and for each
mapping nested in it. The pages are committed under docs/reference/ so they read on any git
host; a test checks they match the declarations. Regenerate them from a source checkout with

    python -m site_builder.authoring.docs_reference
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from ..plans import schema

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs" / "reference"

# kind -> (record, page file, page title)
PAGES: dict[str, tuple[schema.Record, str, str]] = {
    "client": (schema.CLIENT, "client-yml.md", "client.yml"),
    "plan": (schema.PLAN, "plan-yml.md", "plan.yml"),
    "approval": (schema.APPROVAL, "approval.md", "Approval notes"),
    "agency": (schema.AGENCY, "agency-yml.md", "site-builder.yml"),
}
GENERATED = (
    "<!-- Generated from site_builder/plans/schema/ by `python -m site_builder.authoring.docs_reference`;"
    " do not edit. -->"
)


def anchor(record: schema.Record) -> str:
    """The heading id of a nested record's section."""
    return "".join(c if c.isalnum() else "-" for c in record.title.lower())


def type_name(kind: schema.Type) -> str:
    """A field type in words, with links to the sections of nested mappings."""
    if isinstance(kind, schema.Record):
        return f"mapping: [{kind.title}](#{anchor(kind)})"
    if isinstance(kind, schema.ListOf):
        words = f"list of {type_name(kind.item)}"
        if kind.min_items:
            words += f" (at least {kind.min_items})"
        return words + (f", or one {type_name(kind.item)}" if kind.allow_scalar else "")
    if isinstance(kind, schema.OneOf):
        return f"{type_name(kind.scalar)}, or {type_name(kind.mapping)}"
    if isinstance(kind, schema.Enum):
        return "one of " + ", ".join(f"`{value}`" for value in kind.values)
    if isinstance(kind, schema.Str):
        return f"text (at most {kind.max_len:,} characters)"
    if isinstance(kind, schema.Pattern):
        return f"text that {kind.explain}"
    simple = {
        schema.Slug: "slug (`a-z`, `0-9`, `-`)",
        schema.Date: "date (YYYY-MM-DD)",
        schema.Bool: "`true` or `false`",
        schema.Amount: "amount (a number, 0 or more)",
        schema.Email: "e-mail address",
        schema.Person: "`Name <email>`",
        schema.SshKey: "OpenSSH public key line",
        schema.PasswordHash: "htpasswd hash",
        schema.Currency: "ISO 4217 currency code",
        schema.Color: "Material palette colour",
        schema.Anything: "anything (any YAML)",
    }
    if type(kind) not in simple:
        raise TypeError(f"no words for field type {type(kind).__name__}: add it to type_name()")
    return simple[type(kind)]


def nested(kind: schema.Type) -> Iterator[schema.Record]:
    """The records a field type holds directly (in a list, or as the mapping of a OneOf)."""
    if isinstance(kind, schema.Record):
        yield kind
    elif isinstance(kind, schema.ListOf):
        yield from nested(kind.item)
    elif isinstance(kind, schema.OneOf):
        yield from nested(kind.mapping)


def sections(record: schema.Record, path: str = "") -> Iterator[tuple[str, schema.Record]]:
    """(path, record) for `record` and every record nested in it, depth first, each once."""
    seen: set[int] = set()

    def walk(rec: schema.Record, where: str):
        if id(rec) in seen:
            return
        seen.add(id(rec))
        yield where, rec
        for f in rec.fields:
            suffix = "[]" if isinstance(f.type, schema.ListOf) else ""
            for inner in nested(f.type):
                yield from walk(
                    inner, f"{where}.{f.name}{suffix}" if where else f"{f.name}{suffix}"
                )

    yield from walk(record, path)


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def prose(text: str) -> str:
    """Declaration text as Markdown: `<` and `>` outside code spans are text, not HTML."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts lie outside code spans
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        # A pointer to a docs page becomes a link (these pages live in docs/reference/).
        parts[i] = re.sub(r"\bdocs/([\w/-]+\.md)", r"[\1](../\1)", parts[i])
    return "`".join(parts)


def example(value) -> str:
    if value is None:
        return ""
    text = yaml.safe_dump(
        value, default_flow_style=True, width=math.inf, allow_unicode=True, sort_keys=False
    ).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    return f"`{cell(text)}`"


def table(record: schema.Record) -> list[str]:
    rows = [
        "| field | type | required | description | example |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in record.fields:
        rows.append(
            f"| `{f.name}` | {cell(type_name(f.type))} | {'yes' if f.required else ''} "
            f"| {cell(prose(f.doc))} | {example(f.example)} |"
        )
    if record.forbidden:
        refused = ", ".join(f"`{key}`" for key in record.forbidden)
        rows += ["", f"Never accepted here: {refused} (passwords never go into the repository)."]
    return rows


def render(kind: str) -> str:
    """The Markdown page of one file kind."""
    record, _, title = PAGES[kind]
    lines = [
        GENERATED,
        "",
        f"# {title}",
        "",
        prose(record.doc),
        "",
        f"Editors get the same information from `schemas/{kind}.schema.json` "
        f"(`site-builder schema {kind}`). `site-builder check` makes the checks that need "
        "other files or outside data.",
        "",
    ]
    for path, rec in sections(record):
        if rec is not record:
            lines += [f"## `{path}`: {rec.title} {{#{anchor(rec)}}}", "", prose(rec.doc), ""]
        lines += [*table(rec), ""]
    return "\n".join(lines).rstrip() + "\n"


def write(folder: Path = DOCS_DIR) -> list[Path]:
    """Write every reference page into `folder`; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, (_, file_name, _) in PAGES.items():
        path = folder / file_name
        path.write_bytes(render(kind).encode("utf-8"))
        written.append(path)
    return written


def main() -> None:
    for path in write():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
