"""The MkDocs configuration of a client's site: the base mkdocs.yml, the agency's branding,
the per-client overrides and protections, and the agency's own mkdocs.yml laid over the base
where that cannot weaken a site."""

from __future__ import annotations

import copy
import io
import os
from pathlib import Path
from typing import Any

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.utils import yaml_load

from ...errors import Diagnostics
from ...plans import yamlsafe
from ...plans.agency import AgencySettings
from ...site.render import SiteBundle

PLUGIN_NAME = "site-builder"
# What Material writes beside the pages: its theme's own files (the same for every client),
# and files naming every page (the sitemap, the Sphinx inventory; the search index, a folder).
# A password-protected site keeps the first and drops the others (access/shell.py).
THEME_FOLDER = "assets"
PAGE_LISTINGS = frozenset({"sitemap.xml", "sitemap.xml.gz", "objects.inv"})
PAGE_LISTING_FOLDERS = frozenset({"search"})
# Plugins kept on password-protected sites: they write no file holding plan text.
_PROTECTED_PLUGINS: tuple[str, ...] = ()


def apply_branding(config, bundle: SiteBundle) -> None:
    """Per-client look on an already loaded config (live preview re-reads client.yml)."""
    config.site_name = bundle.site_name
    theme = config.theme
    colours = {
        k: v for k, v in (("primary", bundle.primary_color), ("accent", bundle.accent_color)) if v
    }
    palette = theme["palette"] if "palette" in theme else None
    if colours and isinstance(palette, list):
        theme["palette"] = [{**p, **colours} for p in palette]
    elif colours:
        theme["palette"] = {**(palette or {}), **colours}
    if bundle.logo:
        theme["logo"] = bundle.logo
    if bundle.favicon:
        theme["favicon"] = bundle.favicon


def protect_loaded(
    config, bundle: SiteBundle, base: dict, base_config: Path, agency: AgencySettings
) -> None:
    """The protections of `client_overrides` on a config MkDocs loaded from some mkdocs.yml (direct
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
    config.extra_css = [
        *base_css,
        *[c for c in config.extra_css if c not in base_css],
        *[c for c in bundle.extra_css if c not in config.extra_css],
    ]
    public = bundle.access == "public"
    config.extra["generator"] = False
    config.extra["site_builder"] = {
        "access": bundle.access,
        "public": public,
        "protected": bundle.access == "password",
    }
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


def same_file(a: Path, b: Path) -> bool:
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

_LAYER_IGNORED = frozenset(
    {"site_name", "docs_dir", "site_dir", "dev_addr", "strict", "validation", "watch"}
)  # set per client, or only for `mkdocs`
_LAYER_TEXT = frozenset({"copyright", "site_description", "site_author"})
_THEME_LAYERED = frozenset({"palette", "features", "icon"})
_EXTRA_LAYERED = frozenset({"social", "homepage"})
# Extensions that only format Markdown (site-builder's pages are HTML already).
_SAFE_EXTENSIONS = frozenset(
    {
        "toc",
        "tables",
        "admonition",
        "attr_list",
        "def_list",
        "footnotes",
        "abbr",
        "md_in_html",
        "sane_lists",
        "smarty",
        "meta",
        "pymdownx.details",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "pymdownx.inlinehilite",
        "pymdownx.tabbed",
        "pymdownx.tasklist",
        "pymdownx.emoji",
        "pymdownx.mark",
        "pymdownx.tilde",
        "pymdownx.caret",
        "pymdownx.keys",
    }
)
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
_MOVE_TO_SETTINGS = (
    "put the agency's name, colours, logo, footer and stylesheets in "
    "site-builder.yml (docs/hosting/agency.md)"
)


def _plugin_name(item: Any) -> str:
    return (
        item
        if isinstance(item, str)
        else next(iter(item), "")
        if isinstance(item, dict)
        else str(item)
    )


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
                    problems.append(
                        (
                            (key, sub) if isinstance(value, dict) else (key,),
                            f"`theme.name` must be {base_theme.get('name')}: "
                            "site-builder's templates and protections are for it",
                        )
                    )
                elif sub == "font" and setting is not False:
                    problems.append(
                        (
                            (key, sub),
                            "`theme.font` must be false: fonts from "
                            "Google would tell a third party who reads each site",
                        )
                    )
                elif sub == "custom_dir" and setting != base_theme.get("custom_dir"):
                    problems.append(
                        (
                            (key, sub),
                            "`theme.custom_dir` would replace "
                            "site-builder's theme overrides (noindex, no-referrer, "
                            "escaping of plan text); " + _MOVE_TO_SETTINGS,
                        )
                    )
                elif sub in ("logo", "favicon"):
                    problems.append(((key, sub), f"`theme.{sub}`: " + _MOVE_TO_SETTINGS))
                elif sub in _THEME_LAYERED:
                    accepted[key][sub] = setting
                elif sub not in ("name", "font", "custom_dir", "language"):
                    problems.append(
                        (
                            (key, sub),
                            f"`theme.{sub}` is not supported in a layer "
                            "over site-builder's base (it takes palette, features, "
                            "icon)",
                        )
                    )
        elif key == "extra":
            if not isinstance(value, dict):
                problems.append(((key,), "`extra` must be a mapping"))
                continue
            accepted[key] = {}
            for sub, setting in value.items():
                if sub == "generator" and setting is not False:
                    problems.append(
                        (
                            (key, sub),
                            "`extra.generator` must be false: the sites "
                            "do not advertise their software",
                        )
                    )
                elif sub in _EXTRA_LAYERED:
                    accepted[key][sub] = setting
                elif sub != "generator":
                    problems.append(
                        (
                            (key, sub),
                            f"`extra.{sub}` is not supported in a layer "
                            "over site-builder's base (it takes social, homepage)",
                        )
                    )
        elif key == "extra_css":
            base_css = list(base.get("extra_css") or [])
            items = value if isinstance(value, list) else []
            if not isinstance(value, list) or items[: len(base_css)] != base_css:
                problems.append(
                    (
                        (key,),
                        "`extra_css` must start with site-builder's "
                        f"stylesheet{'s' if len(base_css) > 1 else ''} "
                        f"({', '.join(base_css)}), which the sites need",
                    )
                )
            for i, item in enumerate(items[len(base_css) :], len(base_css)):
                problems.append(
                    (
                        (key, i),
                        f"`extra_css`: `{item}`: "
                        + _MOVE_TO_SETTINGS
                        + " (stylesheets there are checked to load nothing)",
                    )
                )
        elif key == "plugins":
            names = [_plugin_name(p) for p in value] if isinstance(value, list) else None
            wanted = [_plugin_name(p) for p in base.get("plugins") or []]
            if names != wanted:
                problems.append(
                    (
                        (key,),
                        "`plugins` must be " + ", ".join(wanted) + ", in this "
                        "order: site-builder first (it makes every page), no plugin "
                        "that runs templates or code over the plans' text",
                    )
                )
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
                    problems.append(
                        (
                            (key, i),
                            f"`markdown_extensions`: `{name}` is not "
                            "allowed: site-builder renders the plans' text itself, "
                            "and an extension that runs templates or reads files "
                            "would run on text many people write",
                        )
                    )
            accepted[key] = [e for e in items if _plugin_name(e) in base_names | _SAFE_EXTENSIONS]
        elif key == "use_directory_urls":
            if value is not False:
                problems.append(
                    ((key,), "`use_directory_urls` must be false (sites open from disk)")
                )
        elif key in _LAYER_REFUSED:
            problems.append(((key,), f"`{key}`: {_LAYER_REFUSED[key]}"))
        else:
            problems.append(
                (
                    (key,),
                    f"`{key}` is not supported in a layer over "
                    "site-builder's base; " + _MOVE_TO_SETTINGS,
                )
            )
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
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
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
    for path, message in _layer_rules(values, base_values(base_config))[1]:
        diags.error(layer, _line(node, path), message)
    return diags


def _layered(base_config: Path, layer: Path | None) -> dict:
    """The base mkdocs.yml with what the agency's own mkdocs.yml may add to it."""
    raw = base_values(base_config)
    if layer is None or same_file(layer, base_config):
        return raw
    values = _read_layer(layer)[0]
    for key, value in _layer_rules(values or {}, raw)[0].items():
        raw[key] = (
            {**_theme_of(raw), **value}
            if key == "theme"
            else {**(raw.get(key) or {}), **value}
            if key == "extra"
            else value
        )
    return raw


