"""Labels shown on client sites, per language, and locale-aware dates and money (Babel).

Labels live in gettext catalogs, one per language: locale/<lang>/LC_MESSAGES/site_builder.po.
The msgid is the label key ("timeline", stable and short), the English catalog holds the
English text, and each translation carries it as a comment for translators; locale/messages.pot
is the template new languages start from (`python -m site_builder.site.i18n` rewrites it). Catalogs
are compiled in memory when first used: nothing binary is committed, there is no build step.
A label with plural forms is an ngettext entry, its form chosen by the catalog's `Plural-Forms`.
A label missing (or empty, or fuzzy) in the client's language falls back to English;
`missing_labels` lists what is missing so `check` can warn about it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_currency

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "site_builder"
Label = str | tuple[str, ...]  # a label's text, or its plural forms in Plural-Forms order


@functools.cache
def _read(locale_dir: Path, name: str) -> Catalog | None:
    path = locale_dir / name / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return None
    with path.open("rb") as f:
        return read_po(f, domain=DOMAIN)


def catalog(name: str) -> Catalog | None:
    """The catalog of one language ("de", or a regional "de_CH"), None if there is none."""
    return _read(LOCALE_DIR, name)


def languages() -> list[str]:
    """The languages with a catalog."""
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def key_of(message: Message) -> str:
    """A catalog entry's label key (for a plural entry, its msgid)."""
    return message.id if isinstance(message.id, str) else message.id[0]


def labels(name: str) -> dict[str, Label]:
    """The translated labels of one catalog, in catalog order; entries left empty (any plural
    form empty) or marked fuzzy count as untranslated, as gettext tools treat them."""
    found = catalog(name)
    if found is None:
        return {}
    translated: dict[str, Label] = {}
    for m in found:
        text = _filled(m.string)
        if m.id and not m.fuzzy and text is not None:
            translated[key_of(m)] = text
    return translated


def _filled(string: str | tuple[str, ...] | list[str] | None) -> Label | None:
    """A message's text (plural forms as a tuple), None if it or any of its forms is empty."""
    if isinstance(string, (tuple, list)):
        return tuple(string) if all(string) else None
    return string or None


def _lookup_order(language: str) -> list[str]:
    """Catalog names, most specific first: "de-CH" -> ["de_CH", "de", "en"]."""
    code = language.replace("-", "_")
    return list(dict.fromkeys([code, code.split("_")[0], "en"]))


def _translated_in(language: str) -> list[str]:
    """The catalogs a language's own labels come from (not the English fallback)."""
    return [name for name in _lookup_order(language) if name.split("_")[0] != "en"]


def _compiled(name: str) -> gettext.GNUTranslations | None:
    """One catalog's translated labels as gettext translations (a fresh object: fallbacks are
    chained onto it)."""
    found = catalog(name)
    if found is None:
        return None
    done = Catalog(domain=DOMAIN)
    done.mime_headers = found.mime_headers  # Language and Plural-Forms
    for key, text in labels(name).items():
        done.add((key, key) if isinstance(text, tuple) else key, text)
    mo = io.BytesIO()
    write_mo(mo, done)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@functools.cache
def _translations(locale_dir: Path, language: str) -> gettext.NullTranslations:
    """The gettext chain of a language: regional catalog, then base language, then English."""
    chain = None
    for name in reversed(_lookup_order(language)):
        found = _compiled(name)
        if found is not None:
            if chain is not None:
                found.add_fallback(chain)
            chain = found
    return chain or gettext.NullTranslations()


EN: dict[str, Label] = labels("en")


class Translator:
    """Labels, dates and money for one site language."""

    def __init__(self, language: str):
        self.language = language
        self.translations = _translations(LOCALE_DIR, language)
        try:
            self.locale = Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en")

    def __call__(self, key: str, **values) -> str:
        """The label `key` with `values` filled in. A label with plural forms (an ngettext
        entry) takes its form from the `count` value under the catalog's Plural-Forms; an
        unknown key shows as itself."""
        if "count" in values and isinstance(EN.get(key), tuple):
            text = self.translations.ngettext(key, key, values["count"])
        else:
            text = self.translations.gettext(key)
        return text.format(**values) if values else text

    def fields(self, names) -> str:
        """Plan field names as readable labels: "deliverables, acceptance criteria"."""
        return ", ".join(self(f"field.{name}") for name in names)

    def date(self, value: dt.date | None) -> str:
        return format_date(value, format="medium", locale=self.locale) if value else ""

    def month(self, value: dt.date, with_year: bool = False) -> str:
        """A month for an axis: "Nov" or "Nov 2026" ("Nov. 2026", "nov. 2026"...)."""
        return format_skeleton("yMMM" if with_year else "MMM", value, locale=self.locale)

    def money(self, amount: Decimal | None, currency: str, whole: bool = False) -> str:
        """An amount in the locale's format; `whole`: without cents when there are none
        ("€18,000" rather than "€18,000.00", for dense tables)."""
        if amount is None:
            return ""
        if whole and amount == amount.to_integral_value():
            return format_currency(
                amount,
                currency,
                locale=self.locale,
                currency_digits=False,
                format=self.locale.currency_formats["standard"]
                .pattern.replace(".00", "")
                .replace(",00", ""),
            )
        return format_currency(amount, currency, locale=self.locale)


def missing_labels(language: str) -> list[str]:
    """The keys of `EN` with no translation in `language` (or its base language), one per
    missing label, in `EN` order: `check` warns about them, and the site shows them in
    English. Empty for English."""
    names = _translated_in(language)
    if not names:
        return []
    have = {key for name in names for key in labels(name)}
    return [key for key in EN if key not in have]


def extra_labels(language: str) -> list[str]:
    """Keys a catalog has that `EN` does not (a typo, or a label that was removed)."""
    have = [key_of(m) for name in _translated_in(language) for m in catalog(name) or () if m.id]
    return [key for key in dict.fromkeys(have) if key not in EN]


def template() -> Catalog:
    """messages.pot, made from the English catalog: every key, its English text as a comment."""
    english = catalog("en")
    if english is None:
        raise FileNotFoundError(f"no English label catalog in {LOCALE_DIR}")
    pot = Catalog(
        domain=DOMAIN,
        project="site-builder",
        version="labels",
        msgid_bugs_address=english.msgid_bugs_address,
        creation_date=english.creation_date,
        revision_date=english.creation_date,
        header_comment="# Template for a new language of site-builder's client-site "
        "labels.\n# msgid is the label key; the comment above each "
        "entry is its English text.",
    )
    for m in english:
        if m.id:
            text = " | ".join(m.string) if isinstance(m.string, tuple) else m.string
            pot.add(m.id, auto_comments=[f"English: {text}"])
    return pot


if __name__ == "__main__":
    with (LOCALE_DIR / "messages.pot").open("wb") as f:
        write_po(f, template(), width=100)
