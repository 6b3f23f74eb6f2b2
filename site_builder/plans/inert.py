"""What may be published from the plans: document types, the client's stylesheet, SVG images.

Everything here is an allow-list. A file the plans put on a client's site is served from the
site's own origin, so anything a browser could run there (HTML, SVG with script, XML with a
stylesheet...) or anything that loads from another host (CSS url(), @import, an SVG <image>)
is refused unless it is known to be inert. Unknown is refused: a new web type, a new CSS
function or a new SVG element has to be added here on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pyexpat import ExpatError, ParserCreate

import tinycss2

# --- documents --------------------------------------------------------------------------------

# Suffix (lower case) -> what it is. Every static host serves these as a download or with a
# type browsers show without running anything (PDF, raster images, audio and video, text,
# office and design files, archives).
DOCUMENT_TYPES = {
    ".pdf": "PDF",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".webp": "image",
    ".avif": "image",
    ".tif": "image",
    ".tiff": "image",
    ".mp4": "media",
    ".m4v": "media",
    ".mov": "media",
    ".webm": "media",
    ".mp3": "media",
    ".m4a": "media",
    ".wav": "media",
    ".eps": "design",
    ".ai": "design",
    ".psd": "design",
    ".docx": "office",
    ".xlsx": "office",
    ".pptx": "office",
    ".odt": "office",
    ".ods": "office",
    ".odp": "office",
    ".doc": "office",
    ".xls": "office",
    ".ppt": "office",
    ".rtf": "office",
    ".csv": "text",
    ".txt": "text",
    ".md": "text",
    ".json": "text",
    ".zip": "archive",
    ".7z": "archive",
    ".tar.gz": "archive",
    ".tgz": "archive",
}
# Suffixes that give a name its type or handler on some host even in the middle of a name
# (Apache reads every suffix: `r.html.gz` is HTML with gzip encoding, `r.shtml.pdf` runs SSI).
_ACTIVE_INNER = {
    "html",
    "htm",
    "xhtml",
    "xht",
    "shtml",
    "svg",
    "svgz",
    "xml",
    "xsl",
    "xslt",
    "js",
    "mjs",
    "php",
    "phtml",
    "cgi",
    "pl",
    "py",
    "asp",
    "aspx",
    "jsp",
    "mht",
    "mhtml",
    "swf",
    "wasm",
    "gz",
    "br",
    "bz2",
    "xz",
    "zst",
}
# Leading bytes that make a browser sniff a text file as HTML or XML (WHATWG MIME Sniffing,
# "identify an unknown MIME type"), for hosts that send no type and no `nosniff`.
_HTML_SNIFF = re.compile(
    rb"\A(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*<(?:!doctype html|html|head|script|iframe|h1|div|font"
    rb"|table|a|style|title|b|body|br|p|!--|\?xml|svg)(?:[\t\n\x0c\r >/]|\Z)",
    re.I,
)
# Enough for the sniffing algorithm (it reads at most 1445 bytes).
SNIFF_BYTES = 1445


def document_type_problem(name: str) -> str | None:
    """Why a deliverable file named `name` cannot be published, if it cannot."""
    lower = name.lower()
    suffix = next((s for s in DOCUMENT_TYPES if lower.endswith(s)), None)
    allowed = ", ".join(sorted(DOCUMENT_TYPES))
    if suffix is None or len(lower) == len(suffix):
        return (
            f"is not a type that is safe to publish; documents must be one of: {allowed} "
            f"(HTML, SVG, XML and script would run on the client's site: send them as "
            f"PDF or in a .zip)"
        )
    inner = lower[: -len(suffix)].split(".")[1:]
    active = [part for part in inner if part in _ACTIVE_INNER]
    if active:
        return (
            f"has `.{active[0]}` inside its name, which some hosts serve as active content "
            f"or re-encode; rename it (e.g. without the inner suffix)"
        )
    return None


def sniffs_as_html(name: str, head: bytes) -> bool:
    """True if a text document (`head`: its first SNIFF_BYTES) would be shown as a page by a
    browser that sniffs (a host that sends no type and no `X-Content-Type-Options`)."""
    suffix = next((s for s in DOCUMENT_TYPES if name.lower().endswith(s)), "")
    return DOCUMENT_TYPES.get(suffix) == "text" and bool(_HTML_SNIFF.match(head))


# --- CSS --------------------------------------------------------------------------------------

_AT_RULES = {"media", "supports", "keyframes", "-webkit-keyframes"}
# Functions that compute a value, a colour, a gradient, a shape, a transform or match a
# selector: none of them loads anything. url(), image-set(), image(), src(), element(),
# cross-fade(), paint(), attr() and every function not named here are refused.
_FUNCTIONS = frozenset(
    """
    rgb rgba hsl hsla hwb lab lch oklab oklch color color-mix light-dark device-cmyk
    var env calc min max clamp round mod rem abs sign sin cos tan asin acos atan atan2 pow sqrt
    hypot log exp
    linear-gradient radial-gradient conic-gradient repeating-linear-gradient
    repeating-radial-gradient repeating-conic-gradient -webkit-linear-gradient
    -webkit-radial-gradient -webkit-repeating-linear-gradient -webkit-repeating-radial-gradient
    matrix matrix3d translate translatex translatey translatez translate3d scale scalex scaley
    scalez scale3d rotate rotatex rotatey rotatez rotate3d skew skewx skewy perspective
    blur brightness contrast drop-shadow grayscale hue-rotate invert opacity saturate sepia
    cubic-bezier steps linear repeat minmax fit-content counter counters
    circle ellipse inset polygon rect xywh path
    not is where has nth-child nth-last-child nth-of-type nth-last-of-type lang dir host
    host-context part slotted selector
