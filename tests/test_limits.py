"""Resource limits: hostile or accidental input ends fast with a clear error, or builds within
bounds. Never a hang, never a memory blow-up.

Each case runs `python -m site_builder` in a subprocess with a timeout and an address-space cap
(RLIMIT_AS), so a regression fails the test instead of taking the machine down. The limits
asserted here are the ones the security model page (docs/security.md, "Limits") states.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import PLAN_YML, approval, make_client, write

from site_builder.plans import files as plan_files
from site_builder.plans import mdsafe, yamlsafe

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
import worst_case  # noqa: E402  (the worst-case input generator)

MEMORY_CAP = 1_500 * 2**20  # bytes of address space for the whole build (workers included)
TIMEOUT = 120  # seconds before a run counts as a hang (the cases below take 1-10 s)
README = Path(__file__).parent.parent / "docs" / "security.md"  # the security model page


def run_capped(tmp_path: Path, *args: str, timeout: float = TIMEOUT):
    """Run site-builder in a subprocess with a memory cap; (exit code, stderr, seconds)."""

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "site_builder", *args],
            cwd=tmp_path,
            env=env,
            preexec_fn=cap,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"site-builder {' '.join(args)} did not finish within {timeout} s")
    elapsed = time.monotonic() - start
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert "MemoryError" not in done.stderr, done.stderr
    return done.returncode, done.stderr, elapsed


def check(tmp_path: Path, expected: str, seconds: float = 30) -> str:
    """`check` must fail (exit 1), quickly, with `expected` (a regex) among its messages."""
    code, stderr, elapsed = run_capped(tmp_path, "check")
    assert code == 1, stderr
    assert re.search(expected, stderr, re.M), stderr
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return stderr


# --- YAML ---------------------------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_without_expanding(plans, tmp_path):
    bomb = billion_laughs()
    make_client(
        plans,
        projects={"web": PLAN_YML + "internal:\n  " + bomb.replace("\n", "\n  ").rstrip() + "\n"},
    )
    check(
        tmp_path,
        r"^plans/acme/web/plan\.yml:\d+: error: invalid YAML: aliases \(\*name\) "
        r"are not supported",
        seconds=15,
    )


def test_yaml_alias_bomb_in_approval_front_matter(plans, tmp_path):
    bomb = billion_laughs().replace("\n", "\n  ").rstrip()
    make_client(
        plans,
        approvals={
            "web": {"n.md": approval("kickoff", "2026-01-09", extra=f"internal:\n  {bomb}\n")}
        },
    )
    check(tmp_path, r"^plans/acme/web/approvals/n\.md:\d+: error: invalid YAML: aliases")


@pytest.mark.parametrize(
    "kind, text, line",
    [
        ("flow", "title: " + "[" * 50_000 + "]" * 50_000 + "\n", 1),
        ("flow, spread over lines", "title: x\nmilestones: " + "[\n" * 40 + "]\n" * 40, 34),
        ("block mappings", "".join(f"{'  ' * n}k{n}:\n" for n in range(200)) + "\n", 50),
        ("block sequences", "milestones:\n" + "- " * 20_000 + "x\n", 2),
        ("mixed", "milestones:\n" + "".join(f"{'  ' * n}- k{n}:\n" for n in range(500)), 50),
    ],
)
def test_deeply_nested_yaml_is_refused_before_parsing(kind, text, line, plans, tmp_path):
    make_client(plans, projects={"web": text})
    check(
        tmp_path,
        rf"^plans/acme/web/plan\.yml:{line}: error: invalid YAML: (indented or )?"
        rf"nested deeper than",
        seconds=15,
    )


def test_nesting_up_to_the_limit_is_fine():
    deep = "x: " + "[" * yamlsafe.MAX_DEPTH + "]" * yamlsafe.MAX_DEPTH
    assert not isinstance(yamlsafe.parse(deep), yamlsafe.YamlProblem)
    too_deep = "x: " + "[" * (yamlsafe.MAX_DEPTH + 1) + "]" * (yamlsafe.MAX_DEPTH + 1)
    assert isinstance(yamlsafe.parse(too_deep), yamlsafe.YamlProblem)


# --- sizes --------------------------------------------------------------------------------------


def test_a_50_mb_plan_is_refused_without_reading_it(plans, tmp_path):
    make_client(plans)
    with open(plans / "acme" / "web" / "plan.yml", "a", encoding="utf-8") as f:
        block = "# " + "x" * 1_000 + "\n"
        for _ in range(50_000):
            f.write(block)
    size = (plans / "acme" / "web" / "plan.yml").stat().st_size
    assert size > 50_000_000
    check(
        tmp_path,
        rf"^plans/acme/web/plan\.yml:0: error: file is too large \({size:,} bytes; "
        rf"the limit is 1,000,000\)$",
        seconds=15,
    )


def test_a_client_yml_over_1_mb_is_refused(plans, tmp_path):
    make_client(plans, client_yml="name: Acme\n" + "#" * plan_files.MAX_YAML_BYTES + "\n")
    check(tmp_path, r"^plans/acme/client\.yml:0: error: file is too large")


def test_a_sparse_document_of_several_gb_is_refused_without_reading_it(plans, tmp_path):
    folder = make_client(
        plans,
        projects={
            "web": PLAN_YML.replace(
                "      - Mockups", "      - {title: Raw footage, file: documents/footage.mov}"
            )
        },
    )
    huge = write(folder / "web" / "documents" / "footage.mov", "")
    os.truncate(huge, 6 * 2**30)  # 6 GB, sparse: no disk used, but stat() says 6 GB
    stderr = check(
        tmp_path,
        r"^plans/acme/web/documents/footage\.mov:0: error: document is too "
        r"large \(6,442,450,944 bytes; the limit is 100,000,000\)$",
        seconds=15,
    )
    assert "footage.mov` not found" in stderr  # and the deliverable that names it is flagged
    code, stderr, _ = run_capped(tmp_path, "build", "--out", "site", "--today", "2026-02-01")
    assert code == 1 and not (tmp_path / "site" / "acme").exists()


def test_a_document_at_the_limit_is_published(plans, tmp_path):
    """The 100 MB limit is inclusive, and publishing copies without loading it into memory."""
    folder = make_client(
        plans,
        projects={
            "web": PLAN_YML.replace(
                "      - Mockups", "      - {title: Footage, file: documents/footage.mov}"
            )
        },
    )
    doc = write(folder / "web" / "documents" / "footage.mov", "")
    os.truncate(doc, plan_files.MAX_DOCUMENT_BYTES)
    code, stderr, elapsed = run_capped(tmp_path, "build", "--out", "site", "--today", "2026-02-01")
    assert code == 0, stderr
    published = tmp_path / "site" / "acme" / "projects" / "web" / "documents" / "footage.mov"
    assert published.stat().st_size == plan_files.MAX_DOCUMENT_BYTES


def test_an_approval_note_over_256_kb_is_refused(plans, tmp_path):
    make_client(
        plans,
        approvals={"web": {"big.md": approval("kickoff", "2026-01-09", body="word " * 60_000)}},
    )
    check(
        tmp_path,
        r"^plans/acme/web/approvals/big\.md:0: error: approval note is larger than "
        r"256,000 bytes$",
    )


def test_more_than_5000_notes_in_a_project_is_an_error(plans, tmp_path):
    folder = make_client(plans)
    notes = folder / "web" / "approvals"
    notes.mkdir()
    text = approval("kickoff", "2026-01-09").encode()
    for n in range(plan_files.MAX_APPROVALS_PER_PROJECT + 1):
        (notes / f"{n:05d}.md").write_bytes(text)
    check(
        tmp_path,
        r"^plans/acme/web/approvals:0: error: 5001 approval notes; the limit per "
        r"project is 5000$",
    )


def test_more_than_2000_documents_in_a_project_is_an_error(plans, tmp_path):
    folder = make_client(plans)
    docs = folder / "web" / "documents"
    docs.mkdir()
    for n in range(plan_files.MAX_DOCUMENTS_PER_PROJECT + 1):
        (docs / f"{n:05d}.pdf").write_bytes(b"%PDF")
    check(tmp_path, r"^plans/acme/web/documents:0: error: more than 2000 documents$")


def test_a_logo_over_2_mb_is_refused(plans, tmp_path):
    make_client(plans, client_yml="name: Acme\nsite:\n  logo: logo.png\n")
    os.truncate(write(plans / "acme" / "logo.png", ""), 2_000_001)
    check(tmp_path, r"^plans/acme/client\.yml:3: error: `site\.logo` is larger than 2 MB$")


# --- volume -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_3000_approval_notes_build_within_bounds(plans, tmp_path):
    notes = {
        f"{n:04d}.md": approval(
            "design" if n % 2 else "kickoff",
            f"2026-01-{1 + n % 28:02d}",
            "changes-requested" if n % 3 else "approved",
            body=f"Note {n}: *looks* fine.\n",
        )
        for n in range(3_000)
    }
    make_client(plans, approvals={"web": notes})
    code, stderr, elapsed = run_capped(tmp_path, "build", "--out", "site", "--today", "2026-02-01")
    assert code == 0, stderr
    assert elapsed < 90, f"took {elapsed:.1f} s"
    page = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert page.count('class="sb-approval ') == 3_000


# --- worst-case text ---------------------------------------------------------------------------

# The classes that took longest (or were quadratic) before Markdown moved to cmark-gfm and the
# email scanner stopped backtracking: 250 KB of one letter took 341 s, 20 KB of `![` 79 s.
WORST_ACCEPTED = [
    "letter",
    "image open",
    "link open",
    "nested brackets",
    "nested images",
    "star bracket",
    "table rows",
    "table columns",
    "many lines",
    "mixed specials",
    "char &",
    "at",
    "local run",
    "entity at",
    "split address",
    "list item",
]
NOTE_LIMIT = plan_files.MAX_NOTE_BYTES - len(worst_case.NOTE_HEAD.encode())


@pytest.mark.slow
def test_the_worst_notes_and_summaries_the_limits_admit_build(plans, tmp_path):
    """One project per class: its summary at the summary limit, a note at the note limit.
    Before the fix, any one of them alone took minutes; now the whole build takes seconds.
    (A summary of more than 32 `[` or `{` is refused as YAML nesting: it gets none.)"""
    cases = worst_case.inputs(NOTE_LIMIT)
    folder = make_client(plans, projects={})
    for n, name in enumerate(WORST_ACCEPTED):
        text = cases[name]
        assert len((worst_case.NOTE_HEAD + text).encode()) <= plan_files.MAX_NOTE_BYTES
        summary = text[: worst_case.SUMMARY_CHARS]
        summary = summary if summary.count("[") + summary.count("{") <= 32 else "Plain."
        write(
            folder / f"p{n}" / "plan.yml",
            f"title: P{n}\nsummary: {json.dumps(summary)}\n"
            "milestones:\n  - id: kickoff\n    title: Kickoff\n    due: 2026-01-10\n",
        )
        write(folder / f"p{n}" / "approvals" / "note.md", worst_case.NOTE_HEAD + text)
    code, stderr, elapsed = run_capped(
        tmp_path, "build", "--out", "site", "--today", "2026-02-01", "--jobs", "1", timeout=300
    )
    assert code == 0, stderr
    for n in range(len(WORST_ACCEPTED)):
        page = (tmp_path / "site" / "acme" / "projects" / f"p{n}.html").read_text()
        assert page.count('class="sb-approval ') == 1


@pytest.mark.parametrize(
    "name, text, line, message",
    [
        (
            "quotes",
            "Fine.\n\n" + "> " * 40 + "deep\n",
            9,
            r"Markdown nests 41 elements deep \(block quotes, lists, emphasis, links\); the limit is 32",
        ),
        ("one line of >", ">" * (NOTE_LIMIT - 100), 7, r"Markdown nests \d+ elements deep"),
        (
            "lists",
            "Intro\n\n" + "".join("  " * i + "- item\n" for i in range(20)),
            25,
            r"Markdown nests 40 elements deep",
        ),
        (
            "raw html",
            "Fine.\n\n" + "<div>" * (mdsafe.MAX_HTML_TAGS + 1) + "\n",
            9,
            r"1,001 raw HTML tags; the limit is 1,000 \(write Markdown instead\)",
        ),
        (
            "raw html everywhere",
            "<b>a</p>" * (NOTE_LIMIT // 8 - 100),
            7,
            r"[\d,]+ raw HTML tags; the limit is 1,000",
        ),
    ],
)
def test_notes_nesting_too_deep_are_refused_with_their_line(
    name, text, line, message, plans, tmp_path
):
    make_client(plans, approvals={"web": {"n.md": approval("kickoff", "2026-01-09", body=text)}})
    check(tmp_path, rf"^plans/acme/web/approvals/n\.md:{line}: error: {message}", seconds=30)


def test_a_summary_nesting_too_deep_is_refused_at_its_field(plans, tmp_path):
    summary = json.dumps("Intro\n\n" + "<ul><li>" * 600)
    make_client(
        plans,
        projects={
            "web": PLAN_YML.replace("currency: EUR\n", f"currency: EUR\nsummary: {summary}\n")
        },
    )
    check(
        tmp_path,
        r"^plans/acme/web/plan\.yml:3: error: `summary` \(its line 3\): 1,200 raw "
        r"HTML tags; the limit is 1,000",
        seconds=30,
    )


def test_markdown_up_to_the_limits_is_fine():
    assert mdsafe.problem("> " * 15 + "a\n") is None  # 15 quotes and a paragraph: 16 elements
    assert mdsafe.problem("<b>x</b>" * mdsafe.MAX_HTML_TAGS) is None  # start tags count
    assert mdsafe.problem("<b>x</b>" * (mdsafe.MAX_HTML_TAGS + 1)) is not None
    assert mdsafe.problem("```\n" + "<div>" * 5_000 + "\n```\n") is None  # code is not HTML


# --- the docs state these limits ---------------------------------------------------------------


def test_the_readme_states_the_real_limits():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Limits") :]
    expected = [
        f"{plan_files.MAX_YAML_BYTES // 1_000_000} MB",  # client.yml, plan.yml
        f"{plan_files.MAX_NOTE_BYTES // 1_000} KB",  # an approval note
        f"{plan_files.MAX_APPROVALS_PER_PROJECT:,} notes",
        f"{plan_files.MAX_DOCUMENT_BYTES // 1_000_000} MB",  # a document
        f"{plan_files.MAX_DOCUMENTS_PER_PROJECT:,} per project",
        f"{yamlsafe.MAX_DEPTH} levels",
        f"{yamlsafe.MAX_BLOCK_PREFIX} columns",
        f"{mdsafe.MAX_DEPTH} elements",
        f"{mdsafe.MAX_HTML_TAGS:,} raw HTML tags",
    ]
    missing = [e for e in expected if e not in section]
    assert not missing, missing


@pytest.mark.parametrize(
    "text",
    [
        'summary: "' + "[" * 40 + '"\n',  # in a quoted string
        "summary: notes " + "{" * 40 + "\n",  # in a plain scalar
        "summary: |\n  " + "[" * 40 + "\n",  # in a block scalar
        "# " + "[" * 40 + "\ntitle: x\n",  # in a comment
    ],
)
def test_brackets_in_text_are_not_nesting(text):
    """Only flow collections count towards MAX_DEPTH, never brackets written in text."""
    node = yamlsafe.parse(text)
    assert not isinstance(node, yamlsafe.YamlProblem), node
