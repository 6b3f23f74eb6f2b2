"""What the plans may publish (site_builder/plans/inert.py): allow-lists, decided by parsing.

Deliverable documents by type (an allow-list of inert suffixes, whatever the case, double
suffixes, no suffix or trailing dots), text that a browser would sniff as a page, the client's
stylesheet by CSS tokens (escapes, case, url() in any form, at-rules, functions), SVG logos and
favicons by an XML parser and an allow-list of elements and attributes, raster logos by their
first bytes. Each refusal is `PATH:LINE: error:` naming the plan line; inert files build.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import PLAN_YML, make_client, write

from site_builder.build import BuildOptions, build
from site_builder.errors import PlanError
from site_builder.plans.load import load_plans

TODAY = dt.date(2026, 2, 1)
PAGE = "<script>alert(1)</script>\n"


def _with_document(plans, name: str, content: str | bytes = PAGE):
    plan = PLAN_YML.replace(
        "      - Mockups", f"      - {{title: Mockups, file: 'documents/{name}'}}"
    )
    folder = make_client(plans, projects={"web": plan})
    target = folder / "web" / "documents" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def _errors(plans) -> list[str]:
    _, diags = load_plans(plans)
    return [d.format() for d in diags.errors]


# --- documents --------------------------------------------------------------------------------

# Names a host may serve as something a browser runs, renders or re-decodes.
ACTIVE_NAMES = [
    "r.xht",
    "r.xhtml",
    "r.html",
    "r.HTM",
    "r.Html",
    "r.svg",
    "r.SVGZ",
    "r.xml",
    "r.xsl",
    "r.mjs",
    "r.js",
    "r.wasm",
    "r.swf",
    "r.pdf.html",
    "noext",
    "r.html.",
    "r.pdf.",
    "r.pdf ",
    "r.shtml",
    "r.mht",
    "r.mhtml",
    "r.jsonld",
    "r.vtt",
    "r.appcache",
    "r.webmanifest",
    "r.css",
    "r.php",
    "r.htaccess",
    ".pdf",
    "r.ics",
    "r.eml",
    "r.html.gz",
    "r.gz",
    "r.shtml.pdf",
    "r.svg.zip",
    "r.html.txt",
]


@pytest.mark.parametrize("name", ACTIVE_NAMES)
def test_documents_outside_the_allow_list_are_refused_at_the_plan_line(name, plans):
    _with_document(plans, name)
    (problem,) = _errors(plans)
    assert problem.startswith(
        f"plans/acme/web/plan.yml:16: error: deliverable file `documents/{name}` "
    ), problem
    assert (
        "is not a type that is safe to publish; documents must be one of: .7z, " in problem
        and " .pdf, " in problem
    ) or "inside its name" in problem


INERT_NAMES = [
    "report.pdf",
    "Report.PDF",
    "photo.JPG",
    "photo.jpeg",
    "shot.png",
    "anim.gif",
    "pic.webp",
    "pic.avif",
    "spec.docx",
    "sheet.xlsx",
    "deck.pptx",
    "spec.odt",
    "sheet.ods",
    "deck.odp",
    "old.doc",
    "old.xls",
    "old.ppt",
    "memo.rtf",
    "data.csv",
    "notes.txt",
    "README.md",
    "tokens.json",
    "bundle.zip",
    "bundle.7z",
    "src.tar.gz",
    "src.tgz",
    "footage.MOV",
    "clip.mp4",
    "scan.tiff",
    "logo.eps",
    "report.v1.2.pdf",
    "sub/folder/deep.pdf",
]


def test_inert_documents_are_published_byte_for_byte(plans, tmp_path):
    lines = "\n".join(
        f"      - {{title: D{n}, file: 'documents/{name}'}}" for n, name in enumerate(INERT_NAMES)
    )
    folder = make_client(plans, projects={"web": PLAN_YML.replace("      - Mockups", lines)})
    for name in INERT_NAMES:
        write(folder / "web" / "documents" / name, f"content of {name}\n")
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    published = tmp_path / "site" / "acme" / "projects" / "web" / "documents"
    for name in INERT_NAMES:
        assert (published / name).read_text() == f"content of {name}\n"


@pytest.mark.parametrize(
    "name, content",
    [
        ("r.txt", "<!DOCTYPE html><script>alert(1)</script>"),
        ("r.csv", "  \n<html><body onload=alert(1)>"),
        ("r.md", "\ufeff<script>alert(1)</script>"),
        ("r.TXT", "<svg onload=alert(1)>"),
        ("r.txt", "<?xml version='1.0'?><x:script xmlns:x='http://www.w3.org/1999/xhtml'/>"),
        ("r.csv", "<!-- a comment -->"),
        ("r.txt", "<a href=x>"),
    ],
)
def test_text_that_browsers_would_sniff_as_a_page_is_refused(name, content, plans):
    """A host that sends no Content-Type (and no nosniff) lets browsers sniff: leading markup
    would be shown as a page of the client's site."""
    _with_document(plans, name, content)
    (problem,) = _errors(plans)
    assert problem.startswith(
        "plans/acme/web/plan.yml:16: error: deliverable file "
        f"`documents/{name}` starts like an HTML or XML page"
    ), problem


