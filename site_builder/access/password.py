"""Password mode: encrypt a built site so that only people with the password can read it.

`protect_site` post-processes the folder MkDocs built for one client (build.py calls it before
the site is swapped into place). Afterwards no file holds any text of the plans in clear:

* every page (`*.html`, 404.html included) becomes a small login shell: a generic title
  ("Protected status page"), no client name, no navigation, a password form, the original page
  encrypted (AES-256-GCM), and the script that decrypts it (site_builder/access/unlock.js, inlined,
  so it works under any sub-path and from disk and makes no request; it keeps the key in the
  tab's memory only, never in storage that other pages of the origin can read);
* `status.json` becomes a JSON envelope (below); `site-builder decrypt` opens it;
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

Salt. The key is PBKDF2-HMAC-SHA256(password, salt, 600,000 iterations), derived once per
client build (`sealer_for`). The salt (16 bytes, stored in every envelope) must be unknown
before the site is published, or an attacker could precompute guesses for a client's site
(a salt derived from the slug allowed exactly that), and must change with the password. So:

* by default it is random (os.urandom), made when the site is first built or its password
  changes, and reused while the previous build in OUT still opens with the password (that
  build's index.html is decrypted with the key derived from its salt). Rebuilding into the
  same OUT is byte-identical; two builds into empty folders differ in every encrypted byte
  and in the opaque page names (the decrypted contents are identical);
* with SITE_BUILDER_SALT_SECRET set (CI secrets, like the link secret), it is
  HMAC-SHA256(secret, "site-builder-salt\\0" + slug + "\\0" + password)[:16]: reproducible
  from the same inputs and secret in any folder (the same addresses after every CI build),
  unknown without the secret, new with every password.

Determinism. Each file's GCM nonce (IV) is synthetic, SIV-style: HMAC-SHA256(iv_key, path +
"\\0" + plaintext) truncated to 12 bytes, with iv_key = HMAC-SHA256(key, "site-builder-iv").
GCM breaks if one (key, IV) pair ever encrypts two different plaintexts; a random IV would
avoid that but make every build different. A PRF of the whole plaintext (and its path) under a
secret key gives the same IV only for the same (path, plaintext), where the ciphertext is the
same anyway, and different IVs otherwise (a 96-bit collision is negligible). What it reveals:
that a file did not change between two builds (with the same salt).

The JSON envelope (status.json, and the page inside every shell):

    {"format": "site-builder-encrypted/1", "cipher": "AES-256-GCM",
     "kdf": {"name": "PBKDF2-HMAC-SHA256", "iterations": 600000, "salt": "<base64>"},
     "iv": "<base64, 12 bytes>", "ciphertext": "<base64: ciphertext, then the 16-byte tag>"}

An encrypted document is b"SBENC1\\n", the iterations (4 bytes, big-endian), the salt (16),
the IV (12), then the ciphertext and tag.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import SiteBuilderError

FORMAT = "site-builder-encrypted/1"
ITERATIONS = 600_000  # OWASP's figure for PBKDF2-HMAC-SHA256 (2023)
MIN_PASSWORD = 12  # characters; shorter ones get a warning (offline guessing)
MAGIC = b"SBENC1\n"
SHELL_MARK = '<meta name="site-builder" content="protected">'
PLACEHOLDER_MARK = '<meta name="site-builder" content="not-configured">'
UNLOCK_JS = Path(__file__).with_name("unlock.js")
_INLINE_SUFFIXES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
                    ".ico": "image/x-icon", ".css": "text/css"}
_REMOVED = {"sitemap.xml", "sitemap.xml.gz", "objects.inv"}
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_ATTRIBUTE = re.compile(r'(?P<pre>\s(?P<name>src|href)=)"(?P<url>[^"]*)"')
_ENVELOPE_IN_SHELL = re.compile(
    r'<script type="application/json" id="sb-envelope">(.*?)</script>', re.S)


class DecryptError(SiteBuilderError):
    """A file could not be decrypted: not encrypted by site-builder, or the wrong password."""


class SaltSecretError(SiteBuilderError):
    """SITE_BUILDER_SALT_SECRET is set but too short to keep salts unpredictable."""


class Secret:
    """A password on its way to a worker: never shown by repr, str or a traceback's locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __reduce__(self):  # workers receive it pickled, like the rest of the job
        return (Secret, (self._value,))


# --- keys -------------------------------------------------------------------------------------


SALT_SECRET_ENV = "SITE_BUILDER_SALT_SECRET"
MIN_SALT_SECRET = 16  # characters; `openssl rand -hex 32` gives 64
SALT_BYTES = 16


