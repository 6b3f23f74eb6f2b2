"""Everything MkDocs-specific: the plugin that injects generated pages, and site builds.

The rest of the tool (model, derive, render) never imports MkDocs; moving to another static
site engine means replacing this package only.

Two ways in:
* `build_site(bundle, ...)`: site-builder's own build. Loads the base mkdocs.yml with
  per-client overrides and hands the pre-rendered bundle to the plugin.
* `mkdocs serve` / `site-builder serve CLIENT`: the plugin loads and renders the client itself
  on every (re)build, so edits to the plans show up live.

base.py: the base config; layer.py: the agency's own mkdocs.yml laid over it; config.py: the
per-client overrides and protections; plugin.py: the plugin; build.py: building a site;
serve.py: the preview and its Host check.
"""

from __future__ import annotations

from .build import build_site
from .config import (
    PAGE_LISTING_FOLDERS,
    PAGE_LISTINGS,
    PLUGIN_NAME,
    THEME_FOLDER,
    supported_languages,
)
from .layer import layer_problems
from .plugin import BundlePlugin, PluginConfig, compact_html
from .preview import addressed_here, only_addressed_here, with_preview_banner
from .serve import serve

__all__ = [
    "PAGE_LISTINGS",
    "PAGE_LISTING_FOLDERS",
    "PLUGIN_NAME",
    "THEME_FOLDER",
    "BundlePlugin",
    "PluginConfig",
    "addressed_here",
    "build_site",
    "compact_html",
    "layer_problems",
    "only_addressed_here",
    "serve",
    "supported_languages",
    "with_preview_banner",
]
