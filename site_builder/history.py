"""Git history of the plans: baselines and schedule changes (spec section 3).

Until the git-native history lands, every milestone's baseline is its current `due` and no
schedule changes are reported. The interface is final: one call per build returning, for each
(client, project, milestone), its `MilestoneHistory`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .derive import MilestoneHistory


@dataclass(frozen=True)
class History:
    """What git says about the plans, keyed by client slug then (project, milestone id)."""

    milestones: dict[str, dict[tuple[str, str], MilestoneHistory]] = field(default_factory=dict)
    last_commit: dict[str, int] = field(default_factory=dict)  # client -> unix time

    def for_client(self, slug: str) -> dict[tuple[str, str], MilestoneHistory]:
        return self.milestones.get(slug, {})


def read_history(plans: Path) -> History:
    """Read the history of the whole plans tree (one pass)."""
    return History()
