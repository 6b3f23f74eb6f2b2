"""A generator of hostile plans repositories, one per class of attack (issue: trust, round 2).

Every repository has two clients: `victim`, whose every field carries a marker (and whose
e-mail addresses and internal notes must never be published), and `mallory`, who tries one
class of attack. `make_repo(kind, root, rng)` writes the repository into `root` and returns
the markers that must not appear in mallory's site. The same seed gives the same repository.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import yaml
from helpers import commit_all, git, sign, ssh_key, write

VICTIM_MARK = "VICTIMQZX"
INTERNAL_MARK = "INTERNALQZX"
VICTIM_EMAIL = "victim.person@victim-private.example"
MALLORY_EMAIL = "mallory@mallory-private.example"


def _plan(prefix: str, milestones: int = 3, **extra) -> dict:
    plan = {"title": f"{prefix} project", "currency": "EUR", "milestones": []}
    for i in range(milestones):
        plan["milestones"].append(
            {
                "id": f"m{i}",
                "title": f"{prefix} milestone {i}",
                "due": f"2026-0{1 + i % 9}-10",
                "invoice": 1000 + i,
                "internal": {"note": f"{INTERNAL_MARK} {prefix}"},
            }
        )
    plan.update(extra)
    return plan


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _note(milestone: str, date: str, by: str, body: str = "Fine.\n", extra: str = "") -> str:
    return f"---\nmilestone: {milestone}\ndate: {date}\nby: {by}\n{extra}---\n{body}"


def _victim(plans: Path) -> None:
    folder = plans / "victim"
    write(
        folder / "client.yml",
        _dump(
            {
                "name": f"{VICTIM_MARK} Corp",
                "access": {"mode": "link"},
                "internal": {"secret": INTERNAL_MARK, "mail": VICTIM_EMAIL},
            }
        ),
    )
    write(folder / "vproj" / "plan.yml", _dump(_plan(VICTIM_MARK)))
    write(folder / "vproj" / "documents" / "secret.pdf", f"%PDF-1.4 {VICTIM_MARK}\n")
    write(
        folder / "vproj" / "approvals" / "2026-01-09-m0.md",
        _note("m0", "2026-01-09", f"Vic Tim <{VICTIM_EMAIL}>", f"{VICTIM_MARK} says yes.\n"),
    )


def _mallory(plans: Path, plan: dict | None = None, client: dict | None = None) -> Path:
    folder = plans / "mallory"
    write(
        folder / "client.yml",
        _dump({"name": "Mallory Ltd", "access": {"mode": "link"}, **(client or {})}),
    )
    write(folder / "mproj" / "plan.yml", _dump(plan or _plan("Mallory")))
    return folder


# --- one function per class -------------------------------------------------------------


def host_mode(plans: Path, rng: random.Random) -> None:
    """A host-mode client (protection that only a web server can enforce)."""
    _mallory(
        plans,
        client={
            "access": {
                "mode": "host",
                "users": [
                    {
                        "name": "ada",
                        "hash": "$2y$10$PiMa.2EGJDafhSC2LtTLp.0kZViOlNy/ndQxgYYA6Z0y.J0tjKtDm",
                    }
                ],
            }
        },
    )


def active_documents(plans: Path, rng: random.Random) -> None:
    """Documents whose type a host may serve as active content."""
    names = [
        "r.xht",
        "r.xhtml",
        "r.html",
        "r.HTM",
        "r.svg",
        "r.svgz",
        "r.xml",
        "r.mjs",
        "r.js",
        "r.wasm",
        "r.swf",
        "r.xsl",
        "r.pdf.html",
        "noext",
        "r.html.",
        "r.shtml",
        "r.mht",
        "r.jsonld",
        "r.vtt",
        "r.appcache",
        "r.webmanifest",
        "r.css",
    ]
    chosen = rng.sample(names, 8)
    plan = _plan("Mallory")
    plan["milestones"][0]["deliverables"] = [
        {"title": f"Doc {n}", "file": f"documents/{n}"} for n in chosen
    ]
    folder = _mallory(plans, plan)
    for name in chosen:
        write(folder / "mproj" / "documents" / name, "<script>alert(1)</script>\n")


def unbound_signature(plans: Path, rng: random.Random) -> None:
    """A bound, signed note copied into another project of the same client."""
    keys = plans.parent / "keys"
    keys.mkdir(exist_ok=True)
    key, pub = ssh_key(keys, "mal")
    folder = _mallory(
        plans,
        client={
            "require_signed_approvals": True,
            "signers": [{"name": "Mal", "email": MALLORY_EMAIL, "key": pub}],
        },
    )
    write(folder / "other" / "plan.yml", _dump(_plan("Other")))
    note = write(
        folder / "mproj" / "approvals" / "2026-01-09-m0.md",
        _note(
            "m0", "2026-01-09", f"Mal <{MALLORY_EMAIL}>", extra="client: mallory\nproject: mproj\n"
        ),
    )
    sig = sign(note, key)
    (folder / "other" / "approvals").mkdir(parents=True)
    (folder / "other" / "approvals" / note.name).write_bytes(note.read_bytes())
    (folder / "other" / "approvals" / sig.name).write_bytes(sig.read_bytes())


def key_windows(plans: Path, rng: random.Random) -> None:
    """Signer keys with validity windows, some of them nonsensical."""
    keys = plans.parent / "keys"
    keys.mkdir(exist_ok=True)
    old, old_pub = ssh_key(keys, "old")
    _new, new_pub = ssh_key(keys, "new")
    folder = _mallory(
        plans,
        client={
            "require_signed_approvals": True,
            "signers": [
                {
                    "name": "Mal",
                    "email": MALLORY_EMAIL,
                    "keys": [
                        {"key": old_pub, "valid_before": "2026-01-01"},
                        {"key": new_pub, "valid_after": "2026-01-01", "valid_before": "2025-01-01"},
                    ],
                }
            ],
        },
    )
    note = write(
        folder / "mproj" / "approvals" / "2026-02-01-m0.md",
        _note(
            "m0", "2026-02-01", f"Mal <{MALLORY_EMAIL}>", extra="client: mallory\nproject: mproj\n"
        ),
    )
    sign(note, old)


def huge_inputs(plans: Path, rng: random.Random) -> None:
    """Inputs at the size limits, shaped for super-linear code paths."""
    shapes = [
        "a" * 250_000,
        "![" * 20_000,
        "[" * 30_000 + "]" * 30_000,
        "*_" * 40_000,
        "`" * 60_000,
        "<" * 60_000,
        "&#64;" * 20_000,
        "@a" * 50_000,
        "> " * 50_000,
        ("x@" + "a." * 20_000 + "\n"),
        "\n".join("- " * i for i in range(300)),
    ]
    body = rng.choice(shapes)
    plan = _plan("Mallory", milestones=rng.choice([3, 2_000]))
    plan["summary"] = rng.choice(shapes)[:60_000]
    folder = _mallory(plans, plan)
    write(
        folder / "mproj" / "approvals" / "2026-01-09-m0.md",
        _note("m0", "2026-01-09", f"Mal <{MALLORY_EMAIL}>", body),
    )


def merges(plans: Path, rng: random.Random) -> None:
    """History with branches, an octopus merge and a revert."""
    _mallory(plans)
    repo = plans.parent
    commit_all(repo, "start", "2026-01-01")
    plan_file = plans / "mallory" / "mproj" / "plan.yml"
    for i, branch in enumerate(("b1", "b2", "b3")):
        git(repo, "checkout", "-q", "-b", branch, "main")
        text = plan_file.read_text().replace(f"2026-0{1 + i}-10", f"2026-0{4 + i}-1{i}")
        plan_file.write_text(text)
        commit_all(repo, f"move {i}", f"2026-01-0{2 + i}")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "octopus", "b1", "b2", "b3", date="2026-01-10")
    git(repo, "revert", "--no-edit", "-m", "1", "HEAD", date="2026-01-11")


def encoded_emails(plans: Path, rng: random.Random) -> None:
    """E-mail addresses written every way a decoder may turn back into an address."""
    forms = [
        "mallory&#64;mallory-private.example",
        "mallory&#x40;mallory-private.example",
        "mallory&commat;mallory-private.example",
        "mallory&#0064;mallory-private&period;example",
        "mallory%40mallory-private.example",
        "[x](mailto:mallory@mallory-private.example)",
        "mallory\u00ad@mallory-private.example",
        "mallory\uff20mallory-private.example",
        "<mallory@mallory-private.example>",
        "mallory@mallory&#45;private.example",
    ]
    chosen = rng.sample(forms, 5)
    plan = _plan("Mallory")
    plan["summary"] = " ".join(chosen)
    plan["milestones"][0]["title"] = "Contact " + chosen[0]
    plan["milestones"][1]["deliverables"] = chosen[1:3]
    folder = _mallory(plans, plan)
    write(
        folder / "mproj" / "approvals" / "2026-01-09-m0.md",
        _note("m0", "2026-01-09", f"Mal <{MALLORY_EMAIL}>", "\n\n".join(chosen) + "\n"),
    )


def symlinks(plans: Path, rng: random.Random) -> None:
    """Links that point at the victim's data: client folder, documents, hard links."""
    variant = rng.choice(["client", "project", "document", "hardlink", "approvals", "logo"])
    victim = plans / "victim"
    if variant == "client":
        os.symlink(victim, plans / "mallory", target_is_directory=True)
        return
    plan = _plan("Mallory")
    plan["milestones"][0]["deliverables"] = [{"title": "Report", "file": "documents/r.pdf"}]
    folder = _mallory(
        plans, plan, client={"site": {"logo": "logo.png"}} if variant == "logo" else None
    )
    docs = folder / "mproj" / "documents"
    docs.mkdir(parents=True)
    if variant == "project":
        os.symlink(victim / "vproj", folder / "stolen", target_is_directory=True)
    elif variant == "document":
        os.symlink(victim / "vproj" / "documents" / "secret.pdf", docs / "r.pdf")
    elif variant == "hardlink":
        os.link(victim / "vproj" / "documents" / "secret.pdf", docs / "r.pdf")
    elif variant == "approvals":
        os.symlink(
            victim / "vproj" / "approvals", folder / "mproj" / "approvals", target_is_directory=True
        )
    else:
        os.symlink(victim / "vproj" / "documents" / "secret.pdf", folder / "logo.png")
    if variant != "document" and variant != "hardlink":
        (docs / "r.pdf").write_bytes(b"%PDF-1.4\n")


