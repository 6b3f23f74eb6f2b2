"""Building one client's site with MkDocs: its log captured, a fixed SOURCE_DATE_EPOCH, theme
files and templates reused between the builds of one run."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


_BYTECODE = template_cache.CACHE
_THEME_LISTINGS: dict[tuple, list[tuple[str, str]]] = {}
_THEME_DIRS: set[str] = set()


def _cached_theme_files(original):
    """Files.add_files_from_theme, listing Material's ~14,500 theme files once per process."""

    def add_files_from_theme(files: Files, env, config) -> None:
        key = (tuple(config.theme.dirs), tuple(config.theme.static_templates))
        if key not in _THEME_LISTINGS:
            probe = Files([])
            original(probe, env, config)
            _THEME_LISTINGS[key] = [(f.src_uri, f.src_dir) for f in probe]
            _THEME_DIRS.update(config.theme.dirs)
        for src_uri, src_dir in _THEME_LISTINGS[key]:
            if files.get_file_from_path(src_uri) is None:
                files.append(File(src_uri, src_dir, config.site_dir, config.use_directory_urls))

    return add_files_from_theme


@contextlib.contextmanager
def _reuse_between_builds(store: AssetStore | None) -> Iterator[None]:
    """Within this process, reuse compiled templates and the theme file listing; link theme
    files from the asset store instead of copying them."""
    from mkdocs.theme import Theme

    original_env, original_files = Theme.get_env, Files.add_files_from_theme
    original_copy = File.copy_file

    def copy_file(file: File, dirty: bool = False) -> None:
        if (
            store is not None
            and file.src_dir is not None
            and file.abs_src_path
            and file.src_dir in _THEME_DIRS
        ):
            store.link(file.abs_src_path, file.abs_dest_path)
        else:
            original_copy(file, dirty)

    def get_env(theme):
        env = original_env(theme)
        env.bytecode_cache = _BYTECODE
        return env

    Theme.get_env = get_env
    Files.add_files_from_theme = _cached_theme_files(original_files)
    File.copy_file = copy_file
    try:
        yield
    finally:
        Theme.get_env, Files.add_files_from_theme = original_env, original_files
        File.copy_file = original_copy


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
        _reuse_between_builds(store),
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
            plugin.bundle = bundle
            mkdocs_build(config)
        except (MkDocsException, OSError) as exc:
            details = "; ".join(r.getMessage() for r in records if r.levelno >= logging.ERROR)
            raise BuildError(
                f"{bundle.slug}: MkDocs failed: {exc}" + (f" ({details})" if details else "")
            ) from None
    return [r.getMessage() for r in records]
