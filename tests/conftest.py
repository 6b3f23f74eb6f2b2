import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import ssh_key  # noqa: E402


@pytest.fixture(scope="session")
def keys(tmp_path_factory):
    """Two real ed25519 key pairs made with ssh-keygen: {"ada": (path, pub), "eve": ...}."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: ssh_key(folder, name) for name in ("ada", "eve")}


@pytest.fixture
def plans(tmp_path):
    root = tmp_path / "plans"
    root.mkdir()
    return root


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    """Run each test from its temp folder, so reported paths are short and predictable."""
    monkeypatch.chdir(tmp_path)
