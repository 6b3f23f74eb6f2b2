"""JSON Schemas (draft 2020-12) for editors, generated from the declarations in schema.py.

Four schemas: client.yml, plan.yml, the front matter of approval notes and the agency's
site-builder.yml. Editors with the
YAML language server (VS Code's YAML extension, JetBrains IDEs) use them to complete keys,
show each field's documentation and flag mistakes as you type; scaffolded files point at them
with a `# yaml-language-server: $schema=...` first line.

The copies shipped in the package (site_builder/authoring/schemas/) and committed at the repository root
(schemas/) are this module's output, byte for byte (a test checks it). Regenerate both from a
source checkout with `python -m site_builder schema --write`.

They declare draft 2020-12 but use only keywords that mean the same in draft-07, which is what
the YAML language server implements (a test checks both drafts decide alike).

The schemas accept what the loader accepts, as an editor sees the file (YAML 1.2: `2026-02-06`
is text, `2024` a number). Checks that need other files or outside data stay with the loader
(`site-builder check`): that deliverable files and the logo exist, that `depends_on` names an
earlier milestone, that ids and signer emails are unique, that an approval's milestone is in
plan.yml, and that the currency code and time zone exist.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..plans import schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# An identifier, not a download location: editors find the schemas by the relative path in
# each file's `# yaml-language-server: $schema=` line.
ID_BASE = "https://site-builder.example/schemas/"
PACKAGE_DIR = Path(__file__).parent / "schemas"

KINDS: dict[str, tuple[schema.Record, str]] = {
    "client": (schema.CLIENT, "site-builder client.yml"),
    "plan": (schema.PLAN, "site-builder plan.yml"),
    "approval": (schema.APPROVAL, "site-builder approval note front matter"),
    "agency": (schema.AGENCY, "site-builder agency settings (site-builder.yml)"),
}


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def build(kind: str) -> dict:
    """The JSON Schema of one file kind: `client`, `plan`, `approval` or `agency`."""
    record, title = KINDS[kind]
    body = record.json
    body.pop("title", None)
    return {"$schema": DIALECT, "$id": ID_BASE + file_name(kind), "title": title, **body}


def render(kind: str) -> str:
    """The schema as written to disk: stable key order, two-space indent, final newline."""
    return json.dumps(build(kind), indent=2, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[Path]:
    """Write every schema into `folder` (created if needed); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / file_name(kind)
        path.write_bytes(render(kind).encode("utf-8"))
        written.append(path)
    return written


def source_checkout_dir(cwd: Path | None = None) -> Path | None:
    """site_builder/authoring/schemas/ when run from the root of a source checkout, else None."""
    here = (cwd or Path.cwd()) / "site_builder" / "authoring" / "schemas"
    try:
        return PACKAGE_DIR if here.resolve() == PACKAGE_DIR.resolve() else None
    except OSError:
        return None
