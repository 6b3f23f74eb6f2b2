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
import ipaddress
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from mkdocs import plugins
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import config_options as opt
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import get_toc
from mkdocs.utils import yaml_load

from ..errors import BuildError, Diagnostics, SiteBuilderError
from ..folders import base_config_for, check_output_folder
from ..plans import yamlsafe
from ..plans.agency import AgencySettings
from ..site import template_cache
from ..site.render import Preview, SiteBundle
from ..store import AssetStore

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
    settings = opt.Type(str, default="")
    """The agency's settings file; empty means site-builder.yml beside the plans folder."""


class _AsIs(File):
    """A file copied as it is. MkDocs would render a document named *.md as a page (and
    move it to *.html); a deliverable is published byte for byte under its own name."""

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False


class BundlePlugin(plugins.BasePlugin[PluginConfig]):
    """Replaces the (empty) docs folder with the generated pages of one client.

    site-builder's own build hands it a prepared bundle. Run by MkDocs itself (`mkdocs serve`),
    it prepares the client with `prepare_preview`, which the registered plugin
    (site_builder/plugin.py, the `mkdocs.plugins` entry point) takes from the build stage."""

    def __init__(self) -> None:
        super().__init__()
        self.bundle: SiteBundle | None = None
        self.watch: list[Path] = []
        self.unencrypted_preview = False  # a password-mode client, not encrypted (serve)

    @plugins.event_priority(100)
    def on_config(self, config):
        if self.bundle is None:  # `mkdocs build/serve`, `site-builder serve`: load it ourselves
            self._load_directly(config)
        config.nav = [{page.title: page.path} for page in self.bundle.pages]
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
                "`client` option) for `mkdocs build` / `mkdocs serve`")
        # Relative to the config file, like every other path in it (`mkdocs -f` elsewhere).
        here = Path(config.config_file_path or ".").resolve().parent
        plans = here / self.config.plans
        settings = here / self.config.settings if self.config.settings else None
        if not plans.is_dir():
            raise PluginError(f"site-builder: no plans folder at {plans}: set the plugin's "
                              f"`plans` option (a path relative to the config file)")
        base = base_config_for(plans)
        layer = Path(config.config_file_path) if config.config_file_path else None
        if layer is not None and not _same_file(layer, base):
            problems = layer_problems(layer, base)
            if problems.errors:
                raise PluginError("site-builder: this config would weaken the sites' "
                                  "protections:\n"
                                  + "\n".join(d.format() for d in problems.errors))
        try:
            # Invalid plans give a page listing the problems, so the preview keeps running.
            preview = self.prepare_preview(plans, client, self.config.today or None, settings)
        except SiteBuilderError as exc:
            raise PluginError(f"site-builder: {exc}") from None
        self.bundle, self.watch = preview.bundle, preview.watch
        # Only site-builder's own build encrypts password sites (protect.py).
        self.unencrypted_preview = self.bundle.access == "password"
        _apply_branding(config, self.bundle)  # client.yml may have changed since start
        _protect_loaded(config, self.bundle, _base(base), base, preview.agency)
        # MkDocs empties site_dir before a build: never the folder holding every client,
        # nor one holding the plans, the theme or git.
        if Path(config.site_dir).name != self.bundle.slug:
            config.site_dir = os.path.join(config.site_dir, self.bundle.slug)
        try:
            check_output_folder(Path(config.site_dir), plans, option="site_dir")
        except SiteBuilderError as exc:
            raise PluginError(f"site-builder: {exc}") from None

    def prepare_preview(self, plans: Path, client: str, today: str | None,
                        settings: Path | None) -> Preview:
        """The client's bundle, the files to watch and the agency's settings (build stage)."""
        raise NotImplementedError("the registered plugin is site_builder.plugin.SiteBuilderPlugin")

    def on_files(self, files: Files, config) -> Files:
        assert self.bundle is not None
        docs = os.path.realpath(config.docs_dir)
        # Theme source maps, and whatever the docs folder holds: every page is generated.
        kept = [f for f in files if not f.src_uri.endswith(".map")
                and not (f.src_dir and os.path.realpath(f.src_dir) == docs)]
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
        output = compact_html(output)
        return with_preview_banner(output) if self.unencrypted_preview else output

    def on_post_template(self, output_content, template_name, config):
        if self.unencrypted_preview and template_name.endswith(".html"):  # 404.html
            return with_preview_banner(output_content)
        return output_content

    @property
    def _pages(self):
        return {p.path: p for p in self.bundle.pages} if self.bundle else {}

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
        print(f"site-builder: serving {self.config.client} on {url} (Ctrl+C stops)",
              file=sys.stderr, flush=True)
        if self.unencrypted_preview:
            print(f"site-builder: WARNING: {self.config.client} is in password mode, but this "
                  f"preview is NOT encrypted: anyone who can reach {url} reads the whole site. "
                  "Keep it on 127.0.0.1 and do not share the address.", file=sys.stderr,
                  flush=True)
        return server


