"""Load stage: a plans folder -> the typed model, with every problem found at once.

Reads client.yml (clients.py), plan.yml (projects.py), approval notes (notes.py) and the
documents deliverables point to, each file through files.py; checks every rule of the spec;
verifies approval signatures. Nothing outside a client's folder is read: symbolic links that
leave it, client folders that are links and hard-linked files are errors. What may be
published is decided in inert.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import Diagnostics, UsageError
from ..model import Plans
from . import schema
from .clients import load_client
from .files import IGNORED_NAMES, inside
from .schema import SLUG_RE


def load_plans(root: Path, only: Iterable[str] = ()) -> tuple[Plans, Diagnostics]:
    """Load every client (or only the named ones) and report every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"plans folder `{root}` not found")
    diags = Diagnostics()
    real_root = root.resolve()
    client_dirs: dict[str, Path] = {}
    for entry in sorted(root.iterdir()):
        if entry.name in IGNORED_NAMES:
            continue
        if not inside(entry, real_root, diags):
            continue
        if entry.is_symlink():  # its "own folder" would be another client's (or anyone's)
            diags.error(
                entry,
                0,
                "client folder is a symbolic link: a client folder must be a "
                "real folder; move or copy the folder in instead",
            )
        elif not entry.is_dir():
            diags.error(
                entry,
                0,
                "unexpected file in the plans folder; it holds only client "
                "folders (plans/<client>/client.yml)",
            )
        elif not SLUG_RE.match(entry.name):
            diags.error(
                entry,
                0,
                f"client folder name `{entry.name}` is not a slug "
                "(lower-case letters, digits and '-')",
            )
        elif not (entry / "client.yml").is_file():
            diags.error(
                entry / "client.yml",
                0,
                "missing client.yml: every client folder needs one (at least `name:`)",
            )
        else:
            client_dirs[entry.name] = entry
    wanted = list(dict.fromkeys(only))
    for slug in wanted:
        if slug not in client_dirs:
            known = ", ".join(client_dirs) or "none"
            raise UsageError(
                f"unknown client `{slug}`{schema.did_you_mean(slug, client_dirs)}; clients: {known}"
            )
    clients = []
    for slug in wanted or list(client_dirs):
        client = load_client(client_dirs[slug], diags)
        if client is not None:
            clients.append(client)
    return Plans(root=root, clients=tuple(clients)), diags
