"""Preview: `site-builder serve CLIENT` on MkDocs' live-reload server (its guards: preview.py)."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ...site.render import Preview
from .base import base_values
from .config import PLUGIN_NAME, client_overrides
from .plugin import BundlePlugin

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig


def serve(
    preview: Preview,
    base_config: Path,
    plans: Path,
    today: str | None,
    dev_addr: str | None = None,
    settings: Path | None = None,
    layer: Path | None = None,
) -> None:
    """Live preview of one client's site (rebuilds when its plans, theme or config change).

    `preview` is the client as prepared for this start: the first build uses it, every
    rebuild after a change prepares the client again (the plugin's `prepare_preview`)."""
    import mkdocs.commands.serve as serve_module

    bundle, first = preview.bundle, [preview]

    with tempfile.TemporaryDirectory(prefix="site-builder-docs-") as empty_docs:
        overrides = client_overrides(
            bundle, base_config, plans=plans.resolve(), today=today, layer=layer
        )
        if settings is not None:
            overrides["plugins"][0][PLUGIN_NAME]["settings"] = str(Path(settings).resolve())
        for key in set(base_values(base_config)) - {"theme", "plugins", "extra_css"}:
            overrides.pop(key, None)  # the real file is read (and watched) on every rebuild
        if dev_addr:
            overrides["dev_addr"] = dev_addr
        # The one MkDocs internal replaced here: mkdocs.commands.serve.serve offers no way to
        # pass a config object, only options it hands to load_config on every rebuild, and
        # validating consumes those dicts (hence a copy each time); the first load also gets
        # the client prepared above, so the start does not prepare it twice.
        original = serve_module.load_config

        def load_fresh(
            config_file: str | IO[Any] | None = None,
            *,
            config_file_path: str | None = None,
            **kwargs: Any,
        ) -> MkDocsConfig:
            config = original(
                config_file, config_file_path=config_file_path, **copy.deepcopy(kwargs)
            )
            plugin = config.plugins[PLUGIN_NAME]
            if first and isinstance(plugin, BundlePlugin):
                plugin.prepared = first.pop()  # the start: the client prepared already
            return config

        serve_module.load_config = load_fresh
        try:
            serve_module.serve(
                config_file=str(base_config),
                docs_dir=empty_docs,
                livereload=True,
                watch_theme=True,
                **overrides,
            )
        finally:
            serve_module.load_config = original
