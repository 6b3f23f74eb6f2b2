"""The starting files of `site-builder new`: the client.yml it writes, and the plan templates
(the typical checkpoints of one kind of engagement: agency, SaaS implementation, construction),
with deliverables, acceptance criteria, owners as role placeholders and due dates in weeks from
the start date. Filling them in and writing them is scaffold.py's part."""

from __future__ import annotations

from dataclasses import dataclass


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


# A str.format template: {schema}, {name} (a YAML scalar), {comment_name} (one line).
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
