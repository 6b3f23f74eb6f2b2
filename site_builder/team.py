"""The internal team dashboard: every client and project on one site (OUT/_team).

Unlike client sites, this one may show `internal:` notes. It is built from the same derived
state as the client sites and is never mixed into them.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .derive import ClientState
from .i18n import Translator
from .render import SiteBundle, _environment, page

TEAM_SLUG = "_team"


def render_team_site(states: list[ClientState], templates: Path, today: dt.date) -> SiteBundle:
    """The team dashboard's pages (English: it is for the delivery team)."""
    t = Translator("en")
    env = _environment(templates)
    html = env.get_template("team.html.j2").render(states=states, today=today, t=t)
    return SiteBundle(
        slug=TEAM_SLUG, site_name="Delivery dashboard", language="en", site_url=None,
        primary_color="blue grey", logo=None, pages=(page("index.md", "Portfolio", html),),
        files=(), today=today,
    )
