"""Languages: every label in every language, English fallback with a warning from `check`, and
a German site with German headings, statuses, dates, money and timeline."""
import datetime as dt
import string
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from helpers import CLIENT_YML, approval, make_client
from site_builder import feeds, i18n
from site_builder.build import BuildOptions, build, validate
from site_builder.i18n import EN, LABELS, Translator

LANGUAGES = ["de", "fr", "es", "nl"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_label(language):
    labels = LABELS[language]
    assert i18n.missing_labels(language) == []
    assert i18n.extra_labels(language) == []
    assert sorted(labels) == sorted(EN)
    for key, text in labels.items():
        assert text.strip(), key
        assert placeholders(text) == placeholders(EN[key]), key  # same {values}, none lost


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_are_translated(language):
    """Not English left in place: most labels differ from English (a few, like "Status" or
    "Phase", are the same word)."""
    same = [k for k in EN if LABELS[language][k] == EN[k]]
    assert len(same) <= 10, same


def test_feed_calendar_and_link_labels_live_in_i18n():
    for key in ("feed.title", "feed.rescheduled", "feed.not_counted", "links.follow",
                "links.feed", "links.calendar", "links.webcal", "links.badge", "links.embed"):
        assert key in EN
    assert not hasattr(feeds, "LABELS")  # one place for labels
    t = Translator("de")
    assert feeds.with_labels(t) is t
    assert t("feed.title", client="Fable") == "Fable: Projektstatus"


def test_missing_translation_falls_back_to_english_per_key(monkeypatch):
    partial = {k: v for k, v in LABELS["de"].items() if k not in ("timeline", "billing")}
    monkeypatch.setitem(LABELS, "de", partial)
    assert i18n.missing_labels("de") == ["timeline", "billing"]  # one entry per key, EN order
    assert i18n.missing_labels("de-CH") == ["timeline", "billing"]
    t = Translator("de")
    assert t("timeline") == "Timeline" and t("milestones") == "Meilensteine"


def test_a_language_without_labels_misses_every_key_and_english_misses_none():
    assert i18n.missing_labels("it") == list(EN)
    assert i18n.missing_labels("en") == [] and i18n.missing_labels("en-GB") == []
    assert Translator("it")("timeline") == "Timeline"


def test_regional_variants_use_the_base_language():
    assert Translator("fr-CA")("timeline") == "Calendrier"
    assert Translator("pt-BR")("timeline") == "Timeline"  # no labels: English


def test_dates_and_money_follow_the_locale():
    day, amount = dt.date(2026, 2, 10), Decimal("1000")
    assert Translator("de").date(day) == "10.02.2026"
    assert Translator("fr").date(day) == "10 févr. 2026"
    assert Translator("es").date(day) == "10 feb 2026"
    assert Translator("nl").date(day) == "10 feb 2026"
    assert Translator("de").money(amount, "EUR").replace("\xa0", " ") == "1.000,00 €"
    assert Translator("nl").money(amount, "EUR").replace("\xa0", " ") == "€ 1.000,00"
    assert Translator("de").month(day, with_year=True) == "Feb. 2026"


def test_check_warns_only_for_languages_without_labels(plans):
    make_client(plans, "acme", CLIENT_YML + "language: de\n")
    make_client(plans, "bella", "name: Bella\nlanguage: it\naccess: {mode: link}\n")
    warnings = [str(w) for w in validate(plans).diagnostics.warnings]
    assert len(warnings) == 1 and "bella/client.yml" in warnings[0] and "`it`" in warnings[0]


def test_check_names_the_missing_labels_of_a_partial_translation(plans, monkeypatch):
    partial = {k: v for k, v in LABELS["de"].items() if k not in ("timeline", "billing")}
    monkeypatch.setitem(LABELS, "de", partial)
    make_client(plans, "acme", CLIENT_YML + "language: de\n")
    (warning,) = [d.format() for d in validate(plans).diagnostics.warnings]
    assert warning.endswith(f"warning: 2 of {len(EN)} site-builder labels have no `de` "
                            "translation (timeline, billing); they show in English")


def test_a_german_site_is_german(plans, tmp_path):
    make_client(plans, "acme", CLIENT_YML + "language: de\n", approvals={"web": {
        "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09"),
        "2026-02-12-design.md": approval("design", "2026-02-12", "changes-requested")}})
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=dt.date(2026, 2, 20), jobs=1))
    site = tmp_path / "site" / "acme"
    page = BeautifulSoup((site / "projects" / "web.html").read_text(encoding="utf-8"),
                         "html.parser")
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("h2[data-sb-toc]")]
    assert headings == ["Aktueller Meilenstein", "Wie es weitergeht", "Zeitplan",
                        "Abrechnung", "Meilensteine", "Freigabeverlauf", "Terminänderungen"]
    assert page.html["lang"] == "de"
    text = page.get_text(" ", strip=True)
    assert "Stand: 20.02.2026" in text
    assert "Änderungen angefordert" in text and "Freigegeben" in text
    assert "Fällig 10.03.2026" in text  # what comes next: German label, German date
    assert "1.000,00\xa0€" in text
    chart = page.select_one("figure#sb-timeline")
    assert chart.select_one("ol.sb-tl-list")["aria-label"] == "Zeitplan für Website relaunch"
    assert "Heute" in chart.get_text() and "10.01.2026 · Freigegeben" in chart.get_text()
    assert "Changes requested" not in text and "Approved" not in text
    index = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "1 von 3 Meilensteinen freigegeben" in index.get_text(" ", strip=True)
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "Acme Widgets: Projektstatus" in feed and 'xml:lang="de"' in feed
    calendar = (site / "calendar.ics").read_text(encoding="utf-8")
    assert "Status: Änderungen angefordert" in calendar.replace("\r\n ", "")
    # Material's own UI strings are German too.
    assert 'placeholder="Suche"' in (site / "index.html").read_text(encoding="utf-8")
