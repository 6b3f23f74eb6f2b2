"""The MkDocs plugin: replaces the (empty) docs folder with the generated pages of one client
(a bundle site-builder prepared, or the client it loads itself under `mkdocs serve`)."""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from mkdocs import plugins
from mkdocs.config import config_options as opt
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc

from ...errors import SiteBuilderError
from ...folders import base_config_for, check_output_folder
from ...site.render import Page, Preview, SiteBundle
from ...store import AssetStore
from .base import base_values, same_file
from .config import apply_branding, protect_loaded
from .layer import layer_problems
from .preview import only_addressed_here, with_preview_banner

log = logging.getLogger("mkdocs.plugins.site_builder")


class PluginConfig(Config):
    plans = opt.Type(str, default="plans")
    """The plans folder (used by `mkdocs serve`; site-builder passes a prepared bundle)."""
    client = opt.Type(str, default="")
    """Slug of the client whose site this is."""
    today = opt.Type(str, default="")
    """Fixed date (YYYY-MM-DD) for statuses; empty means today in the client's time zone."""
    settings = opt.Type(str, default="")
    """The agency's settings file; empty means site-builder.yml beside the plans folder."""


def source_name(page: Page) -> str:
    """The name MkDocs knows a generated page by: a Markdown source (x.md), which it writes
    as x.html (use_directory_urls is off), the page's address."""
    return page.path.removesuffix(".html") + ".md"


class _AsIs(File):
    """A file copied as it is. MkDocs would render a document named *.md as a page (and
    move it to *.html); a deliverable is published byte for byte under its own name."""

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False


class _Shared(File):
    """A theme file linked from the run's asset store instead of copied: every site of a
    build shares one copy of Material's assets."""

    store: AssetStore

    def copy_file(self, dirty: bool = False) -> None:
        assert self.abs_src_path is not None
        self.store.link(self.abs_src_path, self.abs_dest_path)


