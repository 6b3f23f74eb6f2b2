"""Languages: every label in every gettext catalog, plural forms from the catalog header,
English fallback with a warning from `check`, and a German site with German headings, statuses,
dates, money and timeline."""

import datetime as dt
import shutil
import string
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup
from helpers import CLIENT_YML, approval, make_client

from site_builder.build import BuildOptions, build, validate
from site_builder.site import feeds, i18n
from site_builder.site.i18n import EN, Translator

LANGUAGES = ["de", "fr", "es", "nl"]


def placeholders(text) -> set[str]:
    forms = text if isinstance(text, tuple) else (text,)
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def po(root: Path, name: str) -> Path:
    return root / name / "LC_MESSAGES" / "site_builder.po"


@pytest.fixture
def locale(tmp_path, monkeypatch):
    """A copy of the packaged catalogs that the test may edit, used in their place."""
    root = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, root)
    monkeypatch.setattr(i18n, "LOCALE_DIR", root)
    return root


def edit(root: Path, name: str, change) -> None:
    """Change one catalog as a translator's tool would: read, edit, write the .po."""
    path = po(root, name)
    catalog = read(path) if path.exists() else Catalog(locale=name, domain="site_builder")
    change(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100)


def untranslate(*keys):
    def change(catalog):
        for key in keys:
            catalog[key].string = ""

    return change


def test_the_five_languages_have_catalogs():
    assert i18n.languages() == ["de", "en", "es", "fr", "nl"]
    assert EN["timeline"] == "Timeline"
    assert EN["approved_of"] == (
        "{approved} of {total} milestone approved",
        "{approved} of {total} milestones approved",
    )


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_every_catalog_has_the_same_keys_and_the_plural_forms_its_header_says(language):
    catalog = read(po(i18n.LOCALE_DIR, language))
    english = read(po(i18n.LOCALE_DIR, "en"))
    assert [i18n.key_of(m) for m in catalog if m.id] == [i18n.key_of(m) for m in english if m.id]
    assert str(catalog.locale) == language
    # Plural-Forms is the one Babel (CLDR) gives the language, and every plural entry has
    # exactly that many forms (Babel's own checkers: forms, placeholders).
    assert catalog.plural_forms == Catalog(locale=language).plural_forms
    plural = [m for m in catalog if isinstance(m.id, tuple)]
    assert plural and all(len(m.string) == catalog.num_plurals for m in plural)
    assert [(m.id, errors) for m, errors in catalog.check() if errors] == []
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    assert not catalog.obsolete


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_label(language):
    labels = i18n.labels(language)
    assert i18n.missing_labels(language) == []
    assert i18n.extra_labels(language) == []
    assert list(labels) == list(EN)
    for key, text in labels.items():
        forms = text if isinstance(text, tuple) else (text,)
        assert all(form.strip() for form in forms), key
        assert isinstance(text, tuple) == isinstance(EN[key], tuple), key
        assert placeholders(text) == placeholders(EN[key]), key  # same {values}, none lost


def test_the_template_and_the_translator_comments_follow_the_english_catalog():
    """messages.pot is the English catalog's keys with the English text as a comment (rewrite
    it with `python -m site_builder.site.i18n`), and every catalog carries the same comments, as
    `pybabel update` leaves them."""

    def comments(catalog):  # long comments wrap over several lines in a .po file
        return [(m.id, " ".join(m.auto_comments)) for m in catalog if m.id]

    expected = comments(i18n.template())
    assert expected[0] == ("overview", "English: Overview")
    assert comments(read(i18n.LOCALE_DIR / "messages.pot")) == expected
    for language in ["en", *LANGUAGES]:
        assert comments(read(po(i18n.LOCALE_DIR, language))) == expected, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_are_translated(language):
    """Not English left in place: most labels differ from English (a few, like "Status" or
    "Phase", are the same word)."""
    labels = i18n.labels(language)
    same = [k for k in EN if labels[k] == EN[k]]
    assert len(same) <= 10, same


def test_feed_calendar_and_link_labels_live_in_i18n():
    for key in (
        "feed.title",
        "feed.rescheduled",
        "feed.not_counted",
        "links.follow",
        "links.feed",
        "links.calendar",
        "links.webcal",
        "links.badge",
        "links.embed",
    ):
        assert key in EN
    assert not hasattr(feeds, "LABELS")  # one place for labels
    t = Translator("de")
    assert feeds.with_labels(t) is t
    assert t("feed.title", client="Fable") == "Fable: Projektstatus"