# --- serve: the preview answers only its own names, and says when it is unencrypted --------

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
PREVIEW_BANNER = (
    '<div class="sb-preview-unencrypted" role="alert" style="position:sticky;top:0;z-index:10;'
    'margin:0;padding:.6rem 1rem;background:#b3261e;color:#fff;font:600 1rem/1.4 system-ui,'
    'sans-serif;text-align:center">Unencrypted preview: this site is password-protected only '
    'when built with <code style="color:inherit">site-builder build</code>. Here anyone who can '
    'reach this address reads it in clear.</div>')
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.I)


def with_preview_banner(page: str) -> str:
    """A page with the unencrypted-preview banner first in its body."""
    match = _BODY_TAG.search(page)
    at = match.end() if match else 0
    return page[:at] + PREVIEW_BANNER + page[at:]


def _host_and_port(header: str) -> tuple[str, int] | None:
    """(name, port) of an HTTP Host header (port 80 when absent); None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):  # [IPv6]:port
        name, _, rest = header[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("" if not rest else None)
    else:
        name, _, port = header.partition(":")
    if not name or port is None or (port and not port.isdigit()):
        return None
    return name.rstrip("."), int(port) if port else 80


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def addressed_here(header: str, host: str, port: int) -> bool:
    """Whether a request's Host header names this preview server: the address it is bound
    to, or localhost, 127.0.0.1, [::1], with its port. A page on another site whose name
    an attacker points at 127.0.0.1 (DNS rebinding) sends its own name, so it is refused;
    a server bound to all interfaces accepts any IP address (not a name: names rebind)."""
    parsed = _host_and_port(header)
    if parsed is None or parsed[1] != port:
        return False
    name, bound = parsed[0], host.strip("[]").lower()
    return name in LOCAL_NAMES or name == bound or (bound in _WILDCARDS and _is_ip(name))


def only_addressed_here(app, host: str, port: int):
    """WSGI middleware: answer 421 (and no content) to requests for any other host name."""
    def guarded(environ, start_response):
        if addressed_here(environ.get("HTTP_HOST", ""), host, port):
            return app(environ, start_response)
        body = b"421 Misdirected Request: this preview answers only its own address\n"
        start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))])
        return [body]
    return guarded


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


def _protect_loaded(config, bundle: SiteBundle, base: dict, base_config: Path,
                    agency: AgencySettings) -> None:
    """The protections of `_overrides` on a config MkDocs loaded from some mkdocs.yml (direct
    use): site-builder's theme overrides first, no third-party fonts, its stylesheet, no
    generator tag, private unless public, no address or repository link unless public."""
    theme = config.theme
    if theme.name != "material":
        raise PluginError(f"site-builder: the theme must be material, not {theme.name}")
    theme["font"] = False
    theme["language"] = bundle.language
    if "custom_dir" in _theme_of(base):
        ours = os.path.realpath(base_config.parent / _theme_of(base)["custom_dir"])
        replaced = {ours, os.path.realpath(theme.custom_dir or ours)}
        theme.dirs[:] = [ours] + [d for d in theme.dirs if os.path.realpath(d) not in replaced]
    base_css = list(base.get("extra_css") or [])
    config.extra_css = [*base_css, *[c for c in config.extra_css if c not in base_css],
                        *[c for c in bundle.extra_css if c not in config.extra_css]]
    public = bundle.access == "public"
    config.extra["generator"] = False
    config.extra["site_builder"] = {"access": bundle.access, "public": public,
                                    "protected": bundle.access == "password"}
    if not public:
        config.site_url = None
    config.repo_url = config.repo_name = config.edit_uri = None
    for key, value in _agency_values(agency).items():
        config[key] = value


def _agency_values(agency: AgencySettings | None) -> dict[str, Any]:
    """MkDocs settings from the agency's site-builder.yml (its branding files are in the
    bundle: agency.brand)."""
    values: dict[str, Any] = {}
    if agency is None:
        return values
    if agency.footer_html:
        values["copyright"] = agency.footer_html
    if agency.name:
        values["site_author"] = agency.name
    return values


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _theme_of(raw: dict) -> dict:
    theme = raw.get("theme") or {}
    return {"name": theme} if isinstance(theme, str) else dict(theme)


# --- the agency's own mkdocs.yml: a layer over the base, never a replacement -----------------
# A plans repository may keep a mkdocs.yml beside its plans folder (e.g. to run `mkdocs serve`
# itself). Its settings are laid over the base, key by key, where that cannot weaken a site;
# `check` reports every other one with its line, and the build never takes it.

_LAYER_IGNORED = frozenset({"site_name", "docs_dir", "site_dir", "dev_addr", "strict",
                            "validation", "watch"})  # set per client, or only for `mkdocs`
_LAYER_TEXT = frozenset({"copyright", "site_description", "site_author"})
_THEME_LAYERED = frozenset({"palette", "features", "icon"})
_EXTRA_LAYERED = frozenset({"social", "homepage"})
# Extensions that only format Markdown (site-builder's pages are HTML already).
_SAFE_EXTENSIONS = frozenset({"toc", "tables", "admonition", "attr_list", "def_list",
                              "footnotes", "abbr", "md_in_html", "sane_lists", "smarty",
                              "meta", "pymdownx.details", "pymdownx.superfences",
                              "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.tabbed",
                              "pymdownx.tasklist", "pymdownx.emoji", "pymdownx.mark",
                              "pymdownx.tilde", "pymdownx.caret", "pymdownx.keys"})
_LAYER_REFUSED = {
    "INHERIT": "a layer is one file, laid over site-builder's base; copy the settings here",
    "hooks": "hooks run Python code in every build; site-builder takes none",
    "extra_javascript": "client sites run no scripts but site-builder's and Material's",
    "extra_templates": "templates would see the plans' text unescaped; site-builder renders "
                       "every page itself",
    "site_url": "each client's address is `site.url` in its client.yml (only public sites "
                "name their address)",
    "repo_url": "client sites never link to the plans repository",
    "repo_name": "client sites never link to the plans repository",
    "edit_uri": "client sites never link to the plans repository",
    "nav": "site-builder makes each client's navigation",
}
_MOVE_TO_SETTINGS = ("put the agency's name, colours, logo, footer and stylesheets in "
                     "site-builder.yml (docs/hosting/agency.md)")


def _plugin_name(item: Any) -> str:
    return item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) \
        else str(item)


def _layer_rules(values: dict, base: dict) -> tuple[dict, list[tuple[tuple, str]]]:
    """What a layer may add to the base, and each setting it may not: (key path, why)."""
    accepted: dict[str, Any] = {}
    problems: list[tuple[tuple, str]] = []
    base_theme = _theme_of(base)
    for key, value in values.items():
        if key in _LAYER_IGNORED:
            continue
        if key in _LAYER_TEXT:
            if isinstance(value, str):
                accepted[key] = value
            else:
                problems.append(((key,), f"`{key}` must be text"))
        elif key == "theme":
            theme = {"name": value} if isinstance(value, str) else value
            if not isinstance(theme, dict):
                problems.append(((key,), "`theme` must be a mapping"))
                continue
            accepted[key] = {}
            for sub, setting in theme.items():
                if sub == "name" and setting != base_theme.get("name"):
                    problems.append(((key, sub) if isinstance(value, dict) else (key,),
                                     f"`theme.name` must be {base_theme.get('name')}: "
                                     "site-builder's templates and protections are for it"))
                elif sub == "font" and setting is not False:
                    problems.append(((key, sub), "`theme.font` must be false: fonts from "
                                     "Google would tell a third party who reads each site"))
                elif sub == "custom_dir" and setting != base_theme.get("custom_dir"):
                    problems.append(((key, sub), "`theme.custom_dir` would replace "
                                     "site-builder's theme overrides (noindex, no-referrer, "
                                     "escaping of plan text); " + _MOVE_TO_SETTINGS))
                elif sub in ("logo", "favicon"):
                    problems.append(((key, sub), f"`theme.{sub}`: " + _MOVE_TO_SETTINGS))
                elif sub in _THEME_LAYERED:
                    accepted[key][sub] = setting
                elif sub not in ("name", "font", "custom_dir", "language"):
                    problems.append(((key, sub), f"`theme.{sub}` is not supported in a layer "
                                     "over site-builder's base (it takes palette, features, "
                                     "icon)"))
        elif key == "extra":
            if not isinstance(value, dict):
                problems.append(((key,), "`extra` must be a mapping"))
                continue
            accepted[key] = {}
            for sub, setting in value.items():
                if sub == "generator" and setting is not False:
                    problems.append(((key, sub), "`extra.generator` must be false: the sites "
                                     "do not advertise their software"))
                elif sub in _EXTRA_LAYERED:
                    accepted[key][sub] = setting
                elif sub != "generator":
                    problems.append(((key, sub), f"`extra.{sub}` is not supported in a layer "
                                     "over site-builder's base (it takes social, homepage)"))
        elif key == "extra_css":
            base_css = list(base.get("extra_css") or [])
            items = value if isinstance(value, list) else []
            if not isinstance(value, list) or items[:len(base_css)] != base_css:
                problems.append(((key,), "`extra_css` must start with site-builder's "
                                 f"stylesheet{'s' if len(base_css) > 1 else ''} "
                                 f"({', '.join(base_css)}), which the sites need"))
            for i, item in enumerate(items[len(base_css):], len(base_css)):
                problems.append(((key, i), f"`extra_css`: `{item}`: " + _MOVE_TO_SETTINGS
                                 + " (stylesheets there are checked to load nothing)"))
        elif key == "plugins":
            names = [_plugin_name(p) for p in value] if isinstance(value, list) else None
            wanted = [_plugin_name(p) for p in base.get("plugins") or []]
            if names != wanted:
                problems.append(((key,), "`plugins` must be " + ", ".join(wanted) + ", in this "
                                 "order: site-builder first (it makes every page), no plugin "
                                 "that runs templates or code over the plans' text"))
            else:
                accepted[key] = value
        elif key == "markdown_extensions":
            items = value if isinstance(value, list) else None
            if items is None:
                problems.append(((key,), "`markdown_extensions` must be a list"))
                continue
            base_names = {_plugin_name(e) for e in base.get("markdown_extensions") or []}
            for i, item in enumerate(items):
                name = _plugin_name(item)
                if name not in base_names | _SAFE_EXTENSIONS:
                    problems.append(((key, i), f"`markdown_extensions`: `{name}` is not "
                                     "allowed: site-builder renders the plans' text itself, "
                                     "and an extension that runs templates or reads files "
                                     "would run on text many people write"))
            accepted[key] = [e for e in items if _plugin_name(e) in base_names | _SAFE_EXTENSIONS]
        elif key == "use_directory_urls":
            if value is not False:
                problems.append(((key,), "`use_directory_urls` must be false (sites open "
                                 "from disk)"))
        elif key in _LAYER_REFUSED:
            problems.append(((key,), f"`{key}`: {_LAYER_REFUSED[key]}"))
        else:
            problems.append(((key,), f"`{key}` is not supported in a layer over "
                             "site-builder's base; " + _MOVE_TO_SETTINGS))
    return accepted, problems


def _read_layer(path: Path) -> tuple[dict | None, yaml.Node | None, str | None]:
    """The values of a layer file and its nodes (for lines), or why it cannot be read."""
    from mkdocs.utils.yaml import get_yaml_loader

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, f"cannot read {path.name}: {getattr(exc, 'strerror', None) or exc}"
    node = yamlsafe.parse(text)
    if isinstance(node, yamlsafe.YamlProblem):
        return None, None, node.message
    try:
        values = yaml.load(text, Loader=get_yaml_loader(yaml.SafeLoader))
    except yaml.YAMLError as exc:
        return None, None, f"invalid YAML: {exc}"
    if values is None:
        return {}, node, None
    if not isinstance(values, dict):
        return None, None, "expected a mapping of MkDocs settings"
    return values, node, None


def _line(node: yaml.Node | None, path: tuple) -> int:
    """The line of the key (or list item) at `path` in a node tree; 0 when unknown."""
    line = 0
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step),
                         None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def layer_problems(layer: Path, base_config: Path) -> Diagnostics:
    """`check` of a plans repository's own mkdocs.yml: every setting that would weaken a
    site or that a layer cannot hold, each as PATH:LINE: error."""
    diags = Diagnostics()
    values, node, problem = _read_layer(layer)
    if problem:
        diags.error(layer, 0, problem)
        return diags
    for path, message in _layer_rules(values, _base(base_config))[1]:
        diags.error(layer, _line(node, path), message)
    return diags


def _layered(base_config: Path, layer: Path | None) -> dict:
    """The base mkdocs.yml with what the agency's own mkdocs.yml may add to it."""
    raw = _base(base_config)
    if layer is None or _same_file(layer, base_config):
        return raw
    values = _read_layer(layer)[0]
    for key, value in _layer_rules(values or {}, raw)[0].items():
        raw[key] = {**_theme_of(raw), **value} if key == "theme" else \
            {**(raw.get(key) or {}), **value} if key == "extra" else value
    return raw


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
               today: str | None = None, agency: AgencySettings | None = None,
               layer: Path | None = None) -> dict[str, Any]:
    """Per-client settings laid over the agency's (site-builder.yml, then its own mkdocs.yml
    if any), laid over the base mkdocs.yml; the base's protections always hold."""
    raw = {**_layered(base_config, layer), **_agency_values(agency)}
    base_theme = _theme_of(_base(base_config))
    theme = _theme_of(raw)
    for key in ("name", "font", "custom_dir"):  # site-builder's theme, overrides, no fonts
        theme.pop(key, None)
        if key in base_theme:
            theme[key] = base_theme[key]
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
    # Read by theme/overrides/main.html: noindex unless public; a feed link only when the site
    # has a feed (password sites and the team dashboard have none).
    extra = {**(raw.get("extra") or {}), "generator": False,
             "site_builder": {"access": bundle.access, "public": public,
                              "protected": protected,
                              "feed": any(f.path == "feed.xml" for f in bundle.files)}}
    return {
        **raw,
        "extra": extra,
        "extra_css": extra_css,
        "site_name": bundle.site_name,
        # Only public sites name their address (canonical links): docs/hosting/private-sites.md.
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
               store: AssetStore | None = None, agency: AgencySettings | None = None,
               layer: Path | None = None) -> list[str]:
    """Build one client's site into `site_dir` (created); returns MkDocs warnings.

    `agency`: the agency's settings; `layer`: the plans repository's own mkdocs.yml."""
    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs, \
            _captured_mkdocs_log() as records, _source_date(epoch), \
            _reuse_between_builds(store):
        try:
            config = load_config(
                config_file=_config_file(base_config),
                **{**_overrides(bundle, base_config, agency=agency, layer=layer),
                   "docs_dir": empty_docs,
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
          dev_addr: str | None = None, settings: Path | None = None,
          layer: Path | None = None) -> None:
    """Live preview of one client's site (rebuilds when its plans, theme or config change)."""
    import mkdocs.commands.serve as serve_module

    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs:
        overrides = _overrides(bundle, base_config, plans=plans.resolve(), today=today,
                               layer=layer)
        if settings is not None:
            overrides["plugins"][0][PLUGIN_NAME]["settings"] = str(Path(settings).resolve())
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
