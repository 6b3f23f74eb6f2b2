"""Building one client's site with MkDocs: its log captured, a fixed SOURCE_DATE_EPOCH, the
theme's file listing reused between the builds of one run.

MkDocs is driven through its public API (load_config, commands.build.build) and the plugin's
documented events (plugin.py: pages and files in on_files, theme files linked from the asset
store by a File subclass). Two internals are still replaced, for speed, during a build only
(_reused_between_builds), because no event comes early enough:

* `Files.add_files_from_theme` (_cached_theme_files): MkDocs calls it before any plugin event,
  and it matches all ~14,500 files of Material's theme against a dozen patterns on every build;
  the replacement lists them once per process.
* `Theme.get_env`: every environment gets the in-memory compiled-template cache
  (site/template_cache.py). `on_env` would be the event for it, but Material's search plugin
  makes environments of its own in `on_config` (its translations), which then compile their
  templates for every client: measured, 20% more time per site.

If MkDocs changes either method, only this module is affected."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.structure.files import File, Files

from ...errors import BuildError
from ...plans.agency import AgencySettings
from ...site import template_cache
from ...site.render import SiteBundle
from ...store import AssetStore
from .config import PLUGIN_NAME, base_config_file, client_overrides
from .plugin import BundlePlugin


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


_THEME_LISTINGS: dict[tuple, list[tuple[str, str | None]]] = {}


def _cached_theme_files(original):
    """Files.add_files_from_theme, listing Material's ~14,500 theme files once per process."""

    def add_files_from_theme(files: Files, env, config) -> None:
        key = (tuple(config.theme.dirs), tuple(config.theme.static_templates))
        if key not in _THEME_LISTINGS:
            probe = Files([])
            original(probe, env, config)
            _THEME_LISTINGS[key] = [(f.src_uri, f.src_dir) for f in probe]
        for src_uri, src_dir in _THEME_LISTINGS[key]:
            if files.get_file_from_path(src_uri) is None:
                files.append(File(src_uri, src_dir, config.site_dir, config.use_directory_urls))

    return add_files_from_theme


@contextlib.contextmanager
def _reused_between_builds() -> Iterator[None]:
    """Within this process, list the theme's files once and share compiled templates (the two
    internal replacements the module docstring explains, hence the method-assigns)."""
    from mkdocs.theme import Theme

    original_files, original_env = Files.add_files_from_theme, Theme.get_env

    def get_env(theme: Theme) -> jinja2.Environment:
        env = original_env(theme)
        env.bytecode_cache = template_cache.CACHE
        return env

    Files.add_files_from_theme = _cached_theme_files(original_files)  # type: ignore[method-assign]
    Theme.get_env = get_env  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        Files.add_files_from_theme = original_files  # type: ignore[method-assign]
        Theme.get_env = original_env  # type: ignore[method-assign]


def build_site(
    bundle: SiteBundle,
    base_config: Path,
    site_dir: Path,
    epoch: int,
    store: AssetStore | None = None,
    agency: AgencySettings | None = None,
    layer: Path | None = None,
) -> list[str]:
    """Build one client's site into `site_dir` (created); returns MkDocs warnings.

    `agency`: the agency's settings; `layer`: the plans repository's own mkdocs.yml."""
    with (
        tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs,
        _captured_mkdocs_log() as records,
        _source_date(epoch),
        _reused_between_builds(),
    ):
        try:
            config = load_config(
                config_file=base_config_file(base_config),
                **{
                    **client_overrides(bundle, base_config, agency=agency, layer=layer),
                    "docs_dir": empty_docs,
                    "site_dir": str(site_dir),
                },
            )
            plugin = config.plugins[PLUGIN_NAME]
            assert isinstance(plugin, BundlePlugin)
            plugin.bundle, plugin.store = bundle, store
            mkdocs_build(config)
        except (MkDocsException, OSError) as exc:
            details = "; ".join(r.getMessage() for r in records if r.levelno >= logging.ERROR)
            raise BuildError(
                f"{bundle.slug}: MkDocs failed: {exc}" + (f" ({details})" if details else "")
            ) from None
    return [r.getMessage() for r in records]