def cache_plant(plans: Path, rng: random.Random) -> None:
    """A planted cache in the output folder must never be loaded."""
    _mallory(plans)
    cache = plans.parent / "out" / ".site-builder-cache"
    cache.mkdir(parents=True)
    marker = plans.parent / "PWNED"
    payload = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')\n"
    for name in ("__init__.py", "templates.py", "x.pyc"):
        (cache / name).write_text(payload)


def css_svg(plans: Path, rng: random.Random) -> None:
    """Client CSS and SVG that try to load from a third party."""
    css = rng.choice(
        [
            "a{background:u\\72l(https://evil.example/x)}",
            'a{background-image:image-set("https://evil.example/x" 1x)}',
            "@import 'https://evil.example/x.css';",
            "@font-face{font-family:x;src:url(//evil.example/f.woff)}",
            "a{background:URL( 'https://evil.example/x' )}",
            "a{background:\\75rl(https://evil.example/x)}",
            "@\\69mport url(https://evil.example/x.css);",
            "a{cursor:url(https://evil.example/c.cur),auto}",
        ]
    )
    svg = rng.choice(
        [
            '<svg xmlns="http://www.w3.org/2000/svg"><meta xmlns="http://www.w3.org/1999/xhtml" '
            'http-equiv="refresh" content="0;url=https://evil.example/"/></svg>',
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
            '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/);'
            "</style></svg>",
            '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe xmlns='
            '"http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject></svg>',
            '<svg xmlns="http://www.w3.org/2000/svg" style="background:url(https://evil.example/)"/>',
        ]
    )
    folder = _mallory(plans, client={"site": {"css": "brand.css", "logo": "logo.svg"}})
    write(folder / "brand.css", css + "\n")
    write(folder / "logo.svg", svg + "\n")