def test_text_with_markup_further_in_is_plain_text(plans):
    _with_document(plans, "notes.md", "# Notes\n\n<b>bold</b> and <script>x</script>\n")
    assert _errors(plans) == []


# --- the client's stylesheet ------------------------------------------------------------------

HOSTILE_CSS = [
    "a{background:u\\72l(https://evil.example/x)}",
    "a{background:\\75rl(https://evil.example/x)}",
    "a{background:URL( 'https://evil.example/x' )}",
    'a{background:url("//evil.example/x")}',
    'a{background-image:image-set("https://evil.example/x" 1x)}',
    "a{background-image:-webkit-image-set(url(x.png) 1x)}",
    'a{background:image("x.png")}',
    "a{b:src('https://evil.example/x')}",
    "a{background:cross-fade(url(a.png), url(b.png))}",
    "a{background:element(#x)}",
    "a{background:paint(worklet)}",
    "a{content:attr(data-x url)}",
    "@import 'https://evil.example/x.css';",
    "@IMPORT url(x.css);",
    "@\\69mport url(https://evil.example/x.css);",
    "@font-face{font-family:x;src:url(//evil.example/f.woff)}",
    "@namespace svg url(http://www.w3.org/2000/svg);",
    "@media screen{@import 'x.css';}",
    "a{@import 'x.css';}",
    "a{&:hover{background:url(//evil.example/x)}}",
    "@supports (display:grid){a{b:url(//e.example/)}}",
    "a{cursor:url(https://evil.example/c.cur),auto}",
    "a{--x:url(//evil.example/x)}",
    "a{b:var(--x, url(//evil.example/x))}",
    "a{behavior:url(x.htc)}",
    "a{width:expression(alert(1))}",
    "a{background:url(data:text/html,<script>alert(1)</script>)}",
    '@charset "windows-1252";a{}',
    "a{background:url(javascript:alert(1))}",
    "a { color: red } } b {",
    "/* ok */\n\n\na{b:c}\n@page{margin:0}",
]


@pytest.mark.parametrize("css", HOSTILE_CSS)
def test_a_stylesheet_that_could_load_anything_is_refused(css, plans):
    folder = make_client(plans, client_yml="name: Acme\nsite:\n  css: brand.css\n")
    write(folder / "brand.css", css + "\n")
    (problem,) = _errors(plans)
    assert problem.startswith(
        "plans/acme/client.yml:3: error: `site.css` must not @import other files or load url()s"
    ), problem
    assert "brand.css line " in problem


def test_the_stylesheet_problem_names_its_line(plans):
    folder = make_client(plans, client_yml="name: Acme\nsite:\n  css: brand.css\n")
    write(
        folder / "brand.css", "a { color: red }\n\n.b {\n  background: image-set('x.png' 1x);\n}\n"
    )
    (problem,) = _errors(plans)
    assert "brand.css line 4: `image-set()` is not allowed" in problem


INERT_CSS = """@charset "UTF-8";
/* Brand colours */
:root { --md-primary-fg-color: #1d4ed8; --sb-done: rgb(22 163 74 / 80%); }
.md-header { background: linear-gradient(90deg, hsl(220 80% 40%), rgba(0, 0, 0, .5)); }
.md-logo img { width: calc(2rem + 4px); transform: translateX(2px) rotate(3deg); }
.sb-card:not(.done):nth-child(2n + 1) > a::after { content: "https://not.a.request/"; }
.hero { background: url(data:image/png;base64,iVBORw0KGgo=) no-repeat; }
@media (max-width: 600px) { .md-header { display: none !important; } }
@supports (display: grid) { .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@keyframes pulse { from { opacity: 1; } 50% { opacity: .5; } to { opacity: 1; } }
.r\\67 b { color: r\\67 b(1 2 3); }
"""


def test_an_inert_stylesheet_is_published_as_it_is(plans, tmp_path):
    folder = make_client(plans, client_yml="name: Acme\nsite:\n  css: brand.css\n")
    write(folder / "brand.css", INERT_CSS)
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    assert (tmp_path / "site" / "acme" / "assets" / "client.css").read_text() == INERT_CSS