class BundlePlugin(plugins.BasePlugin[PluginConfig]):
    """Replaces the (empty) docs folder with the generated pages of one client.

    site-builder's own build hands it a prepared bundle. Run by MkDocs itself (`mkdocs serve`),
    it prepares the client with `prepare_preview`, which the registered plugin
    (site_builder/plugin.py, the `mkdocs.plugins` entry point) takes from the build stage."""

    def __init__(self) -> None:
        super().__init__()
        self.bundle: SiteBundle | None = None
        self.watch: list[Path] = []
        self.store: AssetStore | None = None  # site-builder's build: theme files are linked
        self.prepared: Preview | None = None  # `site-builder serve`'s start: already prepared
        self.unencrypted_preview = False  # a password-mode client, not encrypted (serve)

    @plugins.event_priority(100)
    def on_config(self, config):
        if self.bundle is None:  # `mkdocs build/serve`, `site-builder serve`: load it ourselves
            self._load_directly(config)
        assert self.bundle is not None
        config.nav = [{page.title: source_name(page)} for page in self.bundle.pages]
        config.use_directory_urls = False
        return config

    def _load_directly(self, config) -> None:
        """Load and render the client from the plans, check the config file as a layer over
        the base, and put the protections and the client's branding on the config. Every
        problem is one PluginError saying what to do (MkDocs prints it, no traceback)."""
        client = self.config.client
        if not client:
            raise PluginError(
                "site-builder: which client? Run `site-builder build --client SLUG` (or "
                "`site-builder serve SLUG`), or set SITE_BUILDER_CLIENT=SLUG (or the plugin's "
                "`client` option) for `mkdocs build` / `mkdocs serve`"
            )
        # Relative to the config file, like every other path in it (`mkdocs -f` elsewhere).
        here = Path(config.config_file_path or ".").resolve().parent
        plans = here / self.config.plans
        settings = here / self.config.settings if self.config.settings else None
        if not plans.is_dir():
            raise PluginError(
                f"site-builder: no plans folder at {plans}: set the plugin's "
                f"`plans` option (a path relative to the config file)"
            )
        base = base_config_for(plans)
        layer = Path(config.config_file_path) if config.config_file_path else None
        if layer is not None and not same_file(layer, base):
            problems = layer_problems(layer, base)
            if problems.errors:
                raise PluginError(
                    "site-builder: this config would weaken the sites' "
                    "protections:\n" + "\n".join(d.format() for d in problems.errors)
                )
        try:
            # Invalid plans give a page listing the problems, so the preview keeps running.
            preview = self.prepared or self.prepare_preview(
                plans, client, self.config.today or None, settings
            )
        except SiteBuilderError as exc:
            raise PluginError(f"site-builder: {exc}") from None
        self.bundle, self.watch = preview.bundle, preview.watch
        # Only site-builder's own build encrypts password sites (protect.py).
        self.unencrypted_preview = self.bundle.access.needs_password
        apply_branding(config, self.bundle)  # client.yml may have changed since start
        protect_loaded(config, self.bundle, base_values(base), base, preview.agency)
        # MkDocs empties site_dir before a build: never the folder holding every client,
        # nor one holding the plans, the theme or git.
        if Path(config.site_dir).name != self.bundle.slug:
            config.site_dir = os.path.join(config.site_dir, self.bundle.slug)
        try:
            check_output_folder(Path(config.site_dir), plans, option="site_dir")
        except SiteBuilderError as exc:
            raise PluginError(f"site-builder: {exc}") from None

    def prepare_preview(
        self, plans: Path, client: str, today: str | None, settings: Path | None
    ) -> Preview:
        """The client's bundle, the files to watch and the agency's settings (build stage)."""
        raise NotImplementedError("the registered plugin is site_builder.plugin.SiteBuilderPlugin")

    def on_files(self, files: Files, config) -> Files:
        assert self.bundle is not None
        docs = os.path.realpath(config.docs_dir)
        theme = {os.path.realpath(d) for d in config.theme.dirs}
        kept = []
        # Theme source maps, and whatever the docs folder holds: every page is generated.
        for f in files:
            where = os.path.realpath(f.src_dir) if f.src_dir else None
            if f.src_uri.endswith(".map") or where == docs:
                continue
            if self.store is not None and where in theme:
                shared = _Shared(f.src_uri, f.src_dir, f.dest_dir, f.use_directory_urls)
                shared.store = self.store
                f = shared
            kept.append(f)
        for page in self.bundle.pages:
            kept.append(File.generated(config, source_name(page), content=""))
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
        page.toc = get_toc(
            [{"level": h.level, "id": h.id, "name": h.title, "children": []} for h in generated.toc]
        )
        return generated.html

    def on_post_page(self, output, page, config):
        output = compact_html(output)
        return with_preview_banner(output) if self.unencrypted_preview else output

    def on_post_template(self, output_content, template_name, config):
        if self.unencrypted_preview and template_name.endswith(".html"):  # 404.html
            return with_preview_banner(output_content)
        return output_content

    @property
    def _pages(self):
        return {source_name(p): p for p in self.bundle.pages} if self.bundle else {}

    def on_serve(self, server, config, builder):
        for path in self.watch:
            server.watch(str(path))
        # The site is in SITE_DIR/<client> (_load_directly): serve it, its 404 page included.
        server.root = site = os.path.abspath(config.site_dir)
        fallback = server.error_handler

        def error_page(code: int) -> bytes | None:
            page = Path(site) / f"{code}.html"
            return page.read_bytes() if code in (404, 500) and page.is_file() else fallback(code)

        server.error_handler = error_page
        host, port = config.dev_addr
        server.set_app(only_addressed_here(server.get_app(), host, port))
        url = getattr(server, "url", f"http://{host}:{port}/")
        print(
            f"site-builder: serving {self.config.client} on {url} (Ctrl+C stops)",
            file=sys.stderr,
            flush=True,
        )
        if self.unencrypted_preview:
            print(
                f"site-builder: WARNING: {self.config.client} is in password mode, but this "
                f"preview is NOT encrypted: anyone who can reach {url} reads the whole site. "
                "Keep it on 127.0.0.1 and do not share the address.",
                file=sys.stderr,
                flush=True,
            )
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