""".split()
)
# Inline images in url(): shown, never fetched from anywhere (SVG as an image runs no script
# and loads nothing).
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|avif|svg\+xml)[;,]", re.I)
CSS_ALLOWED = (
    "@media, @supports and @keyframes rules; colours, gradients, calc() and var(); "
    "url() only for data:image/... inline images"
)


@dataclass(frozen=True)
class Problem:
    """Why a file is not inert: its 1-based line (0 when unknown) and what was found there."""

    line: int
    message: str


def css_problem(text: str, fragments: bool = False) -> Problem | None:
    """The first thing in a stylesheet that could load a file or is not known to be inert.

    Decided on tinycss2's tokens, so escapes (`u\\72l(`), case and comments change nothing.
    `fragments` allows url(#id) (SVG paint servers, clip paths: same document)."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    if rules and rules[0].type == "at-rule" and rules[0].lower_at_keyword == "charset":
        value = [t for t in rules[0].prelude if t.type != "whitespace"]
        if len(value) == 1 and value[0].type == "string" and value[0].value.lower() == "utf-8":
            rules = rules[1:]  # browsers decode as UTF-8 either way
    return _nodes_problem(rules, fragments)


def declarations_problem(text: str, fragments: bool = False) -> Problem | None:
    """Like css_problem, for a `style` attribute (declarations only)."""
    return _nodes_problem(
        tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True), fragments
    )


def value_problem(text: str, fragments: bool = False) -> Problem | None:
    """Like css_problem, for one property value (an SVG presentation attribute)."""
    return _nodes_problem(tinycss2.parse_component_value_list(text, skip_comments=True), fragments)


def _nodes_problem(nodes, fragments: bool) -> Problem | None:
    stack = list(reversed(nodes))  # iterative: nesting depth is the author's to choose
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("whitespace", "comment"):
            continue
        line = getattr(node, "source_line", 0)
        if kind == "error":
            return Problem(line, f"CSS that does not parse ({node.message})")
        if kind == "at-rule":
            if node.lower_at_keyword not in _AT_RULES:
                return Problem(line, f"@{node.lower_at_keyword}")
            children = list(node.prelude)
            if node.content is not None:
                children += tinycss2.parse_blocks_contents(node.content, skip_comments=True)
        elif kind == "qualified-rule":
            children = [
                *node.prelude,
                *tinycss2.parse_blocks_contents(node.content, skip_comments=True),
            ]
        elif kind == "declaration":
            children = list(node.value)
        elif kind == "at-keyword":  # an at-rule where no rule may be: never inert
            return Problem(line, f"@{node.lower_value}")
        elif kind == "url":
            if not _url_ok(node.value, fragments):
                return Problem(line, "url(" + node.value[:60] + ")")
            continue
        elif kind == "function":
            if node.lower_name == "url":
                args = [t for t in node.arguments if t.type not in ("whitespace", "comment")]
                if (
                    len(args) == 1
                    and args[0].type == "string"
                    and _url_ok(args[0].value, fragments)
                ):
                    continue
                return Problem(line, "url(" + tinycss2.serialize(args)[:60] + ")")
            if node.lower_name not in _FUNCTIONS:
                return Problem(line, f"{node.lower_name}()")
            children = node.arguments
        elif kind in ("() block", "[] block", "{} block"):
            children = node.content
        else:
            continue  # identifiers, numbers, strings, punctuation: inert
        stack.extend(reversed(children))
    return None


def _url_ok(url: str, fragments: bool) -> bool:
    url = url.strip()
    return bool(_DATA_IMAGE.match(url)) or (fragments and url.startswith("#"))


