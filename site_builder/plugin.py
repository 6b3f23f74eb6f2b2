"""The `site-builder` MkDocs plugin, as registered (pyproject `mkdocs.plugins`).

The engine's plugin (engines/mkdocs/) with the build stage's preparation of a client, so
`mkdocs serve` and `site-builder serve` load, validate and render the plans exactly as a build
does. It lives here, above the build, because the engine itself must not import the build.
"""

from __future__ import annotations

from pathlib import Path

from .build import prepare_for_preview
from .engines.mkdocs import BundlePlugin
from .site.render import Preview


class SiteBuilderPlugin(BundlePlugin):
    """Replaces the (empty) docs folder with the generated pages of one client."""

    def prepare_preview(
        self, plans: Path, client: str, today: str | None, settings: Path | None
    ) -> Preview:
        return prepare_for_preview(plans, client, today, settings)