def supported_languages() -> set[str]:
    """Language codes Material for MkDocs has UI translations for."""
    import material

    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    return {p.stem for p in folder.glob("*.html") if p.stem != "custom"}


_BASE_CONFIGS: dict[tuple, dict] = {}


def base_values(base_config: Path) -> dict:
    """The base mkdocs.yml, parsed once per process (re-read when the file changes)."""
    stat = base_config.stat()
    key = (str(base_config), stat.st_mtime_ns, stat.st_size)
    if key not in _BASE_CONFIGS:
        with open(base_config, "rb") as f:
            _BASE_CONFIGS[key] = yaml_load(f) or {}
    return copy.deepcopy(_BASE_CONFIGS[key])


def base_config_file(base_config: Path) -> io.StringIO:
    """An empty config "file" named after the base config: MkDocs resolves relative paths
    (custom_dir, extra_css...) against its folder, while the settings come from `base_values`."""
    stand_in = io.StringIO("{}")
    stand_in.name = str(base_config)
    return stand_in


def client_overrides(
    bundle: SiteBundle,
    base_config: Path,
    plans: Path | None = None,
    today: str | None = None,
    agency: AgencySettings | None = None,
    layer: Path | None = None,
) -> dict[str, Any]:
    """Per-client settings laid over the agency's (site-builder.yml, then its own mkdocs.yml
    if any), laid over the base mkdocs.yml; the base's protections always hold."""
    raw = {**_layered(base_config, layer), **_agency_values(agency)}
    base_theme = _theme_of(base_values(base_config))
    theme = _theme_of(raw)
    for key in ("name", "font", "custom_dir"):  # site-builder's theme, overrides, no fonts
        theme.pop(key, None)
        if key in base_theme:
            theme[key] = base_theme[key]
    theme["language"] = bundle.language
    colours = {
        k: v for k, v in (("primary", bundle.primary_color), ("accent", bundle.accent_color)) if v
    }
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
        theme["features"] = [
            f
            for f in theme.get("features") or []
            if not str(f).startswith(("navigation.instant", "search."))
        ]
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
    extra = {
        **(raw.get("extra") or {}),
        "generator": False,
        "site_builder": {
            "access": bundle.access,
            "public": public,
            "protected": protected,
            "feed": any(f.path == "feed.xml" for f in bundle.files),
        },
    }
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
