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
import copy
import io
import logging
import os
import re
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
from mkdocs.structure.toc import get_toc
from mkdocs.utils import yaml_load

from .errors import BuildError
from .render import SiteBundle
from . import template_cache
from .store import AssetStore

PLUGIN_NAME = "site-builder"
# Plugins kept on password-protected sites: they write no file holding plan text.
_PROTECTED_PLUGINS: tuple[str, ...] = ()
log = logging.getLogger("mkdocs.plugins.site_builder")


class PluginConfig(Config):
    plans = opt.Type(str, default="plans")
    """The plans folder (used by `mkdocs serve`; site-builder passes a prepared bundle)."""
    client = opt.Type(str, default="")
    """Slug of the client whose site this is."""
    today = opt.Type(str, default="")
    """Fixed date (YYYY-MM-DD) for statuses; empty means today in the client's time zone."""


class _AsIs(File):
    """A file copied as it is. MkDocs would render a document named *.md as a page (and
    move it to *.html); a deliverable is published byte for byte under its own name."""

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False


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
            # Invalid plans give a page listing the problems, so the preview keeps running.
            self.bundle, self.watch = build.prepare_for_preview(
                Path(self.config.plans), self.config.client, self.config.today or None)
            _apply_branding(config, self.bundle)  # client.yml may have changed since start
        config.nav = [{page.title: page.path} for page in self.bundle.pages]
        config.use_directory_urls = False
        return config

    def on_files(self, files: Files, config) -> Files:
        assert self.bundle is not None
        kept = [f for f in files if not f.src_uri.endswith(".map")]  # theme source maps
        for page in self.bundle.pages:
            kept.append(File.generated(config, page.path, content=""))
        for item in self.bundle.files:  # published byte for byte, whatever their extension
            if item.content is not None:
                kept.append(_AsIs.generated(config, item.path, content=item.content))
            else:
                kept.append(_AsIs.generated(config, item.path, abs_src_path=str(item.source)))
        return Files(kept)

    def on_page_markdown(self, markdown, page, config, files):
        return ""  # our pages are finished HTML; nothing for Markdown to do

    def on_page_content(self, html, page, config, files):
        """Put the generated HTML and its table of contents in place."""
        generated = self._pages.get(page.file.src_uri)
        if generated is None:
            return html
        page.toc = get_toc([{"level": h.level, "id": h.id, "name": h.title, "children": []}
                            for h in generated.toc])
        return generated.html

    def on_post_page(self, output, page, config):
        return compact_html(output)

    @property
    def _pages(self):
        return {p.path: p for p in self.bundle.pages} if self.bundle else {}

    def on_serve(self, server, config, builder):
        for path in self.watch:
            server.watch(str(path))
        return server


_KEEP_AS_IS = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)", re.S | re.I)
_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def compact_html(html: str) -> str:
    """Drop the indentation and blank lines Material's templates leave (a third of a page).

    A line break plus indentation renders exactly like a line break, so this is invisible;
    <pre> and <textarea>, where whitespace matters, are left untouched.
    """
    parts = _KEEP_AS_IS.split(html)
    return "".join(part if i % 2 else _INDENT.sub("\n", part) for i, part in enumerate(parts))


def _apply_branding(config, bundle: SiteBundle) -> None:
    """Per-client look on an already loaded config (live preview re-reads client.yml)."""
    config.site_name = bundle.site_name
    theme = config.theme
    colours = {k: v for k, v in (("primary", bundle.primary_color),
                                 ("accent", bundle.accent_color)) if v}
    palette = theme["palette"] if "palette" in theme else None
    if colours and isinstance(palette, list):
        theme["palette"] = [{**p, **colours} for p in palette]
    elif colours:
        theme["palette"] = {**(palette or {}), **colours}
    if bundle.logo:
        theme["logo"] = bundle.logo
    if bundle.favicon:
        theme["favicon"] = bundle.favicon


def supported_languages() -> set[str]:
    """Language codes Material for MkDocs has UI translations for."""
    import material

    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    return {p.stem for p in folder.glob("*.html") if p.stem != "custom"}


_BASE_CONFIGS: dict[tuple, dict] = {}


def _base(base_config: Path) -> dict:
    """The base mkdocs.yml, parsed once per process (re-read when the file changes)."""
    stat = base_config.stat()
    key = (str(base_config), stat.st_mtime_ns, stat.st_size)
    if key not in _BASE_CONFIGS:
        with open(base_config, "rb") as f:
            _BASE_CONFIGS[key] = yaml_load(f) or {}
    return copy.deepcopy(_BASE_CONFIGS[key])


