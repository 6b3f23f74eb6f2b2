"""The front matter of an approval note: the client's decision on a milestone."""

from __future__ import annotations

from .records import Field, ListOf, Record
from .values import (
    INTERNAL_DOC,
    PLAN_REVISION_RE,
    Anything,
    Date,
    Enum,
    Pattern,
    Person,
    Slug,
    Str,
)

# Docs and examples end up in the JSON Schemas editors use (schema_export.py) and the reference
# pages (docs_reference.py): write them for the project manager hovering over a key.

APPROVAL = Record(
    "approval front matter",
    [
        Field(
            "client",
            Slug(),
            "The client folder this note belongs to. With `project`, it binds "
            "a signed note to its place: a copy in another folder is an error and never counts. "
            "`site-builder approve` writes both.",
            example="fable",
        ),
        Field(
            "project",
            Slug(),
            "The project folder this note belongs to (see `client`).",
            example="brand-refresh",
        ),
        Field(
            "milestone",
            Slug(),
            "Id of the milestone decided on (an id in plan.yml).",
            True,
            "discovery",
        ),
        Field(
            "decision",
            Enum("approved", "changes-requested", "rejected"),
            "The client's decision. Default approved.",
            example="approved",
        ),
        Field("date", Date(), "Date of the decision, YYYY-MM-DD.", True, "2026-02-05"),
        Field(
            "by",
            Person(),
            "Who decided: name and email, `Name <email>`. For a signed note, "
            "the email of a signer in client.yml.",
            True,
            "Ada Client <ada@fable.example>",
        ),
        Field(
            "deliverables",
            ListOf(Str(500), allow_scalar=True),
            "What was reviewed.",
            example=["Research report", "Readout deck"],
        ),
        Field(
            "plan_revision",
            Pattern(PLAN_REVISION_RE, "must be a plan revision: 16 hex digits"),
            "The revision of the plan the client saw when deciding on the status page (16 hex "
            "digits, a hash of the published plan). `site-builder receive` refuses a note made "
            "for another revision.",
            example="3f9c2a71d04be815",
        ),
        Field("internal", Anything(), INTERNAL_DOC, example={"received_by": "email"}),
    ],
    doc="The YAML front matter of plans/<client>/<project>/approvals/<name>.md, between `---` "
    "lines; the Markdown after it is the client's note.",
    # `client` and `project` come together (that they match the folders: the loader).
    json_rules={
        "anyOf": [
            {"required": ["client", "project"]},
            {"not": {"anyOf": [{"required": ["client"]}, {"required": ["project"]}]}},
        ]
    },
)