# --- SVG logos and favicons -------------------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'
HOSTILE_SVG = {
    "xhtml meta refresh": '<svg xmlns="http://www.w3.org/2000/svg"><meta xmlns="http://www.w3.'
    'org/1999/xhtml" http-equiv="refresh" content="0;url=https://e.example/"'
    "/></svg>",
    "xhtml iframe": SVG.format(
        '<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://e.example/"/>'
    ),
    "image": SVG.format('<image href="https://e.example/x.png"/>'),
    "image with data": SVG.format('<image href="data:image/svg+xml,&lt;svg/&gt;"/>'),
    "feImage": SVG.format('<filter id="f"><feImage href="https://e.example/x.png"/></filter>'),
    "style @import": SVG.format("<style>@import url(https://e.example/);</style>"),
    "style url": SVG.format(
        "<style><![CDATA[rect { fill: u\\72l(https://e.example/x) }]]></style>"
    ),
    "element inside style": SVG.format("<style>@import url(//e.example/)<g/>;</style>"),
    "style @font-face": SVG.format(
        "<style>@font-face{font-family:x;src:url(//e.example/f)}</style>"
    ),
    "style attribute": '<svg xmlns="http://www.w3.org/2000/svg" '
    'style="background:url(https://e.example/)"/>',
    "fill from another file": SVG.format('<rect fill="url(https://e.example/p.svg#g)"/>'),
    "mask from another file": SVG.format('<rect mask="URL(//e.example/m.svg#m)"/>'),
    "cursor": SVG.format('<rect cursor="url(https://e.example/c.cur), auto"/>'),
    "use from another file": SVG.format('<use href="https://e.example/s.svg#a"/>'),
    "xlink use from another file": SVG.format('<use xlink:href="//e.example/s.svg#a"/>'),
    "use of data": SVG.format('<use href="data:image/svg+xml;base64,PHN2Zy8+#a"/>'),
    "foreignObject": SVG.format(
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
    ),
    "script": SVG.format("<script>alert(1)</script>"),
    "prefixed script": '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)'
    "</s:script></s:svg>",
    "handler": SVG.format('<rect onclick="alert(1)"/>'),
    "handler in upper case": SVG.format('<rect ONLOAD="alert(1)"/>'),
    "link": SVG.format('<a href="#x"><rect/></a>'),
    "animation of href": SVG.format(
        '<use href="#a"><set attributeName="href" to="https://e.example/"/></use>'
    ),
    "animate": SVG.format('<rect><animate attributeName="fill" to="red"/></rect>'),
    "xml:base": SVG.format('<g xml:base="https://e.example/"><use href="#a"/></g>'),
    "entity": '<!DOCTYPE svg [<!ENTITY e "x">]>' + SVG.format("&e;"),
    "external entity": '<!DOCTYPE svg [<!ENTITY e SYSTEM "https://e.example/x">]>'
    + SVG.format("&e;"),
    "stylesheet instruction": '<?xml-stylesheet href="https://e.example/x.css"?>' + SVG.format(""),
    "other namespace attribute": SVG.format('<rect xmlns:e="urn:e" e:onclick="x"/>'),
    "no SVG namespace": "<svg><rect/></svg>",
    "not XML": '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
    "latin-1": '<?xml version="1.0" encoding="ISO-8859-1"?>' + SVG.format(""),
    "utf-16": "\ufeff" + SVG.format(""),
}


@pytest.mark.parametrize("kind", HOSTILE_SVG, ids=list(HOSTILE_SVG))
@pytest.mark.parametrize("key", ["logo", "favicon"])
def test_an_svg_that_could_run_or_load_anything_is_refused(kind, key, plans):
    folder = make_client(plans, client_yml=f"name: Acme\nsite:\n  {key}: image.svg\n")
    data = HOSTILE_SVG[kind]
    (folder / "image.svg").write_bytes(data.encode("utf-16" if kind == "utf-16" else "utf-8"))
    (problem,) = _errors(plans)
    assert problem.startswith(
        f"plans/acme/client.yml:3: error: `site.{key}` SVG is not inert (image.svg line "
    ), problem


