"""Fuzzing `site-builder check` with generated plans, valid and mutated.

Hypothesis writes client.yml, plan.yml and approval notes (from strategies that follow the file
formats), then mutates valid files (deleted spans, inserted YAML syntax, flipped bytes,
shuffled lines). Whatever the input, `check` ends with exit 0 or 1, and every line it prints
on stderr is `PATH:LINE: error|warning: MESSAGE` or the closing summary: never a traceback,
never an internal error, never a message broken over several lines.
"""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.cli import main
from site_builder.plans.schema import MATERIAL_COLORS

DIAGNOSTIC = re.compile(r"^[^:]+:\d+: (error|warning): .+$")
SUMMARY = re.compile(r"^site-builder: \d+ error\(s\), \d+ warning\(s\); nothing was written$")
# CI runs the same examples every time (no flaky failures); elsewhere each run explores anew.
SETTINGS = dict(
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def examples(n: int) -> int:
    """n examples; SITE_BUILDER_FUZZ_SCALE=10 fuzzes ten times as long (about 200 by default)."""
    return max(1, round(n * float(os.environ.get("SITE_BUILDER_FUZZ_SCALE", "1"))))


# --- strategies for valid files -----------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda s: s.strip() and "\n" not in s.strip()
)
plain = st.text(string.ascii_letters + string.digits + " .,-'()&", min_size=1, max_size=30).filter(
    str.strip
)
slug = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
day = st.dates(
    min_value=__import__("datetime").date(2025, 1, 1),
    max_value=__import__("datetime").date(2027, 12, 31),
)
email = st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{2,10}\.example", fullmatch=True)
amount = st.one_of(st.integers(0, 10**9), st.decimals(0, 10**6, places=2))


@st.composite
def milestones(draw):
    ids = draw(st.lists(slug, min_size=1, max_size=5, unique=True))
    out = []
    for n, mid in enumerate(ids):
        m = {"id": mid, "title": draw(text), "due": draw(day).isoformat()}
        if draw(st.booleans()):
            m["phase"] = draw(text)
        if draw(st.booleans()):
            m["owner"] = draw(text)
        if draw(st.booleans()):
            m["delivered"] = draw(day).isoformat()
        if n and draw(st.booleans()):
            m["depends_on"] = draw(st.lists(st.sampled_from(ids[:n]), max_size=2, unique=True))
        if draw(st.booleans()):
            m["deliverables"] = draw(
                st.lists(st.one_of(text, st.builds(lambda t: {"title": t}, text)), max_size=3)
            )
        if draw(st.booleans()):
            m["acceptance"] = draw(st.lists(text, max_size=3))
        if draw(st.booleans()):
            value = draw(amount)
            m["invoice"] = float(value) if not isinstance(value, int) else value
        if draw(st.booleans()):
            m["internal"] = draw(st.dictionaries(plain, text, max_size=2))
        out.append(m)
    return out


@st.composite
def plan_files(draw):
    plan = {"title": draw(text), "milestones": draw(milestones())}
    if draw(st.booleans()):
        plan["summary"] = draw(st.text(max_size=200))
    if draw(st.booleans()):
        plan["currency"] = draw(st.sampled_from(["EUR", "USD", "GBP", "JPY", "chf"]))
    ids = [m["id"] for m in plan["milestones"]]
    notes = {}
    for n in range(draw(st.integers(0, 3))):
        front = {
            "milestone": draw(st.sampled_from(ids)),
            "date": draw(day).isoformat(),
            "by": f"{draw(plain).strip()} <{draw(email)}>",
        }
        if draw(st.booleans()):
            front["decision"] = draw(st.sampled_from(["approved", "changes-requested", "rejected"]))
        if draw(st.booleans()):
            front["deliverables"] = draw(st.lists(text, max_size=2))
        notes[f"{n}-note.md"] = f"---\n{dump(front)}---\n{draw(st.text(max_size=120))}\n"
    return dump(plan), notes


