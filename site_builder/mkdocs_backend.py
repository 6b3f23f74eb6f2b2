"""Everything MkDocs-specific: the plugin that injects generated pages, and site builds.

The rest of the tool (model, derive, render) never imports MkDocs; moving to another static
site engine means replacing this module only.

Two ways in:
* `build_site(bundle, ...)`: site-builder's own build. Loads the base mkdocs.yml with
  per-client overrides and hands the pre-rendered bundle to the plugin.
* `mkdocs serve` / `site-builder serve CLIENT`: the plugin loads and renders the client itself
  on every (re)build, so edits to the plans show up live.
"""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

from mkdocs import plugins
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import config_options as opt
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils import yaml_load

from .errors import BuildError
from .render import SiteBundle

PLUGIN_NAME = "site-builder"
log = logging.getLogger("mkdocs.plugins.site_builder")


class PluginConfig(Config):
    plans = opt.Type(str, default="plans")
    """The plans folder (used by `mkdocs serve`; site-builder passes a prepared bundle)."""
    client = opt.Type(str, default="")
    """Slug of the client whose site this is."""
    today = opt.Type(str, default="")
    """Fixed date (YYYY-MM-DD) for statuses; empty means today in the client's time zone."""


class SiteBuilderPlugin(plugins.BasePlugin[PluginConfig]):
    """Replaces the (empty) docs folder with the generated pages of one client."""

    def __init__(self) -> None:
        super().__init__()
        self.bundle: SiteBundle | None = None
        self.watch: list[Path] = []

    @plugins.event_priority(100)
    def on_config(self, config):
        if self.bundle is None:  # mkdocs serve: load the client's plans ourselves
            from . import build  # late import: build imports this module

            if not self.config.client:
                raise PluginError("site-builder: no client; set SITE_BUILDER_CLIENT or the "
                                  "plugin's `client` option")
            try:
                self.bundle, self.watch = build.prepare_for_preview(
                    Path(self.config.plans), self.config.client, self.config.today or None)
            except build.PlanError as exc:
                raise PluginError("\n".join(d.format() for d in exc.diagnostics)) from None
        config.nav = [{page.title: page.path} for page in self.bundle.pages]
        config.use_directory_urls = False
        return config

    def on_files(self, files: Files, config) -> Files:
        assert self.bundle is not None
        kept = [f for f in files if not f.src_uri.endswith(".map")]  # theme source maps
        for page in self.bundle.pages:
            kept.append(File.generated(config, page.path, content=page.markdown))
        for item in self.bundle.files:
            if item.content is not None:
                kept.append(File.generated(config, item.path, content=item.content))
            else:
                kept.append(File.generated(config, item.path, abs_src_path=str(item.source)))
        return Files(kept)

    def on_serve(self, server, config, builder):
        for path in self.watch:
            server.watch(str(path))
        return server


def supported_languages() -> set[str]:
    """Language codes Material for MkDocs has UI translations for."""
    import material

    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    return {p.stem for p in folder.glob("*.html") if p.stem != "custom"}


def _overrides(bundle: SiteBundle, base_config: Path, plans: Path | None = None,
               today: str | None = None) -> dict[str, Any]:
    """Per-client settings laid over the base mkdocs.yml."""
    with open(base_config, "rb") as f:
        raw = yaml_load(f) or {}
    theme = raw.get("theme") or {}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["language"] = bundle.language
    if bundle.primary_color:
        palette = theme.get("palette") or {}
        if isinstance(palette, list):
            theme["palette"] = [{**p, "primary": bundle.primary_color} for p in palette]
        else:
            theme["palette"] = {**palette, "primary": bundle.primary_color}
    if bundle.logo:
        theme["logo"] = bundle.logo
    plugin_list = []
    for item in raw.get("plugins") or ["search"]:
        name = item if isinstance(item, str) else next(iter(item))
        if name != PLUGIN_NAME:
            plugin_list.append(item)
    plugin_options = {"client": bundle.slug}
    if plans is not None:
        plugin_options["plans"] = str(plans)
    if today:
        plugin_options["today"] = today
    plugin_list.insert(0, {PLUGIN_NAME: plugin_options})
    return {
        "site_name": bundle.site_name,
        "site_url": bundle.site_url or None,
        "theme": theme,
        "plugins": plugin_list,
        "use_directory_urls": False,
        "repo_url": None,  # never link clients to the (private) plans repository
        "edit_uri": None,
    }


@contextlib.contextmanager
def _captured_mkdocs_log() -> Iterator[list[logging.LogRecord]]:
    """Collect MkDocs warnings/errors instead of letting them reach the terminal."""
    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("mkdocs")
    handler = _Collect(logging.WARNING)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@contextlib.contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """MkDocs stamps sitemaps with the build time unless SOURCE_DATE_EPOCH is set."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def build_site(bundle: SiteBundle, base_config: Path, site_dir: Path, epoch: int) -> list[str]:
    """Build one client's site into `site_dir` (created); returns MkDocs warnings."""
    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs, \
            _captured_mkdocs_log() as records, _source_date(epoch):
        try:
            config = load_config(
                config_file=str(base_config), docs_dir=empty_docs, site_dir=str(site_dir),
                **_overrides(bundle, base_config),
            )
            plugin = config.plugins[PLUGIN_NAME]
            plugin.bundle = bundle
            mkdocs_build(config)
        except (MkDocsException, OSError) as exc:
            details = "; ".join(r.getMessage() for r in records if r.levelno >= logging.ERROR)
            raise BuildError(f"{bundle.slug}: MkDocs failed: {exc}"
                             + (f" ({details})" if details else "")) from None
    return [r.getMessage() for r in records]


def serve(bundle: SiteBundle, base_config: Path, plans: Path, today: str | None,
          dev_addr: str | None = None) -> None:
    """Live preview of one client's site (rebuilds when its plans, theme or config change)."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs:
        overrides = _overrides(bundle, base_config, plans=plans.resolve(), today=today)
        if dev_addr:
            overrides["dev_addr"] = dev_addr
        mkdocs_serve(config_file=str(base_config), docs_dir=empty_docs, livereload=True,
                     watch_theme=True, **overrides)
