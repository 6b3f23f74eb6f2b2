"""One exception hierarchy for the whole tool.

Only the CLI turns these into exit codes and printed messages; every other module raises.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .textsafe import printable


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the plans, tied to a file and a line (1-based; 0 = whole file)."""

    path: Path
    line: int
    severity: str  # "error" | "warning"
    message: str

    def format(self, cwd: Path | None = None) -> str:
        try:
            shown = os.path.relpath(self.path, cwd or Path.cwd())
        except ValueError:  # a different drive on Windows
            shown = str(self.path)
        # Paths and messages quote plan text and file names: each field stays one inert line.
        return f"{printable(shown)}:{self.line}: {self.severity}: {printable(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class Diagnostics:
    """Collects every problem of a run so all of them can be reported at once."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def error(self, path: Path, line: int, message: str) -> None:
        self._items.append(Diagnostic(Path(path), max(line, 0), "error", message))

    def warning(self, path: Path, line: int, message: str) -> None:
        self._items.append(Diagnostic(Path(path), max(line, 0), "warning", message))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        self._items.extend(other if isinstance(other, list) else other._items)

    @property
    def items(self) -> list[Diagnostic]:
        """All problems, sorted by file and line (stable, so output is deterministic)."""
        return sorted(set(self._items), key=lambda d: (str(d.path), d.line, d.severity, d.message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def __len__(self) -> int:
        return len(self._items)


class SiteBuilderError(Exception):
    """Base class of every error the tool reports on purpose."""

    exit_code = 1


class PlanError(SiteBuilderError):
    """The plans have problems (errors, or warnings under --strict)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics)} problem(s) in the plans")


class BuildError(SiteBuilderError):
    """Writing a site failed for a reason outside the plans (disk, MkDocs, theme)."""


class UsageError(SiteBuilderError):
    """The command line asks for something impossible (unknown client, bad date)."""

    exit_code = 2
