"""The MkDocs configuration of a client's site: the agency's branding and the per-client
overrides and protections, laid over the base mkdocs.yml (base.py) and the agency's own
mkdocs.yml where that cannot weaken a site (layer.py)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from ...plans.agency import AgencySettings
from ...site.render import SiteBundle
from .base import base_values, theme_of
from .layer import layered

PLUGIN_NAME = "site-builder"
# What Material writes beside the pages: its theme's own files (the same for every client),
# and files naming every page (the sitemap, the Sphinx inventory; the search index, a folder).
# A password-protected site keeps the first and drops the others (access/shell.py).
THEME_FOLDER = "assets"
PAGE_LISTINGS = frozenset({"sitemap.xml", "sitemap.xml.gz", "objects.inv"})
PAGE_LISTING_FOLDERS = frozenset({"search"})
# Plugins kept on password-protected sites: they write no file holding plan text.
_PROTECTED_PLUGINS: tuple[str, ...] = ()


def branding(palette: Any, bundle: SiteBundle) -> dict[str, Any]:
    """The theme settings of a client's look (client.yml `site:`): its colours laid over each
    palette (one, or a light/dark list), its logo and favicon."""
    out: dict[str, Any] = {}
    colours = {
        k: v for k, v in (("primary", bundle.primary_color), ("accent", bundle.accent_color)) if v
    }
    if colours and isinstance(palette, list) and palette:
        out["palette"] = [{**p, **colours} for p in palette]
    elif colours:
        out["palette"] = {**(palette or {}), **colours}
    if bundle.logo:
        out["logo"] = bundle.logo
    if bundle.favicon:
        out["favicon"] = bundle.favicon
    return out


def apply_branding(config, bundle: SiteBundle) -> None:
    """Per-client look on an already loaded config (live preview re-reads client.yml)."""
    config.site_name = bundle.site_name
    theme = config.theme
    for key, value in branding(theme["palette"] if "palette" in theme else None, bundle).items():
        theme[key] = value


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
    if "custom_dir" in theme_of(base):
        ours = os.path.realpath(base_config.parent / theme_of(base)["custom_dir"])
        replaced = {ours, os.path.realpath(theme.custom_dir or ours)}
        theme.dirs[:] = [ours] + [d for d in theme.dirs if os.path.realpath(d) not in replaced]
    base_css = list(base.get("extra_css") or [])
    config.extra_css = [
        *base_css,
        *[c for c in config.extra_css if c not in base_css],
        *[c for c in bundle.extra_css if c not in config.extra_css],
    ]
    public = bundle.access.public
    config.extra["generator"] = False
    config.extra["site_builder"] = {
        "access": bundle.access.value,
        "public": public,
        "protected": bundle.access.needs_password,
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


def supported_languages() -> set[str]:
    """Language codes Material for MkDocs has UI translations for."""
    import material

    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    return {p.stem for p in folder.glob("*.html") if p.stem != "custom"}


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
    raw = {**layered(base_config, layer), **_agency_values(agency)}
    base_theme = theme_of(base_values(base_config))
    theme = theme_of(raw)
    for key in ("name", "font", "custom_dir"):  # site-builder's theme, overrides, no fonts
        theme.pop(key, None)
        if key in base_theme:
            theme[key] = base_theme[key]
    theme["language"] = bundle.language
    theme.update(branding(theme.get("palette") or None, bundle))
    protected = bundle.access.needs_password
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
    public = bundle.access.public
    # Read by theme/overrides/main.html: noindex unless public; a feed link only when the site
    # has a feed (password sites and the team dashboard have none).
    extra = {
        **(raw.get("extra") or {}),
        "generator": False,
        "site_builder": {
            "access": bundle.access.value,
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
