"""`site-builder new`: starting client.yml and plan.yml files for project managers.

A new plan comes from a template of the typical checkpoints of one kind of engagement (the
templates and the client.yml text: scaffold_templates.py), with due dates spaced from a start
date and weekends moved to the Monday after. Files are never overwritten. Each file's
first line points the editor at its JSON Schema (schemas/ at the repository root, written there
if it is missing), so keys are completed and checked as you type.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Diagnostics, UsageError
from ..plans import schema, yamlsafe
from ..plans.schema import SLUG_RE, Ctx
from . import schema_export
from .scaffold_templates import CLIENT_TEMPLATE, TEMPLATES


@dataclass(frozen=True)
class Written:
    path: Path
    schemas: tuple[Path, ...] = ()  # schema files written because the repository had none
    milestones: int = 0
    first_due: dt.date | None = None
    last_due: dt.date | None = None


# --- new client -------------------------------------------------------------------------------


def new_client(plans: Path, slug: str, name: str) -> Written:
    """Write plans/<slug>/client.yml; refuse if it exists."""
    _check_slug(slug, "client")
    if not name.strip():
        raise UsageError("--name must not be empty: it is the title of the client's site")
    path = Path(plans) / slug / "client.yml"
    _refuse_existing(path)
    location = _SchemaLocation(Path(plans), path, "client")
    text = CLIENT_TEMPLATE.format(
        schema=location.reference, name=yaml_scalar(name), comment_name=_one_line(name)
    )
    _check_text(path, text, schema.CLIENT, "--name")
    schemas = location.ensure()
    _create(path, text)
    return Written(path, schemas)


# --- new project ------------------------------------------------------------------------------


def new_project(
    plans: Path,
    target: str,
    template: str,
    title: str | None = None,
    start: dt.date | None = None,
    currency: str = "USD",
) -> Written:
    """Write plans/<client>/<project>/plan.yml from a template; refuse if it exists."""
    client, project = split_target(plans, target)
    if template not in TEMPLATES:
        raise UsageError(
            f"unknown template `{template}`{schema.did_you_mean(template, TEMPLATES)}"
            f"; templates: {', '.join(TEMPLATES)}"
        )
    path = Path(plans) / client / project / "plan.yml"
    _refuse_existing(path)
    start = start or dt.date.today()
    steps = TEMPLATES[template].steps
    dues = [_weekday(start + dt.timedelta(weeks=step.weeks)) for step in steps]
    location = _SchemaLocation(Path(plans), path, "plan")
    title = title if title is not None else project.replace("-", " ").capitalize()
    lines = [
        f"# yaml-language-server: $schema={location.reference}",
        f"# {_one_line(title)}: {TEMPLATES[template].description}, from the `{template}` template.",
        "# Next: put names in place of the owner roles, adjust titles and dates, add an",
        "# `invoice:` amount to each milestone whose approval releases a payment, then run",
        "# `site-builder check`. Every field: site-builder's docs/reference/plan-yml.md.",
        f"title: {yaml_scalar(title)}",
        "# summary: |",
        "#   Markdown shown at the top of the project page.",
        f"currency: {yaml_scalar(currency):<26} # ISO 4217 code of invoice amounts",
        "milestones:",
    ]
    for index, (step, due) in enumerate(zip(steps, dues)):
        if index:
            lines.append("")
        lines += [
            f"  - id: {step.id}",
            f"    title: {yaml_scalar(step.title)}",
            f"    phase: {yaml_scalar(step.phase)}",
            f"    owner: {yaml_scalar(step.owner)}",
            f"    due: {due.isoformat()}",
        ]
        if index:
            lines.append(f"    depends_on: [{steps[index - 1].id}]")
        lines.append("    deliverables:")
        lines += [f"      - {yaml_scalar(d)}" for d in step.deliverables]
        lines.append("    acceptance:")
        lines += [f"      - {yaml_scalar(a)}" for a in step.acceptance]
        if not index:
            lines.append(
                "    # invoice: 5000               # optional: released when the client approves"
            )
    text = "\n".join(lines) + "\n"
    _check_text(path, text, schema.PLAN, "--title/--currency")
    schemas = location.ensure()
    _create(path, text)
    return Written(path, schemas, len(steps), dues[0], dues[-1])


def split_target(plans: Path, target: str) -> tuple[str, str]:
    """`CLIENT/PROJECT` -> (client, project); the client must exist."""
    parts = target.strip("/").split("/")
    if len(parts) != 2:
        raise UsageError(f"expected CLIENT/PROJECT (e.g. acme/website-relaunch), not `{target}`")
    client, project = parts
    _check_slug(client, "client")
    _check_slug(project, "project")
    if not (Path(plans) / client / "client.yml").is_file():
        known = existing_clients(plans)
        raise UsageError(
            f"client `{client}` not found in {plans}/"
            f"{schema.did_you_mean(client, known)}; clients: "
            f"{', '.join(known) or 'none'} (create one with `site-builder new "
            f"client {client} --name ...`)"
        )
    return client, project


def existing_clients(plans: Path) -> list[str]:
    plans = Path(plans)
    if not plans.is_dir():
        return []
    return sorted(p.name for p in plans.iterdir() if (p / "client.yml").is_file())


# --- helpers ----------------------------------------------------------------------------------


def _check_slug(value: str, what: str) -> None:
    if not SLUG_RE.match(value):
        raise UsageError(
            f"{what} `{value}` is not a slug: use lower-case letters, digits and "
            f"'-', starting with a letter or digit (e.g. "
            f"{_suggest_slug(value) or 'website-relaunch'})"
        )


def _suggest_slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:63]


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise UsageError(
            f"{_shown(path)} already exists; not overwriting it (edit it, or choose another name)"
        )


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{_shown(path)} already exists; not overwriting it") from None


def _check_text(path: Path, text: str, record: schema.Record, options: str) -> None:
    """Validate generated YAML as the loader will, before anything is written."""
    diags = Diagnostics()
    node = yamlsafe.parse(text)
    if isinstance(node, yamlsafe.YamlProblem):
        raise UsageError(f"{options}: cannot write valid YAML ({node.message})")
    record.convert(node, Ctx(path, diags))
    if diags.errors:
        raise UsageError(f"{options}: " + "; ".join(d.message for d in diags.errors))


def _weekday(day: dt.date) -> dt.date:
    """Saturdays and Sundays move to the Monday after."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def yaml_scalar(value: str) -> str:
    """A YAML scalar for `value`: plain when it reads back as the same text, else quoted."""
    if "\n" not in value and value == value.strip() and value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value} and not value.startswith(("'", '"')):
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class _SchemaLocation:
    """Where a new file's schema lives: <repo>/schemas/<kind>.schema.json, the repository being
    the git work tree that holds the plans folder, else the plans folder's parent."""

    def __init__(self, plans: Path, target: Path, kind: str):
        plans = plans.resolve()
        root = next((p for p in (plans, *plans.parents) if (p / ".git").exists()), plans.parent)
        self.folder = root / "schemas"
        self.file = self.folder / schema_export.file_name(kind)
        self.reference = Path(os.path.relpath(self.file, target.parent.resolve())).as_posix()

    def ensure(self) -> tuple[Path, ...]:
        """Write the schemas if the repository has none yet; the files written."""
        if self.file.is_file():
            return ()
        return tuple(schema_export.write(self.folder))