def salt_secret(environ: Mapping[str, str] | None = None) -> Secret | None:
    """The secret that pins salts (module docstring, "Salt"); None when not set."""
    value = (os.environ if environ is None else environ).get(SALT_SECRET_ENV, "")
    if not value:
        return None
    if len(value) < MIN_SALT_SECRET:
        raise SaltSecretError(f"{SALT_SECRET_ENV} is too short ({len(value)} characters; at "
                              f"least {MIN_SALT_SECRET}): make one with `openssl rand -hex 32`")
    return Secret(value)


def pinned_salt(secret: str, slug: str, password: str) -> bytes:
    """The salt of a site built with SALT_SECRET_ENV set: a PRF of slug and password."""
    message = b"site-builder-salt\0" + slug.encode("utf-8") + b"\0" + password.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()[:SALT_BYTES]


def sealer_for(slug: str, password: str, previous_site: Path | None = None,
               secret: Secret | None = None) -> Sealer:
    """The sealer of a site: its salt pinned by `secret`, else the salt of `previous_site`
    (the last build in OUT) while the password still opens it, else a new random one."""
    if secret is not None:
        salt = pinned_salt(secret.reveal(), slug, password)
        return Sealer(derive_key(password, salt), salt)
    reused = _previous_sealer(slug, password, previous_site) if previous_site else None
    if reused is not None:
        return reused
    salt = os.urandom(SALT_BYTES)
    return Sealer(derive_key(password, salt), salt)


def _previous_sealer(slug: str, password: str, site: Path) -> Sealer | None:
    """The sealer of an earlier build of this site, if `password` opens its index.html."""
    try:
        envelope = envelope_of((site / "index.html").read_bytes())
        if envelope is None or envelope["kdf"]["iterations"] != ITERATIONS:
            return None
        salt = base64.b64decode(envelope["kdf"]["salt"], validate=True)
        iv, ciphertext = (base64.b64decode(envelope[k], validate=True)
                          for k in ("iv", "ciphertext"))
    except (OSError, KeyError, TypeError, ValueError):
        return None
    # Earlier versions derived the salt from the slug: anyone could precompute it.
    slug_salt = hashlib.sha256(b"site-builder-salt\0" + slug.encode("utf-8")).digest()[:16]
    if len(salt) != SALT_BYTES or salt == slug_salt:
        return None
    key = derive_key(password, salt)
    try:
        AESGCM(key).decrypt(iv, ciphertext, None)
    except (InvalidTag, ValueError):
        return None  # another password: a new salt
    return Sealer(key, salt)


def derive_key(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    """The AES-256 key (what the browser derives with Web Crypto from the same inputs)."""
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, dklen=32)


@dataclass(frozen=True)
class Sealer:
    """Encrypts files of one site under one key, deterministically (synthetic IVs)."""

    key: bytes
    salt: bytes
    iterations: int = ITERATIONS

    def __repr__(self) -> str:
        return "Sealer(***)"

    def _iv(self, path: str, plaintext: bytes) -> bytes:
        # SIV-style nonce: see the module docstring. Path and plaintext are both covered, so
        # a nonce repeats only for the very same (path, plaintext).
        iv_key = hmac.new(self.key, b"site-builder-iv", hashlib.sha256).digest()
        mac = hmac.new(iv_key, path.encode("utf-8") + b"\0", hashlib.sha256)
        mac.update(plaintext)
        return mac.digest()[:12]

    def seal(self, path: str, plaintext: bytes) -> tuple[bytes, bytes]:
        iv = self._iv(path, plaintext)
        return iv, AESGCM(self.key).encrypt(iv, plaintext, None)

    def envelope(self, path: str, plaintext: bytes) -> dict:
        iv, ciphertext = self.seal(path, plaintext)
        return {"format": FORMAT, "cipher": "AES-256-GCM",
                "kdf": {"name": "PBKDF2-HMAC-SHA256", "iterations": self.iterations,
                        "salt": _b64(self.salt)},
                "iv": _b64(iv), "ciphertext": _b64(ciphertext)}

    def _name(self, path: str) -> str:
        name_key = hmac.new(self.key, b"site-builder-names", hashlib.sha256).digest()
        return hmac.new(name_key, path.encode("utf-8"), hashlib.sha256).hexdigest()[:24]

    def opaque_page(self, path: str) -> str:
        """An opaque name for a page, at the same depth (its relative links keep working)."""
        parts = path.split("/")
        folders = [self._name("/".join(parts[:i + 1]) + "/")[:12] for i in range(len(parts) - 1)]
        return "/".join([*folders, self._name(path) + ".html"])

    def opaque_file(self, path: str) -> str:
        return f"files/{self._name(path)}.bin"

    def binary(self, path: str, plaintext: bytes) -> bytes:
        iv, ciphertext = self.seal(path, plaintext)
        return MAGIC + self.iterations.to_bytes(4, "big") + self.salt + iv + ciphertext


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- the login shell --------------------------------------------------------------------------

