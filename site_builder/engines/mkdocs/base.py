"""The base mkdocs.yml, site-builder's own: its values parsed once per process, its theme."""

from __future__ import annotations

import copy
import os
from pathlib import Path

from mkdocs.utils import yaml_load

_BASE_CONFIGS: dict[tuple, dict] = {}


def base_values(base_config: Path) -> dict:
    """The base mkdocs.yml, parsed once per process (re-read when the file changes)."""
    stat = base_config.stat()
    key = (str(base_config), stat.st_mtime_ns, stat.st_size)
    if key not in _BASE_CONFIGS:
        with open(base_config, "rb") as f:
            _BASE_CONFIGS[key] = yaml_load(f) or {}
    return copy.deepcopy(_BASE_CONFIGS[key])


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the agency's mkdocs.yml may be the base itself)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def theme_of(raw: dict) -> dict:
    """The `theme` of a config as a mapping (a bare theme name becomes {name: ...})."""
    theme = raw.get("theme") or {}
    return {"name": theme} if isinstance(theme, str) else dict(theme)
