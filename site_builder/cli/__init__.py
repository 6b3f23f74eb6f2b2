"""The command line: a thin layer that parses options and turns exceptions into exit codes.

Exit status: 0 success; 1 the plans have errors (or warnings with --strict); 2 bad usage.
The commands live beside this file, grouped by pipeline stage (site, access, authoring,
events); what they share (say(), the option declarations, the Commands group that turns
exceptions into exit codes) is in shared.py.
"""

from __future__ import annotations

import click

from .. import __version__
from . import access, authoring, events, site
from .shared import EXIT_INTERNAL, Commands, say

__all__ = ["EXIT_INTERNAL", "main", "say"]


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="site-builder")
def main() -> None:
    """Milestone status sites from plans kept in git: one static site per client."""


for _module in (site, access, authoring, events):
    for _command in _module.COMMANDS:
        main.add_command(_command)
