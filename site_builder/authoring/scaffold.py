"""`site-builder new`: starting client.yml and plan.yml files for project managers.

A new plan comes from a template of the typical checkpoints of one kind of engagement (agency,
SaaS implementation, construction), with deliverables and acceptance criteria, owners as role
placeholders and due dates spaced from a start date. Files are never overwritten. Each file's
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


@dataclass(frozen=True)
class Step:
    """One milestone of a template; due `weeks` after the start date."""

    id: str
    title: str
    phase: str
    owner: str
    weeks: int
    deliverables: tuple[str, ...]
    acceptance: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    description: str
    steps: tuple[Step, ...]


TEMPLATES: dict[str, Template] = {
    "agency": Template(
        "a creative agency engagement (brand, campaign or website)",
        (
            Step(
                "kickoff",
                "Kickoff complete",
                "Kickoff",
                "Account lead",
                1,
                ("Project brief", "Schedule and contact list"),
                (
                    "Client confirms goals, scope and budget in the brief",
                    "Decision makers and the sign-off process are agreed",
                ),
            ),
            Step(
                "discovery",
                "Discovery readout approved",
                "Discovery",
                "Strategy lead",
                3,
                ("Stakeholder interview summary", "Competitor audit", "Discovery readout"),
                (
                    "Client confirms the audiences and the positioning",
                    "Success measures are agreed",
                ),
            ),
            Step(
                "concept",
                "Creative concept approved",
                "Concept",
                "Creative director",
                6,
                ("Concept presentation with two or three routes",),
                (
                    "Client selects one route to develop",
                    "Feedback is consolidated into one round of changes",
                ),
            ),
            Step(
                "design",
                "Design signed off",
                "Design",
                "Design lead",
                10,
                ("Key designs for every agreed format", "Design system or style guide"),
                (
                    "Designs cover every item in the brief",
                    "Client confirms copy, imagery and accessibility checks",
                ),
            ),
            Step(
                "final-assets",
                "Final assets delivered",
                "Production",
                "Production lead",
                13,
                ("Final files in the agreed formats", "Usage guidelines"),
                (
                    "Every file opens and matches the approved designs",
                    "Guidelines explain how to use the assets",
                ),
            ),
            Step(
                "launch",
                "Launch and handover complete",
                "Launch",
                "Account lead",
                15,
                ("Launch checklist", "Handover session and recording"),
                (
                    "Everything agreed is live or handed over",
                    "Client's team knows where the files are and whom to call",
                ),
            ),
        ),
    ),
    "saas": Template(
        "a software (SaaS) implementation",
        (
            Step(
                "kickoff",
                "Kickoff and project plan agreed",
                "Initiation",
                "Engagement manager",
                1,
                ("Project plan", "RACI and contact list", "Risk log"),
                (
                    "Client confirms scope, timeline and responsibilities",
                    "Client names a project owner and decision makers",
                ),
            ),
            Step(
                "solution-design",
                "Solution design signed off",
                "Design",
                "Solution architect",
                4,
                ("Solution design document", "Integration and data migration plan"),
                (
                    "Every in-scope process is mapped to the product",
                    "Gaps and workarounds are agreed in writing",
                ),
            ),
            Step(
                "configuration",
                "Configuration complete in the sandbox",
                "Build",
                "Implementation consultant",
                8,
                ("Configured sandbox", "Configuration workbook"),
                ("Client's key users have walked through every configured process",),
            ),
            Step(
                "data-migration",
                "Integrations and data migration tested",
                "Build",
                "Technical lead",
                11,
                ("Integration test report", "Data migration trial and reconciliation"),
                (
                    "Interfaces pass the agreed test cases",
                    "Migrated records reconcile with the source systems",
                ),
            ),
            Step(
                "uat",
                "User acceptance testing passed",
                "Test",
                "Client project owner",
                14,
                ("UAT scripts and results", "Defect log"),
                ("Every critical test case passes", "No open defects of severity 1 or 2"),
            ),
            Step(
                "training",
                "Users trained",
                "Deploy",
                "Training lead",
                16,
                ("Training sessions", "User guides"),
                ("Every user group has attended training", "Guides are available to all users"),
            ),
            Step(
                "go-live",
                "Go-live and hypercare complete",
                "Deploy",
                "Engagement manager",
                18,
                ("Cut-over plan", "Production go-live", "Hypercare report"),
                ("Client runs their daily work in production", "Hand-over to support is agreed"),
            ),
        ),
    ),
    "construction": Template(
        "a building project paid in progress stages",
        (
            Step(
                "deposit",
                "Contract signed and permits issued",
                "Pre-construction",
                "Customer liaison",
                2,
                ("Signed building contract", "Building permit", "Insurance certificate"),
                (
                    "Owners have a signed copy of the contract and the plans",
                    "Building permit issued before work starts",
                ),
            ),
            Step(
                "base",
                "Base stage: slab poured",
                "Base",
                "Site supervisor",
                8,
                ("Pre-pour inspection report", "Engineer's slab certificate"),
                (
                    "Building surveyor passes the pre-pour inspection",
                    "Slab set-out matches the site plan",
                ),
            ),
            Step(
                "frame",
                "Frame stage complete",
                "Frame",
                "Site supervisor",
                14,
                ("Frame inspection report", "Roof truss certificate"),
                (
                    "Building surveyor passes the frame inspection",
                    "Window openings match the window schedule",
                ),
            ),
            Step(
                "lock-up",
                "Lock-up stage: walls, roof, windows and doors fitted",
                "Lock-up",
                "Site supervisor",
                20,
                ("Lock-up inspection report", "Roof plumbing compliance certificate"),
                (
                    "External walls, roof, windows and doors complete and weathertight",
                    "No open major defects",
                ),
            ),
            Step(
                "fixing",
                "Fixing stage: linings, cabinetry and internal doors installed",
                "Fixing",
                "Site supervisor",
                27,
                ("Insulation inspection", "Cabinetry installed"),
                ("Insulation checked before plastering", "Cabinetry matches the selections"),
            ),
            Step(
                "practical-completion",
                "Practical completion",
                "Completion",
                "Site supervisor",
                34,
                (
                    "Occupancy permit",
                    "Final inspection and defects list",
                    "Compliance certificates",
                ),
                (
                    "Occupancy permit issued",
                    "Owners' walkthrough done and minor defects listed with fix dates",
                ),
            ),
            Step(
                "handover",
                "Handover: keys, warranties and home manual",
                "Handover",
                "Customer liaison",
                36,
                ("Keys and remotes", "Warranty certificates and manuals"),
                (
                    "Defects from the walkthrough fixed or scheduled",
                    "Owners have every key, remote and manual",
                ),
            ),
        ),
    ),
}


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


CLIENT_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# {comment_name}: one client, one status site.
# Every field: site-builder's docs/reference/client-yml.md.
name: {name}
language: en                       # site language (Material language code)
timezone: UTC                      # whose "today" decides what is overdue, e.g. Europe/Berlin
require_signed_approvals: false    # true: an approval counts only with a verified signature
# People who may sign approvals, each with the public key they sent you
# (site-builder's docs/managers/approvals.md):
signers: []
#  - name: Ada Client
#    email: ada@client.example
#    key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... (the contents of their .pub file)
# Who can read the site (docs/hosting/private-sites.md): public, link (anyone with its secret
# address), password (encrypted; the password in an environment variable) or host (a login).
access:
  mode: link
site:
  primary_color: indigo            # a Material palette colour
  # url: https://status.example.com/client/
  # logo: logo.svg                 # relative to this folder
internal: {{}}                       # notes for the team; never published
"""


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
