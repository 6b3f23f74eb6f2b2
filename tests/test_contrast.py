"""Text contrast (WCAG AA) of the site's colours, computed from the stylesheets, no browser.

site-builder.css is read rule by rule: every `color:` it sets must be one of its own colour
variables (checked in both of Material's schemes against every background that text sits on),
a literal checked against the `background` of the same rule, or a colour Material itself
keeps readable; Material's greyed-out text variables (--md-default-fg-color--light and
lighter, 4.1:1 on a summary's tint) are refused. Links and the header are computed for every
palette colour a client may choose, from Material's palette stylesheet and site-builder.css's
overrides. The goal is 4.8:1, a margin over AA's 4.5:1. tests/test_browser.py (axe-core) stays
the final judge on real pages.
"""

import colorsys
import re
from pathlib import Path

import material
import pytest

from site_builder.plans.schema import MATERIAL_COLORS

CSS = (
    Path(__file__).parent.parent
    / "theme"
    / "overrides"
    / "assets"
    / "stylesheets"
    / "site-builder.css"
).read_text(encoding="utf-8")
PALETTE = next(
    (Path(material.__file__).parent / "templates" / "assets" / "stylesheets").glob(
        "palette.*.min.css"
    )
).read_text(encoding="utf-8")
GOAL = 4.8

Colour = tuple[float, float, float]


def parse(value: str) -> Colour:
    """#rgb, #rrggbb or hsl(a)(h, s%, l%[, 1]) as sRGB channels 0..1."""
    value = value.strip()
    if m := re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value):
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    if m := re.fullmatch(r"hsla?\(([\d.]+),\s*([\d.]+)%,\s*([\d.]+)%(?:,\s*1)?\)", value):
        h, s, l = (float(x) for x in m.groups())
        return colorsys.hls_to_rgb(h / 360, l / 100, s / 100)
    raise ValueError(f"not a colour this test reads: {value}")


def over(colour: Colour, alpha: float, background: Colour) -> Colour:
    return tuple(c * alpha + b * (1 - alpha) for c, b in zip(colour, background))


def luminance(colour: Colour) -> float:
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Colour, b: Colour) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Backgrounds text sits on, per scheme: the page (Material: white; slate is hsl(225,15%,14%)),
# a <details> summary (Material tints it with #448aff at 10%), a hovered table row (the text
# colour at 7%, Material's --md-default-fg-color--lightest in the light scheme).
WHITE, SLATE = parse("#ffffff"), parse("hsl(225, 15%, 14%)")
BACKGROUNDS = {
    "default": {
        "page": WHITE,
        "summary": over(parse("#448aff"), 0.1, WHITE),
        "hovered row": over((0, 0, 0), 0.07, WHITE),
    },
    "slate": {
        "page": SLATE,
        "summary": over(parse("#448aff"), 0.1, SLATE),
        "hovered row": over(parse("hsl(225, 15%, 90%)"), 0.12, SLATE),
    },
}
SCHEME_BLOCKS = {"default": ":root", "slate": '[data-md-color-scheme="slate"]'}
# Text colours Material keeps readable in both schemes (body text, code, inherited colour).
MATERIAL_TEXT = {
    "var(--md-default-fg-color)",
    "var(--md-typeset-color)",
    "inherit",
    "currentColor",
    "var(--md-typeset-a-color)",
    "var(--md-code-fg-color)",
}


def rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) for every rule, @media blocks flattened, comments dropped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                declarations[name.strip()] = value.strip().removesuffix("!important").strip()
        found.append((" ".join(selector.split()), declarations))
    return found


def variables(scheme: str) -> dict[str, Colour]:
    """site-builder's own colours (--sb-*) in `scheme`."""
    block = dict(rules(CSS))[SCHEME_BLOCKS[scheme]]
    return {name: parse(value) for name, value in block.items() if name.startswith("--sb-")}