# The shell's own words, in the site's language (English for the others). Nothing in them
# depends on the client.
MESSAGES = {
    "en": {
        "title": "Protected status page",
        "intro": "This status page is protected. Enter the password you were given to open it.",
        "label": "Password", "button": "Open",
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
        "label": "Passwort", "button": "Öffnen",
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
        "label": "Mot de passe", "button": "Ouvrir",
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
        "label": "Contraseña", "button": "Abrir",
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
        "label": "Wachtwoord", "button": "Openen",
        "checking": "Wachtwoord wordt gecontroleerd…",
        "wrong": "Met dit wachtwoord opent de pagina niet. Controleer het en probeer het "
                 "opnieuw.",
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


@dataclass
class Protected:
    """What protect_site did (for tests and messages): paths relative to the site."""

    pages: int = 0
    encrypted: list[str] = field(default_factory=list)  # other files, encrypted in place
    inlined: list[str] = field(default_factory=list)  # into the pages, then removed
    removed: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # old path -> opaque path


def protect_site(site_dir: Path, sealer: Sealer, language: str,
                 generated: Iterable[str]) -> Protected:
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
    files = sorted(str(p.relative_to(site_dir).as_posix()) for p in site_dir.rglob("*")
                   if p.is_file() or p.is_symlink())
    inline = {p for p in generated if PurePosixPath(p).suffix.lower() in _INLINE_SUFFIXES
              and p.split("/", 1)[0] in ("assets", "badges")}
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
        elif rel in inline or rel in _REMOVED or top == "search":
            (site_dir / rel).unlink()
            report.removed.append(rel)
        elif top == "assets" and rel not in generated and not (site_dir / rel).is_symlink():
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
        _replace(site_dir / "status.json",
                 (json.dumps(envelope, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        report.encrypted.append("status.json")
    for folder in sorted((p for p in site_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    report.renamed = dict(sorted(renamed.items()))
    return report


def _data_uri(path: Path) -> str:
    mime = _INLINE_SUFFIXES[path.suffix.lower()]
    return f"data:{mime};base64,{_b64(path.read_bytes())}"


def _rewrite_links(page: str, new_page: str, text: str, data_uris: dict[str, str],
                   renamed: dict[str, str], sealed: set[str]) -> str:
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


# --- decrypting (site-builder decrypt, and tests) ---------------------------------------------


def envelope_of(data: bytes) -> dict | None:
    """The JSON envelope in an encrypted status.json or a login shell; None if neither."""
    text = data.decode("utf-8", "replace")
    match = _ENVELOPE_IN_SHELL.search(text)
    try:
        found = json.loads(match.group(1) if match else text)
    except ValueError:
        return None
    return found if isinstance(found, dict) and found.get("format") == FORMAT else None


def decrypt(data: bytes, password: str) -> bytes:
    """The plaintext of a file protect_site encrypted: a page (login shell), status.json or a
    document. Raises DecryptError for anything else or a wrong password."""
    try:
        if data.startswith(MAGIC):
            offset = len(MAGIC)
            iterations = int.from_bytes(data[offset:offset + 4], "big")
            salt = data[offset + 4:offset + 20]
            iv, ciphertext = data[offset + 20:offset + 32], data[offset + 32:]
        else:
            envelope = envelope_of(data)
            if envelope is None:
                raise DecryptError("not a file encrypted by site-builder (a page, status.json "
                                   "or a document of a password-protected site)")
            iterations = int(envelope["kdf"]["iterations"])
            salt = base64.b64decode(envelope["kdf"]["salt"])
            iv = base64.b64decode(envelope["iv"])
            ciphertext = base64.b64decode(envelope["ciphertext"])
        if not 1 <= iterations <= 10_000_000:
            raise DecryptError("implausible key derivation parameters")
        key = derive_key(password, salt, iterations)
        return AESGCM(key).decrypt(iv, ciphertext, None)
    except InvalidTag:
        raise DecryptError("wrong password (or the file was changed)") from None
    except (KeyError, TypeError, ValueError):
        raise DecryptError("the encrypted file is damaged") from None


def is_shell(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(2048)
    except OSError:
        return False
    return SHELL_MARK.encode() in head