def test_plural_forms_follow_each_languages_rules():
    values = dict(start="a", end="b", today="c")
    assert Translator("en")("timeline.summary", count=1, **values).startswith("1 milestone,")
    assert Translator("en")("timeline.summary", count=0, **values).startswith("0 milestones,")
    assert Translator("fr")("timeline.summary", count=0, **values).startswith("0 jalon,")
    assert Translator("fr")("timeline.summary", count=2, **values).startswith("2 jalons,")
    assert (
        Translator("de")("approved_of", approved=1, total=1, count=1)
        == "1 von 1 Meilenstein freigegeben"
    )
    assert (
        Translator("de")("approved_of", approved=1, total=3, count=3)
        == "1 von 3 Meilensteinen freigegeben"
    )
    assert (
        Translator("de")("approved_of", approved=0, total=0, count=0)
        == "0 von 0 Meilensteinen freigegeben"
    )


def test_the_plural_form_comes_from_the_catalog_header(locale):
    """A translator's Plural-Forms is what counts: with French's rule (n > 1) in the German
    catalog, zero takes the singular (German's own rule gives it the plural, see above)."""

    def french_rule(catalog):
        headers = [
            (k, "nplurals=2; plural=(n > 1);" if k == "Plural-Forms" else v)
            for k, v in catalog.mime_headers
        ]
        catalog.mime_headers = headers

    edit(locale, "de", french_rule)
    assert (
        Translator("de")("approved_of", approved=0, total=0, count=0)
        == "0 von 0 Meilenstein freigegeben"
    )


def test_missing_translation_falls_back_to_english_per_key(locale):
    edit(locale, "de", untranslate("timeline", "billing", "approved_of"))
    assert i18n.missing_labels("de") == ["approved_of", "timeline", "billing"]  # EN order
    assert i18n.missing_labels("de-CH") == ["approved_of", "timeline", "billing"]
    t = Translator("de")
    assert t("timeline") == "Timeline" and t("milestones") == "Meilensteine"
    assert t("approved_of", approved=1, total=2, count=2) == "1 of 2 milestones approved"


def test_a_fuzzy_translation_counts_as_missing(locale):
    def fuzzy(catalog):
        catalog["timeline"].flags.add("fuzzy")

    edit(locale, "de", fuzzy)
    assert i18n.missing_labels("de") == ["timeline"]
    assert Translator("de")("timeline") == "Timeline"


def test_a_regional_catalog_overrides_its_base_language_per_key(locale):
    def swiss(catalog):
        catalog.add("timeline", "Terminplan")

    edit(locale, "de_CH", swiss)
    t = Translator("de-CH")
    assert t("timeline") == "Terminplan" and t("milestones") == "Meilensteine"
    assert i18n.missing_labels("de-CH") == [] and i18n.extra_labels("de-CH") == []


def test_a_language_without_labels_misses_every_key_and_english_misses_none():
    assert i18n.missing_labels("it") == list(EN)
    assert i18n.missing_labels("en") == [] and i18n.missing_labels("en-GB") == []
    assert Translator("it")("timeline") == "Timeline"
    assert Translator("it")("no.such.key") == "no.such.key"


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


def test_check_names_the_missing_labels_of_a_partial_translation(plans, locale):
    edit(locale, "de", untranslate("timeline", "billing"))
    make_client(plans, "acme", CLIENT_YML + "language: de\n")
    (warning,) = [d.format() for d in validate(plans).diagnostics.warnings]
    assert warning.endswith(
        f"warning: 2 of {len(EN)} site-builder labels have no `de` "
        "translation (timeline, billing); they show in English"
    )


def test_a_german_site_is_german(plans, tmp_path):
    make_client(
        plans,
        "acme",
        CLIENT_YML + "language: de\n",
        approvals={
            "web": {
                "2026-01-09-kickoff.md": approval("kickoff", "2026-01-09"),
                "2026-02-12-design.md": approval("design", "2026-02-12", "changes-requested"),
            }
        },
    )
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=dt.date(2026, 2, 20), jobs=1))
    site = tmp_path / "site" / "acme"
    page = BeautifulSoup(
        (site / "projects" / "web.html").read_text(encoding="utf-8"), "html.parser"
    )
    headings = [h.get_text(strip=True).rstrip("¶") for h in page.select("h2[data-sb-toc]")]
    assert headings == [
        "Aktueller Meilenstein",
        "Wie es weitergeht",
        "Zeitplan",
        "Abrechnung",
        "Meilensteine",
        "Freigabeverlauf",
        "Terminänderungen",
    ]
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
