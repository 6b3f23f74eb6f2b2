"""Password mode, the cryptography: keys, the Sealer that encrypts a site's files, and
decrypting them (`site-builder decrypt`). What becomes of the pages is in shell.py.

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
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import SiteBuilderError

FORMAT = "site-builder-encrypted/1"
ITERATIONS = 600_000  # OWASP's figure for PBKDF2-HMAC-SHA256 (2023)
MIN_PASSWORD = 12  # characters; shorter ones get a warning (offline guessing)
MAGIC = b"SBENC1\n"


_ENVELOPE_IN_SHELL = re.compile(
    r'<script type="application/json" id="sb-envelope">(.*?)</script>', re.S
)


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
        raise SaltSecretError(
            f"{SALT_SECRET_ENV} is too short ({len(value)} characters; at "
            f"least {MIN_SALT_SECRET}): make one with `openssl rand -hex 32`"
        )
    return Secret(value)


def pinned_salt(secret: str, slug: str, password: str) -> bytes:
    """The salt of a site built with SALT_SECRET_ENV set: a PRF of slug and password."""
    message = b"site-builder-salt\0" + slug.encode("utf-8") + b"\0" + password.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()[:SALT_BYTES]


def sealer_for(
    slug: str, password: str, previous_site: Path | None = None, secret: Secret | None = None
) -> Sealer:
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
        iv, ciphertext = (
            base64.b64decode(envelope[k], validate=True) for k in ("iv", "ciphertext")
        )
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
        return {
            "format": FORMAT,
            "cipher": "AES-256-GCM",
            "kdf": {
                "name": "PBKDF2-HMAC-SHA256",
                "iterations": self.iterations,
                "salt": b64(self.salt),
            },
            "iv": b64(iv),
            "ciphertext": b64(ciphertext),
        }

    def _name(self, path: str) -> str:
        name_key = hmac.new(self.key, b"site-builder-names", hashlib.sha256).digest()
        return hmac.new(name_key, path.encode("utf-8"), hashlib.sha256).hexdigest()[:24]

    def opaque_page(self, path: str) -> str:
        """An opaque name for a page, at the same depth (its relative links keep working)."""
        parts = path.split("/")
        folders = [self._name("/".join(parts[: i + 1]) + "/")[:12] for i in range(len(parts) - 1)]
        return "/".join([*folders, self._name(path) + ".html"])

    def opaque_file(self, path: str) -> str:
        return f"files/{self._name(path)}.bin"

    def binary(self, path: str, plaintext: bytes) -> bytes:
        iv, ciphertext = self.seal(path, plaintext)
        return MAGIC + self.iterations.to_bytes(4, "big") + self.salt + iv + ciphertext


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


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
            iterations = int.from_bytes(data[offset : offset + 4], "big")
            salt = data[offset + 4 : offset + 20]
            iv, ciphertext = data[offset + 20 : offset + 32], data[offset + 32 :]
        else:
            envelope = envelope_of(data)
            if envelope is None:
                raise DecryptError(
                    "not a file encrypted by site-builder (a page, status.json "
                    "or a document of a password-protected site)"
                )
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
