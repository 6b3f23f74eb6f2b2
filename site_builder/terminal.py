"""`site-builder status`: a readable terminal table per project (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .derive import ClientState
from .site.i18n import Translator
from .textsafe import printable

_STYLE = {
    "approved": "green",
    "changes-requested": "red",
    "awaiting-approval": "yellow",
    "in-progress": "cyan",
    "upcoming": "dim",
}
_HEALTH = {"on-track": "green", "at-risk": "yellow", "overdue": "red", "complete": "green"}


def _cell(value: object, style: str = "") -> Text:
    """Plan text as a cell: a Text object, so rich reads no markup or emoji codes in it, with
    control and bidi characters shown as escapes."""
    return Text(printable(value), style=style)


def print_status(states: list[ClientState], console: Console | None = None) -> None:
    console = console or Console()
    for state in states:
        t = Translator("en")
        for p in state.projects:
            m = p.metrics
            title = Text.assemble(
                _cell(f"{state.client.name} / {p.project.title}"),
                "  ",
                _cell(p.health, _HEALTH[p.health]),
                f"  {m.approved}/{m.total} approved  (as of {state.today})",
            )
            table = Table(title=title, title_justify="left", show_lines=False)
            table.add_column("")
            table.add_column("milestone", ratio=1)
            for column in ("status", "due"):
                table.add_column(column, no_wrap=True)
            table.add_column("owner")
            table.add_column("invoice", justify="right", no_wrap=True)
            for s in p.milestones:
                status = _cell(s.status, _STYLE[s.status])
                if s.overdue:
                    status.append(" · ").append("overdue", "bold red")
                table.add_row(
                    "▶" if s.is_current else "",
                    _cell(s.milestone.title),
                    status,
                    s.milestone.due.isoformat(),
                    _cell(s.milestone.owner or ""),
                    _cell(t.money(s.milestone.invoice, p.project.currency)),
                )
            console.print(table)
            console.print(
                _cell(
                    f"  invoiced {t.money(m.invoiced, p.project.currency)}, "
                    f"remaining {t.money(m.remaining, p.project.currency)}"
                )
            )
            console.print()
