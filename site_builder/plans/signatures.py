"""Verify detached SSH signatures of approval notes with OpenSSH's `ssh-keygen -Y`.

A note is `verified` when its .sig verifies over the note's exact bytes, under the namespace
`milestone-approval`, with a key of the client.yml signer whose email is the note's `by:` email
and that is valid on the note's `date:`. `ssh-keygen -Y check-novalidate` tells a valid
signature by someone else (`unknown-signer`) from a broken one (`invalid`).

Key windows (`valid_after` / `valid_before`) are whole dates, both inclusive, compared with the
note's `date:` -- the date the signer signed, not a commit or file time. That is what OpenSSH's
allowed_signers `valid-after` / `valid-before` ("at or after" / "at or before") mean with
`-Overify-time` set to the note's date; the keys valid on that date are chosen here and only
those are written to the allowed_signers file, so any ssh-keygen with `-Y` gives the same
answer. A retired key (valid_before set) keeps verifying the notes dated up to its last day and
cannot verify a note dated later, even one signed with it; a new key (valid_after set) cannot
verify a note dated before it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..model import Signer, SigningKey

NAMESPACE = "milestone-approval"
VERIFIED, UNSIGNED, INVALID, UNKNOWN_SIGNER = "verified", "unsigned", "invalid", "unknown-signer"
STATES = (VERIFIED, UNSIGNED, INVALID, UNKNOWN_SIGNER)
MAX_SIGNATURE_BYTES = 16_384
_TIMEOUT = 20


class SshKeygenMissing(Exception):
    """ssh-keygen is not installed, so signatures cannot be checked."""


def allowed_signers_text(entries: Iterable[tuple[str, SigningKey]]) -> str:
    """An allowed_signers file (`ssh-keygen -Y verify -f`): one line per (email, key)."""
    lines = []
    for email, entry in entries:
        key_type, key_data = entry.key.split()[:2]  # drop the key comment
        lines.append(f'{email} namespaces="{NAMESPACE}" {key_type} {key_data}\n')
    return "".join(lines)


def window(key: SigningKey) -> str:
    """A key's validity window in words, e.g. `valid from 2026-01-01 to 2026-05-31`."""
    start = key.valid_after.isoformat() if key.valid_after else "any date"
    end = key.valid_before.isoformat() if key.valid_before else "any later date"
    return f"valid from {start} to {end}"


class Verifier:
    """Checks the notes of one client against that client's signers and their key windows."""

    def __init__(self, signers: Iterable[Signer]):
        self._keygen = shutil.which("ssh-keygen")
        self._dir = tempfile.TemporaryDirectory(prefix="site-builder-signers-")
        self._keys = {s.email: s.keys for s in signers}
        self._files: dict[tuple[str, tuple[SigningKey, ...]], Path] = {}

    def close(self) -> None:
        self._dir.cleanup()

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def state(self, note: bytes, signature: bytes | None, email: str, date: dt.date) -> str:
        """The signature state of a note whose `by:` email is `email` and `date:` is `date`."""
        if signature is None:
            return UNSIGNED
        if len(signature) > MAX_SIGNATURE_BYTES or b"BEGIN SSH SIGNATURE" not in signature:
            return INVALID
        valid = tuple(k for k in self._keys.get(email, ()) if k.valid_on(date))
        with self._signature_file(signature) as sig_file:
            if valid and self._verifies(note, sig_file, email, valid):
                return VERIFIED
            if self._run("check-novalidate", "-n", NAMESPACE, "-s", sig_file, note=note):
                return UNKNOWN_SIGNER
        return INVALID

    def key_outside_window(
        self, note: bytes, signature: bytes, email: str, date: dt.date
    ) -> SigningKey | None:
        """The key of `email` that made `signature` but is not valid on `date`, if any.

        Explains an `unknown-signer` state: the signer is listed, but the note's date is
        outside the key's window (a retired key, or a new key on a backdated note).
        """
        with self._signature_file(signature) as sig_file:
            for key in self._keys.get(email, ()):
                if not key.valid_on(date) and self._verifies(note, sig_file, email, (key,)):
                    return key
        return None

    def _verifies(
        self, note: bytes, sig_file: str, email: str, keys: tuple[SigningKey, ...]
    ) -> bool:
        allowed = self._files.get((email, keys))
        if allowed is None:
            allowed = Path(self._dir.name) / f"allowed_signers_{len(self._files)}"
            allowed.write_text(allowed_signers_text((email, k) for k in keys), encoding="utf-8")
            self._files[email, keys] = allowed
        return self._run(
            "verify", "-f", str(allowed), "-I", email, "-n", NAMESPACE, "-s", sig_file, note=note
        )

    @contextlib.contextmanager
    def _signature_file(self, signature: bytes) -> Iterator[str]:
        self._ssh_keygen()  # fail before writing anything
        with tempfile.NamedTemporaryFile(dir=self._dir.name, suffix=".sig") as handle:
            handle.write(signature)
            handle.flush()
            yield handle.name

    def _ssh_keygen(self) -> str:
        if self._keygen is None:
            raise SshKeygenMissing("ssh-keygen (OpenSSH) is needed to check signatures")
        return self._keygen

    def _run(self, *args: str, note: bytes) -> bool:
        try:
            done = subprocess.run(
                [self._ssh_keygen(), "-Y", *args],
                input=note,
                capture_output=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
        return done.returncode == 0
