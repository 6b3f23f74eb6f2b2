"""`site-builder status`: a readable terminal table per project (rich)."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .derive import ClientState
from .i18n import Translator

_STYLE = {"approved": "green", "changes-requested": "red", "awaiting-approval": "yellow",
          "in-progress": "cyan", "upcoming": "dim"}
_HEALTH = {"on-track": "green", "at-risk": "yellow", "overdue": "red", "complete": "green"}


def print_status(states: list[ClientState], console: Console | None = None) -> None:
    console = console or Console()
    for state in states:
        t = Translator("en")
        for p in state.projects:
            m = p.metrics
            table = Table(
                title=f"{escape(state.client.name)} / {escape(p.project.title)}  "
                      f"[{_HEALTH[p.health]}]{p.health}[/]  "
                      f"{m.approved}/{m.total} approved  (as of {state.today})",
                title_justify="left", show_lines=False,
            )
            table.add_column("")
            table.add_column("milestone", ratio=1)
            for column in ("status", "due"):
                table.add_column(column, no_wrap=True)
            table.add_column("owner")
            table.add_column("invoice", justify="right", no_wrap=True)
            for s in p.milestones:
                marker = "▶" if s.is_current else ""
                status = f"[{_STYLE[s.status]}]{s.status}[/]"
                if s.overdue:
                    status += " · [bold red]overdue[/]"
                table.add_row(marker, escape(s.milestone.title), status, s.milestone.due.isoformat(),
                              escape(s.milestone.owner or ""),
                              t.money(s.milestone.invoice, p.project.currency))
            console.print(table)
            console.print(f"  invoiced {t.money(m.invoiced, p.project.currency)}, "
                          f"remaining {t.money(m.remaining, p.project.currency)}\n")