@st.composite
def client_files(draw):
    client = {"name": draw(text)}
    if draw(st.booleans()):
        client["language"] = draw(st.sampled_from(["en", "de", "fr", "es", "nl"]))
    if draw(st.booleans()):
        client["timezone"] = draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]))
    if draw(st.booleans()):
        client["site"] = {"primary_color": draw(st.sampled_from(MATERIAL_COLORS))}
    if draw(st.booleans()):
        client["internal"] = draw(
            st.dictionaries(plain, st.one_of(text, st.integers()), max_size=3)
        )
    return dump(client)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# --- mutations ----------------------------------------------------------------------------------

SYNTAX = [
    b":",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"*a",
    b"&a ",
    b"!!python/object ",
    b"\n",
    b"\t",
    b"\x00",
    b"'",
    b'"',
    b"\xff",
    b"# ",
    b"---\n",
    b"%YAML 1.1\n",
    b"@",
    b"`",
    b"|\n",
    b">-\n",
    b"? ",
    b"  ",
    b"\r",
    b"\xef\xbb\xbf",
    b"~",
    b"null",
    b"2026-02-30",
    b"\\u0000",
    b"!!binary ",
    b"<<: ",
    b"...\n",
    b"\xe2\x80\xa8",
]


@st.composite
def mutated(draw, valid: bytes) -> bytes:
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "flip", "duplicate", "swap"]))
        at = draw(st.integers(0, len(data)))
        if kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(SYNTAX), st.binary(max_size=8)))
        elif kind == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        else:
            lines = bytes(data).split(b"\n")
            i, j = (draw(st.integers(0, len(lines) - 1)) for _ in range(2))
            if kind == "duplicate":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.dates()
    | st.text(max_size=20)
    | st.sampled_from(["2026-02-30", "x\ny", "", " ", "<b>", "~", "1e999"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def wrong_values(draw, valid: str) -> bytes:
    """A valid file with values replaced by anything YAML can say, and keys misspelt or
    dropped: the loader's type checks and messages get every kind of value."""
    data = yaml.safe_load(valid)
    for _ in range(draw(st.integers(1, 4))):
        target = data
        while isinstance(target, (dict, list)) and target and draw(st.booleans()):
            key = draw(
                st.sampled_from(list(target) if isinstance(target, dict) else range(len(target)))
            )
            if not isinstance(target[key], (dict, list)):
                break
            target = target[key]
        if not isinstance(target, (dict, list)) or not target:
            continue
        key = draw(
            st.sampled_from(list(target) if isinstance(target, dict) else range(len(target)))
        )
        action = draw(st.sampled_from(["replace", "replace", "drop", "rename"]))
        if action == "replace":
            target[key] = draw(junk)
        elif action == "drop":
            del target[key]
        elif isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=12))] = target.pop(key)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


# --- running check ------------------------------------------------------------------------------


def write_plans(root: Path, client: bytes, plan: bytes, notes: dict[str, bytes]) -> None:
    project = root / "plans" / "acme" / "web"
    (project / "approvals").mkdir(parents=True)
    (root / "plans" / "acme" / "client.yml").write_bytes(client)
    (project / "plan.yml").write_bytes(plan)
    for name, note in notes.items():
        (project / "approvals" / name).write_bytes(note)


def assert_clean(code: int, stderr: str) -> None:
    assert code in (0, 1), (code, stderr)
    for line in stderr.splitlines():
        assert DIAGNOSTIC.match(line) or SUMMARY.match(line), (line, stderr)
    if code == 1:
        assert SUMMARY.match(stderr.splitlines()[-1]), stderr


