"""Password mode, the pages: a built site turned into login shells and encrypted files.

`protect_site` post-processes the folder MkDocs built for one client (build.py calls it before
the site is swapped into place). Afterwards no file holds any text of the plans in clear:

* every page (`*.html`, 404.html included) becomes a small login shell: a generic title
  ("Protected status page"), no client name, no navigation, a password form, the original page
  encrypted (AES-256-GCM), and the script that decrypts it (site_builder/access/unlock.js, inlined,
  so it works under any sub-path and from disk and makes no request; it keeps the key in the
  tab's memory only, never in storage that other pages of the origin can read);
* `status.json` becomes a JSON envelope (password.py); `site-builder decrypt` opens it;
* images and stylesheets a page shows from the plans (badges, the client's logo, favicon and
  stylesheet) are inlined into the encrypted page as data: URIs and removed;
* documents (deliverable files) are encrypted as files/<opaque>.bin; their links are marked
  (with the real file name) so the script downloads and decrypts them;
* file names carry plan text too (project slugs, document names): every page but index.html
  and 404.html gets an opaque name derived from the key;
* sitemap.xml(.gz), objects.inv and any search index are removed (the build has no search
  for these sites); the feed and the calendar are not even rendered (render.py);
* any other file the theme did not provide is encrypted like a document: nothing is left in
  clear by accident when a new kind of file appears.

The keys, the encryption and its formats are in password.py.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .password import Sealer, b64

SHELL_MARK = '<meta name="site-builder" content="protected">'
PLACEHOLDER_MARK = '<meta name="site-builder" content="not-configured">'
UNLOCK_JS = Path(__file__).with_name("unlock.js")
_INLINE_SUFFIXES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".css": "text/css",
}
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_ATTRIBUTE = re.compile(r'(?P<pre>\s(?P<name>src|href)=)"(?P<url>[^"]*)"')


# --- the login shell --------------------------------------------------------------------------

# The shell's own words, in the site's language (English for the others). Nothing in them
# depends on the client.
MESSAGES = {
    "en": {
        "title": "Protected status page",
        "intro": "This status page is protected. Enter the password you were given to open it.",
        "label": "Password",
        "button": "Open",
        "checking": "Checking the password…",
        "wrong": "That password did not open the page. Check it and try again.",
        "empty": "Enter the password.",
        "insecure": "This page can only be opened over HTTPS: the browser's cryptography is not "
        "available here.",
        "noscript": "This page needs JavaScript: it is decrypted in your browser.",
        "document_failed": "could not be downloaded",
        "unavailable_title": "Status page not available",
        "unavailable": "This status page is not available yet. Please check back later or ask "
        "your project team.",
    },
    "de": {
        "title": "Geschützte Statusseite",
        "intro": "Diese Statusseite ist geschützt. Geben Sie das Passwort ein, das Sie "
        "erhalten haben.",
        "label": "Passwort",
        "button": "Öffnen",
        "checking": "Passwort wird geprüft…",
        "wrong": "Mit diesem Passwort lässt sich die Seite nicht öffnen. Bitte prüfen Sie es "
        "und versuchen Sie es erneut.",
        "empty": "Bitte geben Sie das Passwort ein.",
        "insecure": "Diese Seite lässt sich nur über HTTPS öffnen: die Kryptografie des "
        "Browsers ist hier nicht verfügbar.",
        "noscript": "Diese Seite braucht JavaScript: sie wird in Ihrem Browser entschlüsselt.",
        "document_failed": "konnte nicht heruntergeladen werden",
        "unavailable_title": "Statusseite nicht verfügbar",
        "unavailable": "Diese Statusseite ist noch nicht verfügbar. Bitte schauen Sie später "
        "wieder vorbei oder fragen Sie Ihr Projektteam.",
    },
    "fr": {
        "title": "Page de suivi protégée",
        "intro": "Cette page de suivi est protégée. Saisissez le mot de passe qui vous a été "
        "communiqué.",
        "label": "Mot de passe",
        "button": "Ouvrir",
        "checking": "Vérification du mot de passe…",
        "wrong": "Ce mot de passe n’ouvre pas la page. Vérifiez-le et réessayez.",
        "empty": "Saisissez le mot de passe.",
        "insecure": "Cette page ne s’ouvre qu’en HTTPS : la cryptographie du navigateur n’est "
        "pas disponible ici.",
        "noscript": "Cette page a besoin de JavaScript : elle est déchiffrée dans votre "
        "navigateur.",
        "document_failed": "n’a pas pu être téléchargé",
        "unavailable_title": "Page de suivi indisponible",
        "unavailable": "Cette page de suivi n’est pas encore disponible. Revenez plus tard ou "
        "contactez votre équipe projet.",
    },
    "es": {
        "title": "Página de estado protegida",
        "intro": "Esta página de estado está protegida. Introduzca la contraseña que recibió.",
        "label": "Contraseña",
        "button": "Abrir",
        "checking": "Comprobando la contraseña…",
        "wrong": "Esa contraseña no abre la página. Compruébela e inténtelo de nuevo.",
        "empty": "Introduzca la contraseña.",
        "insecure": "Esta página solo se abre por HTTPS: la criptografía del navegador no está "
        "disponible aquí.",
        "noscript": "Esta página necesita JavaScript: se descifra en su navegador.",
        "document_failed": "no se pudo descargar",
        "unavailable_title": "Página de estado no disponible",
        "unavailable": "Esta página de estado aún no está disponible. Vuelva más tarde o "
        "consulte a su equipo de proyecto.",
    },
    "nl": {
        "title": "Beveiligde statuspagina",
        "intro": "Deze statuspagina is beveiligd. Voer het wachtwoord in dat u hebt gekregen.",
        "label": "Wachtwoord",
        "button": "Openen",
        "checking": "Wachtwoord wordt gecontroleerd…",
        "wrong": "Met dit wachtwoord opent de pagina niet. Controleer het en probeer het opnieuw.",
        "empty": "Voer het wachtwoord in.",
        "insecure": "Deze pagina opent alleen via HTTPS: de cryptografie van de browser is hier "
        "niet beschikbaar.",
        "noscript": "Deze pagina heeft JavaScript nodig: ze wordt in uw browser ontsleuteld.",
        "document_failed": "kon niet worden gedownload",
        "unavailable_title": "Statuspagina niet beschikbaar",
        "unavailable": "Deze statuspagina is nog niet beschikbaar. Kom later terug of vraag het "
        "uw projectteam.",
    },
}

_STYLE = """\
:root{color-scheme:light dark;--fg:#1f2328;--bg:#f6f8fa;--card:#fff;--line:#8c959f;\
--accent:#3949ab;--error:#b3261e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--card:#161b22;\
--line:#6e7681;--accent:#9fa8da;--error:#ffb4ab}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);\
background:var(--bg)}
main{width:min(26rem,92vw);padding:2rem;background:var(--card);border:1px solid var(--line);\
border-radius:8px}
h1{font-size:1.4rem;margin:0 0 .75rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;font:inherit;padding:.5rem .6rem;border:1px solid var(--line);\
border-radius:4px;background:var(--card);color:var(--fg)}
button{margin-top:1rem;font:inherit;font-weight:600;padding:.5rem 1.25rem;border:0;\
border-radius:4px;background:var(--accent);color:var(--card);cursor:pointer}
button:disabled{opacity:.6;cursor:progress}
input:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
#sb-error{color:var(--error);font-weight:600}
#sb-progress:empty,#sb-error:empty{display:none}
"""


def messages(language: str) -> tuple[str, dict[str, str]]:
    """(html lang, texts) for a site language; English when we have no translation."""
    base = language.split("-")[0].lower()
    return (language, MESSAGES[base]) if base in MESSAGES else ("en", MESSAGES["en"])


def _script_json(data) -> str:
    """JSON safe inside <script>: no `</script>` or `<!--` can appear."""
    return json.dumps(data, ensure_ascii=True, sort_keys=True).replace("<", "\\u003c")


def _unlock_js() -> str:
    return UNLOCK_JS.read_text(encoding="utf-8").replace("</", "<\\/")


def _standalone_page(lang: str, mark: str, title: str, main: str, tail: str = "") -> str:
    """A self-contained page (no theme, no request anywhere): the login shell or placeholder."""
    e = html.escape
    return f"""<!doctype html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
{mark}
<link rel="icon" href="data:,">
<title>{e(title)}</title>
<style>
{_STYLE}</style>
</head>
<body>
<main>
{main}</main>
{tail}</body>
</html>
"""


def shell(envelope: dict, language: str) -> str:
    """The login page that replaces a protected page; generic, it names nothing."""
    lang, t = messages(language)
    keep = ("checking", "wrong", "empty", "insecure", "document_failed")
    e = html.escape
    main = f"""<h1>{e(t["title"])}</h1>
