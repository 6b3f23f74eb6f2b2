"""The agency's settings: site-builder.yml in the plans repository, laid over the base.

site-builder ships a base configuration (its mkdocs.yml) holding no agency's name. An agency
adopting the tool keeps its own name, colours, logo, footer and stylesheets in
`site-builder.yml` beside the plans folder (or a file given with `--settings`); each client's
client.yml is laid over these in turn. The schema is `schema.AGENCY` (also exported for
editors as agency.schema.json).

Nothing here can weaken a site: the settings are text, colours and files that go through the
same checks as a client's branding (inert SVG and CSS), and the MkDocs protections are applied
after them (engines/mkdocs/).
"""

from __future__ import annotations

import email.utils
import html
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import Diagnostics
from . import inert, schema, yamlsafe
from .files import read_text

SETTINGS_NAME = "site-builder.yml"
MAX_SETTINGS_BYTES = 200_000
MAX_FILE_BYTES = 2_000_000
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif")


@dataclass(frozen=True)
class AgencySettings:
    """What site-builder.yml says (all optional); `path` is None when there is no file."""

    path: Path | None = None
    name: str | None = None
    primary_color: str | None = None
    accent_color: str | None = None
    logo: Path | None = None
    footer: str | None = None
    copyright: str | None = None
    languages: tuple[str, ...] = ()
    languages_line: int = 0
    extra_css: tuple[Path, ...] = ()
    email_from: str | None = None  # the From of e-mail digests ("Name <address>")

    @property
    def footer_html(self) -> str | None:
        """The footer of every page as HTML (MkDocs prints `copyright` unescaped): the footer
        text (default `Status page by NAME`), then the copyright line."""
        footer = (
            self.footer
            if self.footer is not None
            else (f"Status page by {self.name}" if self.name else None)
        )
        lines = [html.escape(text) for text in (footer, self.copyright) if text]
        return "<br>".join(lines) or None


def settings_path(plans: Path, settings: Path | None = None) -> Path:
    """Where the agency's settings are: `--settings FILE`, else site-builder.yml in the
    folder that holds the plans folder."""
    return Path(settings) if settings is not None else Path(plans).resolve().parent / SETTINGS_NAME


def load_settings(plans: Path, settings: Path | None = None) -> tuple[AgencySettings, Diagnostics]:
    """Read and check the agency's settings; no file is no settings (a given --settings
    file must exist)."""
    diags = Diagnostics()
    path = settings_path(plans, settings)
    if not path.is_file():
        if settings is not None:
            diags.error(path, 0, "the settings file does not exist")
        return AgencySettings(), diags
    text = read_text(path, MAX_SETTINGS_BYTES, diags)  # the plan files' reader and its rules
    if text is None:
        return AgencySettings(path), diags
    node = yamlsafe.parse(text)
    if isinstance(node, yamlsafe.YamlProblem):
        diags.error(path, node.line, node.message)
        return AgencySettings(path), diags
    if node is None:
        return AgencySettings(path), diags
    fields = schema.AGENCY.convert(node, schema.Ctx(path, diags))
    if fields is schema.INVALID:
        return AgencySettings(path), diags
    colors = fields.get("colors") or {}
    logo = _file(path, fields, "logo", LOGO_SUFFIXES, diags)
    css = []
    for i, rel in enumerate(fields.get("extra_css") or []):
        line = fields["extra_css"].lines[i]
        found = _file(path, {"extra_css": rel}, "extra_css", (".css",), diags, line)
        if found is not None:
            css.append(found)
    languages = fields.get("languages") or ()
    return AgencySettings(
        path=path,
        name=fields.get("name"),
        primary_color=colors.get("primary"),
        accent_color=colors.get("accent"),
        logo=logo,
        footer=fields.get("footer"),
        copyright=fields.get("copyright"),
        languages=tuple(languages),
        languages_line=fields.line_of("languages"),
        extra_css=tuple(css),
        email_from=email.utils.formataddr(fields["email_from"])
        if fields.get("email_from")
        else None,
    ), diags


def _file(
    settings: Path,
    fields,
    key: str,
    suffixes: tuple[str, ...],
    diags: Diagnostics,
    line: int | None = None,
) -> Path | None:
    """A file named in the settings, relative to them, if it exists and is safe to publish."""
    rel = fields.get(key)
    if rel is None:
        return None
    line = line if line is not None else fields.line_of(key)
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or ":" in pure.parts[0]:
        diags.error(
            settings,
            line,
            f"`{key}` must be a path inside the folder of {settings.name}, not `{rel}`",
        )
        return None
    file = settings.parent.joinpath(*pure.parts)
    if not file.is_file():
        diags.error(settings, line, f"`{key}`: file not found: {rel}")
        return None
    if file.suffix.lower() not in suffixes:
        diags.error(settings, line, f"`{key}` must be one of: {', '.join(suffixes)}")
        return None
    if file.stat().st_size > MAX_FILE_BYTES:
        diags.error(settings, line, f"`{key}` is larger than {MAX_FILE_BYTES // 1_000_000} MB")
        return None
    data = file.read_bytes()
    if file.suffix.lower() == ".svg":
        problem = inert.svg_problem(data)
        if problem:
            diags.error(
                settings,
                line,
                f"`{key}` SVG is not inert ({file.name} line "
                f"{problem.line}: {problem.message}); a published SVG "
                f"may hold only {inert.SVG_ALLOWED}",
            )
            return None
    if file.suffix.lower() == ".css":
        try:
            problem = inert.css_problem(data.decode("utf-8"))
        except UnicodeDecodeError:
            diags.error(settings, line, f"`{key}`: {rel} is not UTF-8 text")
            return None
        if problem:
            diags.error(
                settings,
                line,
                f"`{key}` must not @import other files or load url()s "
                f"(sites make no third-party requests): {file.name} "
                f"line {problem.line}: `{problem.message}` is not "
                f"allowed; a stylesheet may use {inert.CSS_ALLOWED}",
            )
            return None
    return file


def language_problem(settings: AgencySettings, language: str) -> str | None:
    """Why a client's site language is not one the agency allows, if it is not."""
    if not settings.languages or language in settings.languages:
        return None
    return (
        f"`language`: `{language}` is not one of the agency's languages "
        f"({', '.join(settings.languages)}; `languages` in {SETTINGS_NAME})"
    )
