"""The browser tests run once per font family (tests/conftest.py). Those runs must really differ:
the families measure text differently, and each run's Chromium sees its own family only, so
the parametrisation cannot test one font twice.
"""

import re
import subprocess

import pytest
from browser_support import CHROMIUM_ARGS, FONT_FAMILIES, chromium_binary, font_config, require

SAMPLE = "Status page: Hamburgefonstiv 0123"
MEASURE = (
    """() => {
    const canvas = document.createElement("canvas").getContext("2d");
    canvas.font = "100px sans-serif";
    return canvas.measureText(%r).width;
}"""
    % SAMPLE
)


@pytest.fixture(scope="session")
def widths(font_configs, tmp_path_factory):
    """{family: width of SAMPLE in sans-serif}, each measured by a Chromium process of its own
    (`--dump-dom`, outside Playwright)."""
    path = chromium_binary()
    require("chromium", path is not None, "apt-get install chromium")
    page = tmp_path_factory.mktemp("measure") / "measure.html"
    page.write_text(
        f"<!doctype html><body><script>document.body.textContent = "
        f"'width=' + ({MEASURE})();</script>",
        encoding="utf-8",
    )
    found = {}
    for family, fonts in font_configs.items():
        done = subprocess.run(
            [path, *CHROMIUM_ARGS, "--dump-dom", page.as_uri()],
            env=fonts.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        measured = re.search(r"width=([0-9.]+)", done.stdout)
        assert measured, (family, done.stdout[-500:], done.stderr[-2000:])
        found[family] = float(measured.group(1))
    return found


@pytest.mark.browser
def test_each_run_sees_only_its_own_font_family(font_family, browser, widths):
    dejavu, liberation = widths["dejavu"], widths["liberation"]
    assert abs(dejavu - liberation) > 0.05 * liberation, widths  # DejaVu Sans is wider
    page = browser.new_page()
    try:
        assert page.evaluate(MEASURE) == pytest.approx(widths[font_family.family], abs=0.5), (
            font_family,
            widths,
        )
    finally:
        page.close()


def test_a_missing_font_family_fails_the_tests(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="apt-get install fonts-liberation"):
        font_config("liberation", tmp_path, fonts=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(pytest.fail.Exception, match="apt-get install fonts-dejavu-core"):
        font_config("dejavu", tmp_path, fonts=tmp_path / "empty")


@pytest.mark.parametrize("family", FONT_FAMILIES)
def test_a_font_configuration_lists_one_family_and_no_personal_rules(family, tmp_path):
    config = font_config(family, tmp_path).config.read_text(encoding="utf-8")
    folder = FONT_FAMILIES[family][0]
    assert re.findall(r"<dir>(.*)</dir>", config) == [str(folder)]
    assert f"<cachedir>{tmp_path / 'cache'}</cachedir>" in config
    includes = re.findall(r"<include>(.*)</include>", config)
    assert any(i.endswith("-metric-aliases.conf") for i in includes)  # Arial -> Liberation Sans
    assert not any(i.endswith(("50-user.conf", "51-local.conf")) for i in includes)
