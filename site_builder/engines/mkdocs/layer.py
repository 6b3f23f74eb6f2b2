"""The agency's own mkdocs.yml: a layer over the base, never a replacement.

A plans repository may keep a mkdocs.yml beside its plans folder (e.g. to run `mkdocs serve`
itself). Its settings are laid over the base, key by key, where that cannot weaken a site;
`check` reports every other one with its line (`layer_problems`), and the build never takes it
(`layered`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ...errors import Diagnostics
from ...plans import yamlsafe
from .base import base_values, same_file, theme_of

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
    base_theme = theme_of(base)
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
            if not isinstance(value, list):
                problems.append(((key,), "`markdown_extensions` must be a list"))
                continue
            base_names = {_plugin_name(e) for e in base.get("markdown_extensions") or []}
            for i, item in enumerate(value):
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
            accepted[key] = [e for e in value if _plugin_name(e) in base_names | _SAFE_EXTENSIONS]
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
    if values is None:
        diags.error(layer, 0, problem or f"cannot read {layer.name}")
        return diags
    for path, message in _layer_rules(values, base_values(base_config))[1]:
        diags.error(layer, _line(node, path), message)
    return diags


def layered(base_config: Path, layer: Path | None) -> dict:
    """The base mkdocs.yml with what the agency's own mkdocs.yml may add to it."""
    raw = base_values(base_config)
    if layer is None or same_file(layer, base_config):
        return raw
    values = _read_layer(layer)[0]
    for key, value in _layer_rules(values or {}, raw)[0].items():
        raw[key] = (
            {**theme_of(raw), **value}
            if key == "theme"
            else {**(raw.get(key) or {}), **value}
            if key == "extra"
            else value
        )
    return raw