# --- SVG --------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# Drawing, text, paint servers, clipping, masking, filters. No script, foreignObject, a,
# image, feImage, animation (set/animate* can rewrite an href), iframe-like elements.
_SVG_ELEMENTS = frozenset(
    """
    svg g defs title desc metadata symbol use switch path rect circle ellipse line polyline
    polygon text tspan textPath linearGradient radialGradient stop pattern clipPath mask
    marker filter style
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting
    feSpotLight feTile feTurbulence
""".split()
)
# Attributes that take a CSS value (they may hold url(): only url(#id) is allowed).
_SVG_PAINT_ATTRIBUTES = frozenset(
    """
    fill stroke clip-path mask filter marker-start marker-mid marker-end cursor color
    stop-color flood-color lighting-color font-family font-size font-weight font-style
    font-variant font-stretch text-decoration
""".split()
)
# Geometry, layout and presentation attributes that hold no address.
_SVG_ATTRIBUTES = _SVG_PAINT_ATTRIBUTES | frozenset(
    """
    id class lang tabindex role version baseProfile viewBox preserveAspectRatio width height x y
    x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathLength transform opacity fill-opacity
    fill-rule stroke-opacity stroke-width stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-dasharray stroke-dashoffset clip-rule clipPathUnits maskUnits maskContentUnits
    markerUnits markerWidth markerHeight refX refY orient patternUnits patternContentUnits
    patternTransform gradientUnits gradientTransform spreadMethod offset stop-opacity
    flood-opacity filterUnits primitiveUnits in in2 result mode type values operator k1 k2 k3
    k4 stdDeviation dx dy edgeMode kernelMatrix order divisor bias targetX targetY
    preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent
    kernelUnitLength azimuth elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle
    scale xChannelSelector yChannelSelector radius baseFrequency numOctaves seed stitchTiles
    tableValues slope intercept amplitude exponent
    text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing
    word-spacing writing-mode direction unicode-bidi textLength lengthAdjust startOffset
    method spacing side rotate display visibility overflow enable-background
    color-interpolation color-interpolation-filters color-rendering shape-rendering
    text-rendering image-rendering vector-effect paint-order mix-blend-mode isolation
    systemLanguage requiredFeatures focusable media
""".split()
)
# Editors' bookkeeping (Inkscape, Sodipodi, RDF/Dublin Core metadata): no browser gives
# these namespaces any behaviour, so their elements and attributes are inert.
_EDITOR_NS = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
    }
)
_SEP = "\x01"  # expat's namespace separator: `uri<SEP>local`
SVG_ALLOWED = (
    "shapes, text, gradients, patterns, clip paths, masks, filters and inert CSS; "
    "links only to #ids in the same file"
)


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.problem = Problem(line, message)


def svg_problem(data: bytes) -> Problem | None:
    """The first thing in an SVG that could run script, load a file or is not known to be inert.

    Parsed with expat (namespaces resolved, so `<x:script>` and XHTML elements are seen for
    what they are); DTD internal subsets, entities and processing instructions are refused."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return Problem(0, "not UTF-8 (save the SVG as UTF-8)")
    parser = ParserCreate("utf-8", _SEP)
    style: list[str] = []  # the text of the open <style> element, if one is open
    in_style = False

    def where() -> int:
        return parser.CurrentLineNumber

    def xml_decl(version, encoding, standalone):
        if encoding and encoding.lower() not in ("utf-8", "us-ascii"):
            raise _Refused(where(), f"encoding {encoding} (use UTF-8)")

    def doctype(name, system_id, public_id, has_internal_subset):
        if has_internal_subset:
            raise _Refused(where(), "a DOCTYPE with declarations (entities)")

    def refuse(what):
        def handler(*_):
            raise _Refused(where(), what)

        return handler

    def start(name, attributes):
        nonlocal in_style
        uri, _, local = name.rpartition(_SEP)
        if in_style:
            raise _Refused(where(), f"element <{local}> inside <style>")
        if uri in _EDITOR_NS:  # no behaviour, nor any for its attributes: not rendered
            return
        if uri != SVG_NS or local not in _SVG_ELEMENTS:
            raise _Refused(
                where(),
                f"element <{local}>" + (f" ({uri or 'no'} namespace)" if uri != SVG_NS else ""),
            )
        for attribute, value in attributes.items():
            _check_attribute(attribute, value, where())
        in_style = local == "style"

    def end(name):
        nonlocal in_style
        if in_style:
            problem = css_problem("".join(style), fragments=True)
            if problem:
                raise _Refused(where(), f"<style>: {problem.message}")
            style.clear()
        in_style = False

    def text(data):
        if in_style:
            style.append(data)

    parser.XmlDeclHandler = xml_decl
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse("an entity declaration")
    parser.ProcessingInstructionHandler = refuse("a processing instruction (<?...?>)")
    parser.ExternalEntityRefHandler = refuse("an external entity")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        return refused.problem
    except ExpatError as exc:
        return Problem(exc.lineno, f"not well-formed XML ({exc})")
    return None


def _check_attribute(name: str, value: str, line: int) -> None:
    uri, _, local = name.rpartition(_SEP)
    if uri in _EDITOR_NS or (uri == _XML_NS and local in ("space", "lang")):
        return
    if local == "href" and uri in ("", _XLINK_NS):
        if not value.strip().startswith("#"):
            raise _Refused(line, f"a link to `{value[:60]}` (only #ids in the same file)")
        return
    if uri or not (
        local in _SVG_ATTRIBUTES
        or local == "style"
        or local.startswith("data-")
        or local.startswith("aria-")
    ):
        raise _Refused(line, f"attribute `{local}`" + (f" ({uri} namespace)" if uri else ""))
    if local == "style":
        problem = declarations_problem(value, fragments=True)
    elif local in _SVG_PAINT_ATTRIBUTES:
        problem = value_problem(value, fragments=True)
    else:
        return
    if problem:
        raise _Refused(line, f"attribute `{local}`: {problem.message}")