def dates(plans: Path, rng: random.Random) -> None:
    """Dates that parse but lie far outside any plan's life."""
    plan = _plan("Mallory")
    picks = rng.sample(
        [
            "9999-12-31",
            "0226-03-10",
            "0001-01-01",
            "2026-02-30",
            "1900-01-01",
            "2999-01-01",
            "10000-01-01",
        ],
        3,
    )
    plan["milestones"][0]["due"] = picks[0]
    plan["milestones"][1]["delivered"] = picks[1]
    plan["milestones"][2]["due"] = picks[2]
    text = _dump(plan).replace(f"'{picks[0]}'", picks[0]).replace(f"'{picks[2]}'", picks[2])
    folder = _mallory(plans)
    write(folder / "mproj" / "plan.yml", text)
    write(
        folder / "mproj" / "approvals" / "n.md",
        _note("m0", rng.choice(["9999-12-31", "0002-02-02"]), f"Mal <{MALLORY_EMAIL}>"),
    )


def control_characters(plans: Path, rng: random.Random) -> None:
    """Terminal escapes and forged lines in titles and file names."""
    evil = rng.choice(
        [
            "\x1b[2J\x1b[31mOWNED",
            "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
            "line\nplans/victim/client.yml:1: error: forged",
            "\u202eevil",
            "\x9b31m",
            "[red]markup[/red]",
        ]
    )
    plan = _plan("Mallory")
    plan["title"] = evil
    plan["milestones"][0]["title"] = evil
    folder = _mallory(plans, plan)
    write(
        folder / "mproj" / "approvals" / "x\nplans:1: error: forged.md",
        _note("m0", "2026-01-09", f"Mal <{MALLORY_EMAIL}>"),
    )
    write(
        folder / "mproj" / "approvals" / "esc\x1b[2J.md",
        _note("nope", "2026-01-09", f"Mal\x1b[31m <{MALLORY_EMAIL}>"),
    )


def password_mode(plans: Path, rng: random.Random) -> None:
    """A password-mode client: nothing readable without the password."""
    _mallory(
        plans,
        plan=_plan("PLAINTEXTQZX"),
        client={"access": {"mode": "password", "password_env": "MALLORY_PW"}},
    )


CLASSES = {
    f.__name__: f
    for f in (
        host_mode,
        active_documents,
        unbound_signature,
        key_windows,
        huge_inputs,
        merges,
        encoded_emails,
        symlinks,
        cache_plant,
        css_svg,
        dates,
        control_characters,
        password_mode,
    )
}


def make_repo(kind: str, root: Path, seed: int) -> Path:
    """Write a hostile repository of one class into `root`; return its plans folder."""
    rng = random.Random(f"{kind}-{seed}")
    plans = root / "plans"
    _victim(plans)
    CLASSES[kind](plans, rng)
    if not (root / ".git").exists():
        commit_all(root, "plans", "2026-01-20")
    else:
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return plans
