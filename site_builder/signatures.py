"""Verify detached SSH signatures of approval notes with OpenSSH's `ssh-keygen -Y`.

A note is `verified` when its .sig verifies over the note's exact bytes, under the namespace
`milestone-approval`, with the key of a client.yml signer whose email is the note's `by:` email.
`ssh-keygen -Y check-novalidate` tells a valid signature by someone else (`unknown-signer`)
from a broken one (`invalid`).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

NAMESPACE = "milestone-approval"
VERIFIED, UNSIGNED, INVALID, UNKNOWN_SIGNER = "verified", "unsigned", "invalid", "unknown-signer"
STATES = (VERIFIED, UNSIGNED, INVALID, UNKNOWN_SIGNER)
MAX_SIGNATURE_BYTES = 16_384
_TIMEOUT = 20


class SshKeygenMissing(Exception):
    """ssh-keygen is not installed, so signatures cannot be checked."""


@dataclass(frozen=True)
class SignerKey:
    email: str
    key: str  # OpenSSH public key line


def allowed_signers_text(signers: list[SignerKey]) -> str:
    """The allowed_signers file for one client (`ssh-keygen -Y verify -f`)."""
    lines = []
    for signer in signers:
        key_type, key_data = signer.key.split()[:2]  # drop the key comment
        lines.append(f'{signer.email} namespaces="{NAMESPACE}" {key_type} {key_data}\n')
    return "".join(lines)


class Verifier:
    """Checks the notes of one client against that client's signers (one allowed_signers file)."""

    def __init__(self, signers: list[SignerKey]):
        self._keygen = shutil.which("ssh-keygen")
        self._dir = tempfile.TemporaryDirectory(prefix="site-builder-signers-")
        self._allowed = Path(self._dir.name) / "allowed_signers"
        self._allowed.write_text(allowed_signers_text(signers), encoding="utf-8")
        self._emails = {s.email for s in signers}

    def close(self) -> None:
        self._dir.cleanup()

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def state(self, note: bytes, signature: bytes | None, email: str) -> str:
        """The signature state of a note whose `by:` email is `email`."""
        if signature is None:
            return UNSIGNED
        if len(signature) > MAX_SIGNATURE_BYTES or b"BEGIN SSH SIGNATURE" not in signature:
            return INVALID
        if self._keygen is None:
            raise SshKeygenMissing("ssh-keygen (OpenSSH) is needed to check signatures")
        with tempfile.NamedTemporaryFile(dir=self._dir.name, suffix=".sig") as sig_file:
            sig_file.write(signature)
            sig_file.flush()
            if email in self._emails and self._run(
                "verify", "-f", str(self._allowed), "-I", email, "-n", NAMESPACE,
                "-s", sig_file.name, note=note,
            ):
                return VERIFIED
            if self._run("check-novalidate", "-n", NAMESPACE, "-s", sig_file.name, note=note):
                return UNKNOWN_SIGNER
        return INVALID

    def _run(self, *args: str, note: bytes) -> bool:
        try:
            done = subprocess.run(
                [self._keygen, "-Y", *args], input=note, capture_output=True,
                timeout=_TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired:
            return False
        return done.returncode == 0
