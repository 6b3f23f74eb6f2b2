"""plan.yml: a project's milestones, in order, with their deliverables."""

from __future__ import annotations

from .records import Field, ListOf, OneOf, Record
from .values import (
    INTERNAL_DOC,
    Amount,
    Anything,
    Currency,
    Date,
    Slug,
    Str,
)

# Docs and examples end up in the JSON Schemas editors use (schema_export.py) and the reference
# pages (docs_reference.py): write them for the project manager hovering over a key.

DELIVERABLE = Record(
    "Deliverable",
    [
        Field("title", Str(500), "What is handed over.", True, "Readout deck"),
        Field(
            "file",
            Str(500),
            "A file under the project's documents/ folder, linked from the "
            "site and published with it.",
            example="documents/readout.pdf",
            json_extra={"type": "string", "pattern": r"^(\.[/\\])*documents[/\\]"},
        ),
    ],
    doc="A deliverable with a file the client can download.",
)

MILESTONE = Record(
    "Milestone",
    [
        Field(
            "id",
            Slug(),
            "Identifier, unique in the project (lower-case letters, digits and "
            "'-'); approvals name it.",
            True,
            "discovery",
        ),
        Field(
            "title",
            Str(300),
            "What has been reached when this checkpoint passes.",
            True,
            "Discovery readout approved",
        ),
        Field("phase", Str(200), "Optional phase the milestone closes.", example="Discovery"),
        Field("owner", Str(200), "Who is responsible for reaching it.", example="Sam Lee"),
        Field("due", Date(), "Target date, YYYY-MM-DD.", True, "2026-02-06"),
        Field(
            "delivered",
            Date(),
            "When the deliverables were handed over, YYYY-MM-DD; the "
            "milestone then awaits the client's approval.",
            example="2026-02-04",
        ),
        Field(
            "approve_by",
            Date(),
            "The date by which the client is asked to decide on the "
            'delivered milestone, YYYY-MM-DD; shown in the page\'s "your next step". Without '
            "it: the due date, or 5 working days after delivery when that is later.",
            example="2026-02-11",
        ),
        Field(
            "depends_on",
            ListOf(Slug(), allow_scalar=True),
            "Ids of earlier milestones in this plan that must pass first.",
            example=["kickoff"],
        ),
        Field(
            "deliverables",
            ListOf(OneOf(Str(500), DELIVERABLE)),
            "What is handed over: text, or {title, file} with a file under documents/.",
            example=["Research report", {"title": "Readout deck", "file": "documents/readout.pdf"}],
        ),
        Field(
            "acceptance",
            ListOf(Str(1000)),
            "Criteria the client checks before approving.",
            example=["Client confirms the three audience personas"],
        ),
        Field(
            "invoice",
            Amount(),
            "Amount invoiced when the client approves (in the plan's currency).",
            example=8000,
        ),
        Field(
            "internal",
            Anything(),
            INTERNAL_DOC,
            example={"risk": "Depends on the client's legal review"},
        ),
    ],
    doc="A checkpoint: zero duration, an owner, a due date, deliverables and acceptance "
    "criteria, often an invoice released on approval.",
)

PLAN = Record(
    "plan.yml",
    [
        Field("title", Str(300), "The project's name.", True, "Brand refresh"),
        Field(
            "summary",
            Str(20_000),
            "Markdown shown at the top of the project page.",
            example="Brand refresh ahead of the **2027 slate** announcement.",
        ),
        Field(
            "currency", Currency(), "ISO 4217 code of invoice amounts. Default USD.", example="EUR"
        ),
        Field(
            "milestones",
            ListOf(MILESTONE, min_items=1),
            "Ordered checkpoints of the project (at least one; more than 10 is a warning).",
            True,
            json_extra={
                "examples": [
                    [
                        {
                            "id": "discovery",
                            "title": "Discovery readout approved",
                            "due": "2026-02-06",
                        }
                    ]
                ]
            },
        ),
        Field("internal", Anything(), INTERNAL_DOC, example={"budget_owner": "Sam Lee"}),
    ],
    doc="plans/<client>/<project>/plan.yml: a project's milestones, in order.",
)