def check_in_process(client: bytes, plan: bytes, notes: dict[str, bytes]) -> tuple[int, str]:
    """`site-builder check` through click, exceptions not caught: a bug shows its traceback."""
    runner = CliRunner()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        write_plans(Path(tmp), client, plan, notes)
        os.chdir(tmp)  # messages name files relative to the current folder
        try:
            result = runner.invoke(
                main, ["check"], catch_exceptions=False, env={"SITE_BUILDER_DEBUG": "1"}
            )
        finally:
            os.chdir(here)
    assert_clean(result.exit_code, result.stderr)
    return result.exit_code, result.stderr


@pytest.fixture(autouse=True)
def _cwd():
    """Override conftest's per-test chdir: every example makes its own folder."""
    yield


@pytest.mark.slow
@settings(max_examples=examples(30), **SETTINGS)
@given(client_files(), plan_files())
def test_generated_valid_plans_pass(client, plan):
    plan_text, notes = plan
    code, stderr = check_in_process(
        client.encode(), plan_text.encode(), {k: v.encode() for k, v in notes.items()}
    )
    errors = [line for line in stderr.splitlines() if ": error: " in line]
    assert code == 0 and not errors, stderr


@settings(max_examples=examples(50), **SETTINGS)
@given(st.data(), client_files(), plan_files())
def test_mutated_plan_yml(data, client, plan):
    plan_text, notes = plan
    broken = data.draw(mutated(plan_text.encode()), label="plan.yml")
    check_in_process(client.encode(), broken, {k: v.encode() for k, v in notes.items()})


@pytest.mark.slow
@settings(max_examples=examples(50), **SETTINGS)
@given(st.data(), client_files(), plan_files())
def test_plans_with_values_of_the_wrong_kind(data, client, plan):
    plan_text, notes = plan
    notes = {name: note.split("---\n") for name, note in notes.items()}
    broken_notes = {
        name: (
            "---\n" + data.draw(wrong_values(parts[1]), label=name).decode() + "---\n" + parts[2]
        ).encode()
        for name, parts in notes.items()
    }
    check_in_process(
        data.draw(wrong_values(client), label="client.yml"),
        data.draw(wrong_values(plan_text), label="plan.yml"),
        broken_notes,
    )


@settings(max_examples=examples(30), **SETTINGS)
@given(st.data(), client_files(), plan_files())
def test_mutated_client_yml(data, client, plan):
    plan_text, notes = plan
    broken = data.draw(mutated(client.encode()), label="client.yml")
    check_in_process(broken, plan_text.encode(), {k: v.encode() for k, v in notes.items()})


@settings(max_examples=examples(30), **SETTINGS)
@given(st.data(), client_files(), plan_files())
def test_mutated_approval_notes(data, client, plan):
    plan_text, notes = plan
    if not notes:
        notes = {"0-note.md": "---\nmilestone: x\ndate: 2026-01-01\nby: A <a@b.example>\n---\n"}
    broken = {name: data.draw(mutated(note.encode()), label=name) for name, note in notes.items()}
    check_in_process(client.encode(), plan_text.encode(), broken)


@pytest.mark.slow
@settings(max_examples=examples(8), **SETTINGS)
@given(st.data(), client_files(), plan_files())
def test_mutated_plans_in_a_real_process(data, client, plan):
    """The same through `python -m site_builder check`: real stderr, its encoding, exit code."""
    plan_text, notes = plan
    broken_plan = data.draw(mutated(plan_text.encode()), label="plan.yml")
    broken_notes = {n: data.draw(mutated(v.encode()), label=n) for n, v in notes.items()}
    with tempfile.TemporaryDirectory() as tmp:
        write_plans(Path(tmp), client.encode(), broken_plan, broken_notes)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
        env.pop("SITE_BUILDER_DEBUG", None)
        done = subprocess.run(
            [sys.executable, "-m", "site_builder", "check"],
            cwd=tmp,
            env=env,
            capture_output=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    stderr = done.stderr.decode("utf-8")  # stderr is UTF-8, whatever the plans held
    assert_clean(done.returncode, stderr)