<p>{e(t["intro"])}</p>
<form id="sb-form" hidden>
<label for="sb-password">{e(t["label"])}</label>
<input id="sb-password" name="password" type="password" autocomplete="current-password" required aria-describedby="sb-error">
<button id="sb-submit" type="submit">{e(t["button"])}</button>
</form>
<p id="sb-progress" role="status" aria-live="polite"></p>
<p id="sb-error" role="alert" aria-live="assertive"></p>
<noscript><p>{e(t["noscript"])}</p></noscript>
"""
    tail = f"""<script type="application/json" id="sb-messages">{_script_json({k: t[k] for k in keep})}</script>
<script type="application/json" id="sb-envelope">{_script_json(envelope)}</script>
<script>
{_unlock_js()}</script>
"""
    return _standalone_page(lang, SHELL_MARK, t["title"], main, tail)


def placeholder_page(language: str) -> str:
    """What a password site shows when its password was not configured for the build: no
    content at all (never the site unencrypted)."""
    lang, t = messages(language)
    e = html.escape
    main = f"""<h1>{e(t["unavailable_title"])}</h1>
<p>{e(t["unavailable"])}</p>
"""
    return _standalone_page(lang, PLACEHOLDER_MARK, t["unavailable_title"], main)


def write_placeholder(site_dir: Path, language: str) -> None:
    """A password site whose password is not set: index.html and 404.html, nothing else."""
    site_dir.mkdir(parents=True, exist_ok=True)
    page = placeholder_page(language).encode("utf-8")
    for name in ("index.html", "404.html"):
        (site_dir / name).write_bytes(page)


# --- the site ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineFiles:
    """What the static site engine writes beside the pages. The engine names them
    (engines/mkdocs: THEME_FOLDER, PAGE_LISTINGS, PAGE_LISTING_FOLDERS); build passes them in."""

    theme_folder: str  # the theme's own files, the same for every client: kept in clear
    listings: frozenset[str]  # files naming every page (sitemaps, inventories): removed
    listing_folders: frozenset[str]  # folders of such files (a search index): removed


@dataclass
class Protected:
    """What protect_site did (for tests and messages): paths relative to the site."""

    pages: int = 0
    encrypted: list[str] = field(default_factory=list)  # other files, encrypted in place
    inlined: list[str] = field(default_factory=list)  # into the pages, then removed
    removed: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # old path -> opaque path


def protect_site(
    site_dir: Path, sealer: Sealer, language: str, generated: Iterable[str], engine: EngineFiles
) -> Protected:
    """Encrypt the site MkDocs built in `site_dir` in place (see the module docstring).

    `generated` lists the files the build made from the plans (SiteBundle.files: status.json,
    badges, the client's logo/favicon/stylesheet, documents). Files are replaced, never
    written into: theme files are hard links shared with other sites (AssetStore).

    File names carry plan text too (project slugs, document names), so every page but
    index.html and 404.html gets an opaque name of the same depth (relative links to the
    theme stay valid), and every encrypted file goes to files/<opaque>.bin. Names are derived
    from the key: stable across builds with the same password, unguessable without it.
    """
    site_dir = Path(site_dir)
    generated = {str(PurePosixPath(p)) for p in generated}
    files = sorted(
        str(p.relative_to(site_dir).as_posix())
        for p in site_dir.rglob("*")
        if p.is_file() or p.is_symlink()
    )
    inline = {
        p
        for p in generated
        if PurePosixPath(p).suffix.lower() in _INLINE_SUFFIXES
        and p.split("/", 1)[0] in ("assets", "badges")
    }
    pages = [p for p in files if p.endswith(".html") and p not in generated]
    data_uris = {p: _data_uri(site_dir / p) for p in inline if (site_dir / p).is_file()}
    report = Protected(inlined=sorted(data_uris))
    keep, sealed, renamed = [], [], {}
    for rel in files:
        top = rel.split("/", 1)[0]
        if rel in pages:
            if rel not in ("index.html", "404.html"):
                renamed[rel] = sealer.opaque_page(rel)
        elif rel == "status.json":
            continue  # a documented name: machines fetch it
        elif rel in inline or rel in engine.listings or top in engine.listing_folders:
            (site_dir / rel).unlink()
            report.removed.append(rel)
        elif (
            top == engine.theme_folder
            and rel not in generated
            and not (site_dir / rel).is_symlink()
        ):
            keep.append(rel)  # the theme's own files: the same for every client
        else:  # documents, and anything unexpected: never left in clear
            sealed.append(rel)
            renamed[rel] = sealer.opaque_file(rel)

    for rel in pages:
        text = (site_dir / rel).read_text(encoding="utf-8")
        new = renamed.get(rel, rel)
        text = _rewrite_links(rel, new, text, data_uris, renamed, set(sealed))
        envelope = sealer.envelope(new, text.encode("utf-8"))
        _move(site_dir, rel, new, shell(envelope, language).encode("utf-8"))
        report.pages += 1
    for rel in sealed:
        new = renamed[rel]
        _move(site_dir, rel, new, sealer.binary(new, (site_dir / rel).read_bytes()))
        report.encrypted.append(rel)
    if (site_dir / "status.json").is_file():
        envelope = sealer.envelope("status.json", (site_dir / "status.json").read_bytes())
        _replace(
            site_dir / "status.json",
            (json.dumps(envelope, indent=2, sort_keys=True) + "\n").encode("utf-8"),
        )
        report.encrypted.append("status.json")
    for folder in sorted((p for p in site_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    report.renamed = dict(sorted(renamed.items()))
    return report


def _data_uri(path: Path) -> str:
    mime = _INLINE_SUFFIXES[path.suffix.lower()]
    return f"data:{mime};base64,{b64(path.read_bytes())}"


def _rewrite_links(
    page: str,
    new_page: str,
    text: str,
    data_uris: dict[str, str],
    renamed: dict[str, str],
    sealed: set[str],
) -> str:
    """Point a page at inlined images instead of their files, at the opaque names of pages
    and files, and mark links to encrypted documents (with their real name, for the download)
    so the unlock script fetches and decrypts them."""
    folder, new_folder = posixpath.dirname(page), posixpath.dirname(new_page)

    def replace(match: re.Match) -> str:
        url = html.unescape(match["url"])
        if not url or url.startswith(("#", "/", "data:")) or _SCHEME.match(url):
            return match[0]
        path, _, fragment = url.partition("#")
        path = unquote(path.split("?", 1)[0])
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved in data_uris:
            return f'{match["pre"]}"{data_uris[resolved]}"'
        if resolved not in renamed:
            return match[0]
        moved = posixpath.relpath(renamed[resolved], new_folder or ".")
        out = f'{match["pre"]}"{html.escape(moved + ("#" + fragment if fragment else ""))}"'
        if resolved in sealed and match["name"] == "href":
            name = html.escape(posixpath.basename(resolved))
            out += f' data-sb-encrypted="" data-sb-name="{name}"'
        return out

    return _URL_ATTRIBUTE.sub(replace, text)


def _move(site_dir: Path, old: str, new: str, data: bytes) -> None:
    """Write `data` as `new` and remove `old` (the same file when the name is kept)."""
    target = site_dir / new
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, data)
    if new != old:
        (site_dir / old).unlink()


def _replace(path: Path, data: bytes) -> None:
    """Write a new file in place of `path` (a new inode: hard links elsewhere keep theirs)."""
    temporary = path.with_name(path.name + ".sb-new")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def is_shell(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(2048)
    except OSError:
        return False
    return SHELL_MARK.encode() in head