def test_the_stylesheet_declares_its_colours_in_both_schemes():
    light, dark = variables("default"), variables("slate")
    assert set(light) == set(dark)
    assert {
        "--sb-approved",
        "--sb-approved-late",
        "--sb-awaiting",
        "--sb-changes",
        "--sb-progress",
        "--sb-upcoming",
        "--sb-overdue",
        "--sb-today",
        "--sb-muted",
    } <= set(light)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_every_sb_colour_reads_on_every_background(scheme):
    """Status tags, the today marker, muted metadata (.sb-meta): each variable is text
    somewhere, so each must reach the goal on every background text sits on."""
    for name, colour in variables(scheme).items():
        for where, background in BACKGROUNDS[scheme].items():
            ratio = contrast(colour, background)
            assert ratio >= GOAL, (scheme, name, where, round(ratio, 2))


SLATE_PREFIX = '[data-md-color-scheme="slate"] '


def test_every_text_colour_the_stylesheet_sets_is_checked():
    """Each `color:` in site-builder.css: one of its variables (checked above), a Material
    text colour, or a literal checked against its rule's background (a slate-only rule for
    the same selector takes over in the dark scheme)."""
    names = set(variables("default"))
    by_selector = dict(rules(CSS))
    dark_rules = {
        s.removeprefix(SLATE_PREFIX)
        for s, d in rules(CSS)
        if s.startswith(SLATE_PREFIX) and "color" in d
    }
    seen = 0
    for selector, declarations in rules(CSS):
        value = declarations.get("color")
        if value is None:
            continue
        seen += 1
        if m := re.fullmatch(r"var\((--sb-[a-z-]+)\)", value):
            assert m.group(1) in names, (selector, value)
            continue
        assert "fg-color--light" not in value, (selector, value)  # Material's greyed text
        if value in MATERIAL_TEXT or "var(--md-typeset-a-color)" in value:
            continue  # links: test_links_read_for_every_palette
        base = selector.removeprefix(SLATE_PREFIX)
        background = declarations.get("background") or by_selector.get(base, {}).get("background")
        if value == "var(--md-default-bg-color)" and "var(--md-typeset-a-color)" in background:
            continue  # the page background on the link colour: the link pair, reversed
        assert background, f"{selector}: text colour {value} without a background"
        if selector.startswith(SLATE_PREFIX):
            schemes = ["slate"]
        else:
            schemes = ["default"] if selector in dark_rules else ["default", "slate"]
        for scheme in schemes:
            m = re.fullmatch(r"var\((--sb-[a-z-]+)\)", background)
            back = variables(scheme)[m.group(1)] if m else parse(background)
            ratio = contrast(parse(value), back)
            assert ratio >= GOAL, (selector, scheme, round(ratio, 2))
    assert seen >= 10


# --- links and the header, for every palette colour a client may choose -----------------------


def palette_rules() -> list[tuple[list[str], dict[str, str]]]:
    """Material's palette rules as (selectors, declarations), then site-builder.css's."""
    found = []
    for selector, declarations in rules(PALETTE) + rules(CSS):
        if "data-md-color" in selector or selector in (":root", "[data-md-color-scheme=slate]"):
            found.append((split(selector), declarations))
    return found


