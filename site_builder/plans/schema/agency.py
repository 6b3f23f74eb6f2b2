"""site-builder.yml: the agency's settings, laid over site-builder's base configuration."""

from __future__ import annotations

from .records import Field, ListOf, Record
from .values import (
    Color,
    Person,
    Str,
)

# Docs and examples end up in the JSON Schemas editors use (schema_export.py) and the reference
# pages (docs_reference.py): write them for the project manager hovering over a key.

AGENCY_COLORS = Record(
    "Agency colours",
    [
        Field(
            "primary",
            Color(),
            "Material palette colour for the header of every client's site "
            "(a client's `site.primary_color` wins).",
            example="indigo",
        ),
        Field(
            "accent",
            Color(),
            "Material palette colour for links and highlights (a client's "
            "`site.accent_color` wins).",
            example="indigo",
        ),
    ],
    doc="The default palette of every client's site.",
)

AGENCY = Record(
    "site-builder.yml",
    [
        Field(
            "name",
            Str(200),
            "The agency's name: the author of every site, and the footer "
            "`Status page by NAME` unless `footer` says otherwise.",
            example="Northstar Delivery Co.",
        ),
        Field(
            "colors",
            AGENCY_COLORS,
            "Default colours of every client's site.",
            example={"primary": "indigo", "accent": "indigo"},
        ),
        Field(
            "logo",
            Str(300),
            "Default header logo, relative to this file (svg, png, jpg, webp, "
            "gif; at most 2 MB; SVG without scripts or links). A client's `site.logo` wins.",
            example="branding/logo.svg",
            json_extra={"type": "string"},
        ),
        Field(
            "footer",
            Str(500),
            "Footer text of every page (plain text). Default: `Status page "
            "by NAME`, or nothing without a name.",
            example="Status page by Northstar Delivery Co.",
        ),
        Field(
            "copyright",
            Str(500),
            "Copyright line under the footer text (plain text).",
            example="© 2026 Northstar Delivery Co.",
        ),
        Field(
            "email_from",
            Person(),
            "The From of the e-mail digests `site-builder events --email` sends "
            "(SITE_BUILDER_SMTP_FROM, when set, wins). Default: the --email-team address.",
            example="Northstar status <status@northstar.example>",
        ),
        Field(
            "languages",
            ListOf(Str(20), min_items=1),
            "The site languages the agency supports: "
            "`check` refuses a client.yml `language` not in this list. Default: any language "
            "Material for MkDocs has.",
            example=["en", "de"],
            json_extra={
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"},
            },
        ),
        Field(
            "extra_css",
            ListOf(Str(300)),
            "Stylesheets for every client's site, relative to "
            "this file (no @import, no remote url(): the same rules as a client's `site.css`, "
            "which comes after them).",
            example=["branding/agency.css"],
            json_extra={"type": "array", "items": {"type": "string"}},
        ),
    ],
    doc="site-builder.yml, beside the plans folder: the agency's settings, laid over "
    "site-builder's base configuration; each client.yml is laid over them.",
)
