import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser_support import (  # noqa: E402
    CHROMIUM_ARGS,
    FONT_FAMILIES,
    Session,
    chromium_binary,
    font_config,
    require,
)
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


# --- browser tests: once per font family --------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """Tests marked `browser` (or calling in_browser, marked or not) use the `browser` fixture,
    so each runs once per font family, with the family in its id."""
    if not (callable(obj) and collector.funcnamefilter(name)):
        return None
    marked = collector.get_closest_marker("browser") is not None or any(
        mark.name == "browser" for mark in getattr(obj, "pytestmark", [])
    )
    code = getattr(obj, "__code__", None)
    calls_browser = code is not None and "in_browser" in code.co_names
    if marked or calls_browser:
        if not marked:
            pytest.mark.browser(obj)
        pytest.mark.usefixtures("browser")(obj)
    return None


@pytest.hookimpl(tryfirst=True)  # before -m selects
def pytest_collection_modifyitems(items):
    """A test that uses the browser or the fonts, through any fixture, is a browser test."""
    for item in items:
        if "font_family" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def font_configs(tmp_path_factory):
    """{family: Fonts}: a private fontconfig file for each family; a missing family fails."""
    root = tmp_path_factory.mktemp("fonts")
    return {family: font_config(family, root / family) for family in FONT_FAMILIES}


@pytest.fixture(scope="session", params=list(FONT_FAMILIES))
def font_family(request, font_configs):
    """The font family this run of a browser test sees (its Fonts)."""
    return font_configs[request.param]


@pytest.fixture(scope="session")
def browser(font_family):
    """Debian's Chromium (via Playwright) seeing only `font_family`'s fonts: launched once per
    family."""
    path = chromium_binary()
    require("chromium", path is not None, "apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("playwright (Python)", False, "pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, env=font_family.env()
        )
        Session.browser, Session.fonts = chromium, font_family
        try:
            yield chromium
        finally:
            Session.browser = Session.fonts = None
            chromium.close()