INERT_SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Created with Inkscape -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     width="120" height="40" viewBox="0 0 120 40" version="1.1" role="img" aria-label="Acme"
     inkscape:version="1.3" sodipodi:docname="logo.svg" xml:space="preserve">
  <title>Acme (logo)</title>
  <metadata><rdf:RDF><dc:title>Acme</dc:title></rdf:RDF></metadata>
  <sodipodi:namedview pagecolor="#ffffff"/>
  <defs>
    <linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#1d4ed8"/>
      <stop offset="1" style="stop-color: rgb(22 163 74)"/></linearGradient>
    <clipPath id="c"><rect width="120" height="40" rx="6"/></clipPath>
    <filter id="f"><feGaussianBlur stdDeviation="1"/><feOffset dx="1" dy="1"/></filter>
    <style>.t { font: bold 16px sans-serif; fill: url(#g); }</style>
  </defs>
  <g clip-path="url(#c)" filter="url( #f )" transform="translate(2, 2) rotate(0)">
    <rect width="120" height="40" fill="url(#g)" data-name="bg"/>
    <path d="M0 0L10 10z" stroke="#fff" stroke-width="2"/>
    <use xlink:href="#c"/><use href="#c"/>
    <text x="10" y="26" class="t">Acme<tspan dx="2">Co</tspan></text>
  </g>
</svg>
"""


def test_an_inert_svg_from_an_editor_is_published(plans, tmp_path):
    folder = make_client(
        plans, client_yml="name: Acme\nsite:\n  logo: logo.svg\n  favicon: icon.svg\n"
    )
    write(folder / "logo.svg", INERT_SVG)
    write(folder / "icon.svg", INERT_SVG)
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    assets = tmp_path / "site" / "acme" / "assets"
    assert (assets / "client-logo.svg").read_text() == INERT_SVG
    assert (assets / "client-favicon.svg").read_text() == INERT_SVG


# --- raster logos: the bytes must be what the suffix says ---------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("logo.png", b"<html><script>alert(1)</script>"),
        ("logo.jpg", b"\x89PNG\r\n\x1a\n"),
        ("logo.gif", b"GIF80a"),
        ("logo.webp", b"RIFF\x00\x00\x00\x00WAVE"),
    ],
)
def test_a_raster_logo_whose_bytes_are_another_type_is_refused(name, data, plans):
    folder = make_client(plans, client_yml=f"name: Acme\nsite:\n  logo: {name}\n")
    (folder / name).write_bytes(data)
    (problem,) = _errors(plans)
    assert problem.startswith(
        f"plans/acme/client.yml:3: error: `site.logo` is not a "
        f"{name.rsplit('.', 1)[1].upper()} file"
    ), problem


def test_logo_and_favicon_suffixes_are_an_allow_list(plans):
    folder = make_client(
        plans, client_yml="name: Acme\nsite:\n  logo: logo.svg.\n  favicon: icon.html\n"
    )
    write(folder / "logo.svg.", SVG.format(""))
    write(folder / "icon.html", "<script>alert(1)</script>")
    assert _errors(plans) == [
        "plans/acme/client.yml:3: error: `site.logo` must be one of: .gif, .jpeg, .jpg, .png, "
        ".svg, .webp",
        "plans/acme/client.yml:4: error: `site.favicon` must be one of: .ico, .png, .svg",
    ]
    with pytest.raises(PlanError):
        build(BuildOptions(plans=plans, out=plans.parent / "site", today=TODAY, jobs=1))


# --- served with nosniff ----------------------------------------------------------------------


def test_every_published_site_is_served_with_nosniff(plans, tmp_path):
    """The type allow-list assumes browsers do not sniff: the nginx include and `_headers` that
    `publish` writes send `X-Content-Type-Options: nosniff` for public sites too."""
    import shutil
    import urllib.request

    from browser_support import nginx, world_readable_dir
    from click.testing import CliRunner

    from site_builder.cli import main

    plan = PLAN_YML.replace("      - Mockups", "      - {title: Notes, file: documents/notes.txt}")
    folder = make_client(
        plans, "open", "name: Open\naccess:\n  mode: public\n", projects={"web": plan}
    )
    write(folder / "web" / "documents" / "notes.txt", "plain notes\n")
    build(BuildOptions(plans=plans, out=tmp_path / "site", today=TODAY, jobs=1))
    root = world_readable_dir("site-builder-nosniff-")
    try:
        done = CliRunner().invoke(
            main,
            [
                "publish",
                "--plans",
                str(plans),
                "--out",
                str(tmp_path / "site"),
                "--to",
                str(root / "pub"),
                "--target",
                "nginx",
            ],
        )
        assert done.exit_code == 0, done.output
        www = root / "pub" / "www"
        assert "X-Content-Type-Options: nosniff" in (www / "_headers").read_text()
        include = f"include {root / 'pub' / 'access' / 'nginx.conf'};"
        with nginx(www, include) as url:
            with urllib.request.urlopen(f"{url}/open/projects/web/documents/notes.txt") as got:
                assert got.read() == b"plain notes\n"
                assert got.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        shutil.rmtree(root, ignore_errors=True)
