"""Whatever the CLI prints is inert: plan text, file names and values with control characters,
escape sequences, bidi overrides or rich markup print as visible, literal text."""

import json
import unicodedata

import pytest
from click.testing import CliRunner
from helpers import CLIENT_YML, PLAN_YML, approval, make_client, write

from site_builder.cli import main
from site_builder.textsafe import printable, printable_json

# OSC 8 hyperlink, clear screen, colour, a bidi override and isolate, rich markup, an emoji code.
HOSTILE = (
    "\x1b]8;;http://evil\x07click\x1b]8;;\x07 \x1b[2J\x1b[31mred \u202eevil\u202c "
    "\u2067iso\u2069 [red]x[/red] [link=http://evil]y[/link] :warning:"
)
ENV = {"COLUMNS": "250"}  # wide enough for rich to keep each title on one line


def cli(*args, env=ENV):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def assert_inert(text: str) -> None:
    """No control character but the tool's own line breaks, no ESC, no bidi or other format
    character, no line or paragraph separator."""
    bad = sorted(
        {c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")}
    )
    assert not bad, bad


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


@pytest.fixture
def hostile(plans):
    plan = (
        PLAN_YML.replace("title: Website relaunch", f"title: {quoted(HOSTILE)}")
        .replace("title: Site live", f"title: {quoted(HOSTILE)}")
        .replace("owner: Sam Lee", f"owner: {quoted(HOSTILE)}")
    )
    make_client(
        plans,
        client_yml=CLIENT_YML.replace("name: Acme Widgets", f"name: {quoted(HOSTILE)}"),
        projects={"web": plan},
    )
    return plans


def test_status_prints_titles_literally(hostile):
    result = cli("status", "--today", "2026-02-11")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    assert "[red]x[/red] [link=http://evil]y[/link] :warning:" in result.stdout
    assert "\\x1b]8;;http://evil\\x07click" in result.stdout
    assert "\\x1b[2J\\x1b[31mred \\u202eevil\\u202c \\u2067iso\\u2069" in result.stdout
    assert "awaiting-approval · overdue" in result.stdout  # the tool's own styles still apply


def test_events_lines_and_json_are_inert(hostile):
    lines = cli("events", "--due-within", "7", "--today", "2026-03-05")
    assert lines.exit_code == 0, lines.output
    assert_inert(lines.output)
    assert len(lines.stdout.splitlines()) == 3  # kickoff, design overdue; launch due soon
    assert "\\u202eevil\\u202c" in lines.stdout

    as_json = cli("events", "--json", "--due-within", "7", "--today", "2026-03-05")
    assert as_json.exit_code == 0, as_json.output
    assert_inert(as_json.output)
    records = json.loads(as_json.stdout)  # still valid JSON with the same values
    assert "\u202eevil\u202c \u2067iso\u2069 [red]x[/red]" in records[-1]["milestone"]["title"]


def test_verify_prints_one_line_per_note_whatever_its_file_name(plans):
    names = [
        "2026-01-09-kickoff\nverified        forged.md",
        "b\x1b[2J\x1b[1Ac.md",
        "c\r\u202egnp.md",
        "plain.md",
    ]
    make_client(plans, approvals={"web": {n: approval("kickoff", "2026-01-09") for n in names}})
    result = cli("verify")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    lines = result.stdout.splitlines()
    assert len(lines) == len(names) + 1  # one per note, then the summary
    assert lines[-1] == "4 note(s): 4 unsigned"
    assert any("2026-01-09-kickoff\\nverified        forged.md" in line for line in lines)


def test_diagnostics_escape_file_names_and_quoted_values(plans):
    make_client(
        plans, projects={"web": PLAN_YML.replace("due: 2026-01-10", f"due: {quoted(HOSTILE)}")}
    )
    write(plans / "bad\x1b[2J\nname\u202e" / "client.yml", CLIENT_YML)
    result = cli("check")
    assert result.exit_code == 1
    assert_inert(result.output)
    problems = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(problems) == 2  # one line each, nothing forged
    assert any(line.startswith("plans/bad\\x1b[2J\\nname\\u202e:0: error: ") for line in problems)
    assert any("\\x1b]8;;http://evil\\x07click" in line for line in problems)


def test_error_messages_quoting_arguments_are_inert(plans):
    make_client(plans)
    result = cli("verify", "gone\x1b]0;title\x07\nsite-builder: all good")
    assert result.exit_code == 2
    assert_inert(result.output)
    assert result.stderr == (
        "site-builder: error: `gone\\x1b]0;title\\x07\\nsite-builder: all good` not found\n"
    )


def test_approve_messages_are_inert(plans):
    make_client(plans, client_yml=CLIENT_YML + "require_signed_approvals: true\n")
    result = cli(
        "approve",
        "acme/web",
        "kickoff",
        "--date",
        "2026-01-09",
        "--by",
        "Ada\u202e\x1b[2J Client <ada@acme.example>",
    )
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # wrote, the note on signing, the command (the tool's own breaks)
    assert lines[1].endswith("counts once Ada\\u202e\\x1b[2J Client signs it:")
    assert lines[2].startswith("  ssh-keygen -Y sign -n milestone-approval ")


def test_printable_escapes_visibly_and_keeps_ordinary_text():
    assert (
        printable("a\x1b[2Jb\nc\td\x85e\u202ef\u2028g\U000e0041")
        == "a\\x1b[2Jb\\nc\\td\\x85e\\u202ef\\u2028g\\U000e0041"
    )
    kept = "Zoë 日本 שלום ‌‍ 👩‍💻 C:\\path «nbsp»"
    assert printable(kept) == kept
    assert printable(printable("\x1b")) == "\\x1b"  # idempotent
    text = json.dumps(["\x1b\u202e\x85\U000e0041"], ensure_ascii=False, indent=1)
    assert json.loads(printable_json(text)) == ["\x1b\u202e\x85\U000e0041"]
    assert_inert(printable_json(text))