def split(selector: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :is() or :not())."""
    parts, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    return parts + [current.strip()]


def matches(selector: str, primary: str, scheme: str) -> int | None:
    """The specificity with which `selector` selects the page's root for (primary, scheme),
    or None; only attribute selectors, :root, :is() and :not() occur in these rules."""
    attrs = {"data-md-color-primary": primary, "data-md-color-scheme": scheme}

    def test(attribute: str) -> bool:
        m = re.fullmatch(r"\[([a-z-]+)=\"?([a-z-]+)\"?\]", attribute)
        return bool(m) and attrs.get(m.group(1)) == m.group(2)

    rest, weight = selector, 0
    for group in re.findall(r":is\(([^)]*)\)", rest):
        if not any(test(a.strip()) for a in group.split(",")):
            return None
        weight += 1
    rest = re.sub(r":is\([^)]*\)", "", rest)
    for attribute in re.findall(r":not\((\[[^)]*\])\)", rest):
        if test(attribute):
            return None
        weight += 1
    rest = re.sub(r":not\([^)]*\)", "", rest)
    if rest.startswith(":root"):
        rest, weight = rest[len(":root") :], weight + 1
    attributes = re.findall(r"\[[^\]]*\]", rest)
    if "".join(attributes) != rest or not all(test(a) for a in attributes):
        return None
    return weight + len(attributes)


# Material's main stylesheet: links take the palette colour unless a palette rule says more.
MATERIAL_DEFAULTS = {"--md-typeset-a-color": "var(--md-primary-fg-color)", "--md-hue": "225"}


def resolve(primary: str, scheme: str) -> dict[str, str]:
    """Custom properties on the page root for (primary, scheme), by the cascade."""
    winning = {name: (-1, -1, value) for name, value in MATERIAL_DEFAULTS.items()}
    for order, (selectors, declarations) in enumerate(palette_rules()):
        weights = [w for s in selectors if (w := matches(s, primary, scheme)) is not None]
        if not weights:
            continue
        for name, value in declarations.items():
            key = (max(weights), order)
            if name.startswith("--") and (name not in winning or key >= winning[name][:2]):
                winning[name] = (*key, value)
    return {name: value for name, (_, _, value) in winning.items()}


def evaluate(value: str, props: dict[str, str], background: Colour = WHITE) -> Colour:
    """A colour value: hex (#rrggbbaa over `background`), hsl, var(), or
    color-mix(in srgb, A P%, B)."""
    value = value.strip().replace("var(--md-hue)", props["--md-hue"])
    if m := re.fullmatch(r"var\((--[a-z-]+)\)", value):
        return evaluate(props[m.group(1)], props, background)
    if m := re.fullmatch(r"color-mix\(in srgb,\s*(.+?)\s+([\d.]+)%,\s*(.+)\)", value):
        a, share, b = (
            evaluate(m.group(1), props),
            float(m.group(2)) / 100,
            evaluate(m.group(3), props),
        )
        return tuple(x * share + y * (1 - share) for x, y in zip(a, b))
    if m := re.fullmatch(r"(#[0-9a-fA-F]{6})([0-9a-fA-F]{2})", value):  # #rrggbbaa
        return over(parse(m.group(1)), int(m.group(2), 16) / 255, background)
    if m := re.fullmatch(r"hsla\((.+),\s*([\d.]+)\)", value):
        return over(parse(f"hsl({m.group(1)})"), float(m.group(2)), background)
    return parse(value)


PALETTES = [c.replace(" ", "-") for c in MATERIAL_COLORS]


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("primary", PALETTES)
def test_links_read_for_every_palette(primary, scheme):
    """Material's link colour for the palette and scheme, with site-builder.css's changes
    (darker in the light scheme for bright palettes, lighter in the dark scheme)."""
    props = resolve(primary, scheme)
    page = BACKGROUNDS[scheme]["page"]
    colour = "var(--md-typeset-a-color)"
    if scheme == "slate":
        colour = next(
            (
                d["color"]
                for s, d in rules(CSS)
                if s.startswith(SLATE_PREFIX + ".md-typeset a") and "color" in d
            ),
            colour,
        )
    link = evaluate(colour, props, page)
    assert contrast(link, page) >= GOAL, (primary, scheme, round(contrast(link, page), 2))


@pytest.mark.parametrize("primary", PALETTES)
def test_header_text_reads_for_every_palette(primary):
    """The header: Material's text colour on the palette colour (darkened by site-builder.css
    where it is too bright for white text)."""
    props = resolve(primary, "default")
    background = props["--md-primary-fg-color"]
    for selectors, declarations in palette_rules():  # the header's own darkening rule
        if (
            any(
                ".md-header" in s
                and matches(s.replace(":is(.md-header, .md-tabs)", "").strip(), primary, "default")
                is not None
                for s in selectors
            )
            and "background-color" in declarations
        ):
            background = declarations["background-color"]
    background = evaluate(background, props)
    ratio = contrast(evaluate(props["--md-primary-bg-color"], props, background), background)
    assert ratio >= 4.5, (primary, round(ratio, 2))