def _config_file(base_config: Path) -> io.StringIO:
    """An empty config "file" named after the base config: MkDocs resolves relative paths
    (custom_dir, extra_css...) against its folder, while the settings come from `_base`."""
    stand_in = io.StringIO("{}")
    stand_in.name = str(base_config)
    return stand_in


def _overrides(bundle: SiteBundle, base_config: Path, plans: Path | None = None,
               today: str | None = None) -> dict[str, Any]:
    """Per-client settings laid over the base mkdocs.yml."""
    raw = _base(base_config)
    theme = raw.get("theme") or {}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["language"] = bundle.language
    colours = {k: v for k, v in (("primary", bundle.primary_color),
                                 ("accent", bundle.accent_color)) if v}
    if colours:
        palette = theme.get("palette") or {}
        if isinstance(palette, list):
            theme["palette"] = [{**p, **colours} for p in palette]
        else:
            theme["palette"] = {**palette, **colours}
    if bundle.logo:
        theme["logo"] = bundle.logo
    if bundle.favicon:
        theme["favicon"] = bundle.favicon
    protected = bundle.access == "password"
    if protected:
        # Password sites are encrypted page by page (protect.py): instant navigation would
        # fetch the encrypted shells, and search features need the search plugin.
        theme["features"] = [f for f in theme.get("features") or []
                             if not str(f).startswith(("navigation.instant", "search."))]
    plugin_list = []
    for item in raw.get("plugins") or ["search"]:
        name = item if isinstance(item, str) else next(iter(item))
        if protected and name not in (PLUGIN_NAME,) + _PROTECTED_PLUGINS:
            # No search index (it would hold the plan's text in clear) and no other plugin
            # writing files of its own; protect.py still refuses to leave any plain file.
            continue
        if name != PLUGIN_NAME:
            plugin_list.append(item)
    plugin_options = {"client": bundle.slug}
    if plans is not None:
        plugin_options["plans"] = str(plans)
    if today:
        plugin_options["today"] = today
    plugin_list.insert(0, {PLUGIN_NAME: plugin_options})
    extra_css = [*(raw.get("extra_css") or []), *bundle.extra_css]
    public = bundle.access == "public"
    # Read by theme/overrides/main.html: noindex unless public; no feed link when protected.
    extra = {**(raw.get("extra") or {}),
             "site_builder": {"access": bundle.access, "public": public,
                              "protected": protected}}
    return {
        **raw,
        "extra": extra,
        "extra_css": extra_css,
        "site_name": bundle.site_name,
        # Only public sites name their address (canonical links): README, "Private sites".
        "site_url": (bundle.site_url or None) if public else None,
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
        if store is not None and file.src_dir is not None and file.abs_src_path \
                and file.src_dir in _THEME_DIRS:
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


def build_site(bundle: SiteBundle, base_config: Path, site_dir: Path, epoch: int,
               store: AssetStore | None = None) -> list[str]:
    """Build one client's site into `site_dir` (created); returns MkDocs warnings."""
    if store is not None:
        template_cache.use_output_folder(store.root.parent)
    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs, \
            _captured_mkdocs_log() as records, _source_date(epoch), \
            _reuse_between_builds(store):
        try:
            config = load_config(
                config_file=_config_file(base_config),
                **{**_overrides(bundle, base_config), "docs_dir": empty_docs,
                   "site_dir": str(site_dir)},
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
    import mkdocs.commands.serve as serve_module

    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs:
        overrides = _overrides(bundle, base_config, plans=plans.resolve(), today=today)
        for key in set(_base(base_config)) - {"theme", "plugins", "extra_css"}:
            overrides.pop(key, None)  # the real file is read (and watched) on every rebuild
        if dev_addr:
            overrides["dev_addr"] = dev_addr
        original = serve_module.load_config

        def load_fresh(**kwargs):
            # MkDocs consumes the option dicts it validates; give it a fresh copy each rebuild.
            return original(**copy.deepcopy(kwargs))

        serve_module.load_config = load_fresh
        try:
            serve_module.serve(config_file=str(base_config), docs_dir=empty_docs,
                               livereload=True, watch_theme=True, **overrides)
        finally:
            serve_module.load_config = original
