"""Editor JSON Schemas: generated from schema.py, committed byte for byte, and in agreement with
the loader on the demo plans and on fixture files (tests/fixtures/schema/)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from helpers import CLIENT_YML, PLAN_YML, write

from site_builder.authoring import schema_export
from site_builder.cli import main
from site_builder.plans.load import load_plans
from site_builder.plans.notes import FRONT_MATTER

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schema"
REGENERATE = "regenerate with `python -m site_builder schema --write` from the repository root"


# --- YAML as an editor reads it ---------------------------------------------------------------
# The YAML language server reads YAML 1.2 (core schema): `2026-02-06` is text, `yes` is text,
# `2024` is a number. PyYAML resolves YAML 1.1, so plain scalars are resolved again here.

_NULL = re.compile(r"(~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"(true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z|0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}


def editor_data(node):
    if isinstance(node, yaml.MappingNode):
        return {str(editor_data(k)): editor_data(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [editor_data(v) for v in node.value]
    value = node.value
    if node.style is not None:  # quoted or block scalar: always text
        return value
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value.lower() == "true"
    if _INT.match(value):
        return (
            int(value[2:], 8)
            if value.startswith("0o")
            else int(value[2:], 16)
            if value.startswith("0x")
            else int(value)
        )
    if _FLOAT.match(value):
        return float(value)
    if value.lower() in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[value.lower()]
    return value


def editor_load(text: str):
    return editor_data(yaml.compose(text, Loader=yaml.SafeLoader))


def test_editor_reading_follows_yaml_1_2():
    assert editor_load(
        "a: 2026-02-06\nb: yes\nc: 2024\nd: 1.5\ne: ~\nf: TRUE\ng: '7'\nh: 0x1F\n"
    ) == {
        "a": "2026-02-06",
        "b": "yes",
        "c": 2024,
        "d": 1.5,
        "e": None,
        "f": True,
        "g": "7",
        "h": 31,
    }


# --- the schemas themselves -------------------------------------------------------------------


def validator(kind, draft=jsonschema.Draft202012Validator):
    return draft(schema_export.build(kind), format_checker=draft.FORMAT_CHECKER)


def schema_errors(kind, data) -> list[str]:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(kind).iter_errors(data)
    ]
    # Only keywords that mean the same in draft-07 are used, so editors that implement draft-07
    # (the YAML language server behind VS Code's YAML extension) decide the same way.
    assert validator(kind, jsonschema.Draft7Validator).is_valid(data) == (not errors)
    return errors


@pytest.mark.parametrize("kind", list(schema_export.KINDS))
def test_committed_schemas_are_the_generated_ones(kind):
    expected = schema_export.render(kind).encode("utf-8")
    name = schema_export.file_name(kind)
    for folder in (REPO / "schemas", schema_export.PACKAGE_DIR):
        assert (folder / name).read_bytes() == expected, f"{folder / name} is stale: {REGENERATE}"


def _properties(fragment, path=""):
    """Every (path, property schema) in a schema, nested records included."""
    for name, prop in fragment.get("properties", {}).items():
        yield f"{path}{name}", prop
        for sub in [prop, *prop.get("anyOf", []), *prop.get("oneOf", [])]:
            items = sub.get("items", {})
            for nested in [sub, items, *items.get("oneOf", []), *items.get("anyOf", [])]:
                if "properties" in nested:
                    yield from _properties(nested, f"{path}{name}.")


@pytest.mark.parametrize("kind", list(schema_export.KINDS))
def test_schema_is_draft_2020_12_with_docs_and_examples_everywhere(kind):
    built = schema_export.build(kind)
    jsonschema.Draft202012Validator.check_schema(built)
    jsonschema.Draft7Validator.check_schema(built)
    text = schema_export.render(kind)
    for keyword in ("$defs", "prefixItems", "unevaluated", "dependentRequired", "$dynamicRef"):
        assert keyword not in text, f"{keyword} is not understood by draft-07 editors"
    assert built["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert built["$id"].endswith(f"/{kind}.schema.json")
    assert built["title"] and built["description"]
    props = dict(_properties(built))
    assert len(props) >= {"client": 13, "plan": 18, "approval": 6, "agency": 9}[kind]
    for name, prop in props.items():
        assert prop.get("description"), f"{kind}: `{name}` has no description"
        assert prop.get("examples"), f"{kind}: `{name}` has no examples"
        for example in prop["examples"]:  # every example is itself valid
            wrapper = jsonschema.Draft202012Validator(
                prop, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            assert not list(wrapper.iter_errors(example)), (kind, name, example)


def test_schema_patterns_are_valid_javascript_regexes():
    """Editors run the patterns as ECMAScript regexes (with the `u` flag), not Python ones."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    patterns = sorted(
        {
            m
            for kind in schema_export.KINDS
            for m in re.findall(r'"pattern": ("(?:[^"\\]|\\.)*")', schema_export.render(kind))
        }
    )
    script = (
        "const ps = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "for (const p of ps) new RegExp(JSON.parse(p), 'u');"
    )
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(patterns), text=True, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert len(patterns) >= 8


def test_schema_command_prints_one_and_refuses_ambiguity(tmp_path):
    runner = CliRunner()
    for kind in schema_export.KINDS:
        result = runner.invoke(main, ["schema", kind])
        assert result.exit_code == 0
        assert result.output == schema_export.render(kind)
    assert runner.invoke(main, ["schema"]).exit_code == 2
    assert runner.invoke(main, ["schema", "plan", "--write"]).exit_code == 2
    assert runner.invoke(main, ["schema", "budget"]).exit_code == 2


def test_schema_write_outside_a_checkout_writes_only_the_folder(tmp_path):
    result = CliRunner().invoke(main, ["schema", "--write", "--out", "editor"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "editor").iterdir()) == [
        "agency.schema.json",
        "approval.schema.json",
        "client.schema.json",
        "plan.schema.json",
    ]
    assert "site_builder" not in result.output


def test_schema_write_in_a_checkout_refreshes_the_package_copy(monkeypatch, tmp_path):
    # `python -m site_builder schema --write` run at the repository root writes both copies.
    assert schema_export.source_checkout_dir(REPO) == schema_export.PACKAGE_DIR
    assert schema_export.source_checkout_dir(tmp_path) is None


def test_schema_command_via_python_dash_m():
    done = subprocess.run(
        [sys.executable, "-m", "site_builder", "schema", "plan"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == schema_export.build("plan")


# --- schema and loader agree ------------------------------------------------------------------


def front_matter(text: str) -> str:
    match = FRONT_MATTER.match(text.lstrip("\ufeff"))
    assert match, "no front matter"
    return match.group(1)


def editor_errors(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    kind = kind_of(path)
    data = editor_load(front_matter(text) if kind == "approval" else text)
    return schema_errors(kind, data)


def kind_of(path: Path) -> str:
    if path.name == "client.yml" or path.name.startswith("client-"):
        return "client"
    if path.name == "plan.yml" or path.name.startswith("plan-"):
        return "plan"
    assert path.suffix == ".md", path
    return "approval"


def test_demo_plans_pass_both():
    demo = REPO / "plans"
    files = sorted(
        [*demo.glob("*/client.yml"), *demo.glob("*/*/plan.yml"), *demo.glob("*/*/approvals/*.md")]
    )
    assert len(files) >= 15
    _, diags = load_plans(demo)
    assert not diags.errors, [d.format() for d in diags.errors]
    for path in files:
        assert editor_errors(path) == [], path


def place(fixture: Path, plans: Path) -> Path:
    """Put a fixture into a minimal plans folder (plans/acme/web); the fixture's new path."""
    kind = kind_of(fixture)
    text = fixture.read_text(encoding="utf-8")
    client = plans / "acme"
    write(client / "client.yml", text if kind == "client" else CLIENT_YML)
    write(client / "web" / "plan.yml", text if kind == "plan" else PLAN_YML)
    write(client / "web" / "documents" / "readout.pdf", "%PDF-1.4\n")
    if "logo: logo.svg" in text:
        write(client / "logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    if kind == "approval":
        return write(client / "web" / "approvals" / "note.md", text)
    return client / ("client.yml" if kind == "client" else "web/plan.yml")


def loader_errors(fixture: Path, plans: Path) -> list[str]:
    placed = place(fixture, plans)
    _, diags = load_plans(plans)
    assert all(d.path == placed for d in diags.errors), [d.format() for d in diags.errors]
    return [d.message for d in diags.errors]


def fixtures(folder: str):
    found = sorted((FIXTURES / folder).iterdir())
    assert found
    return pytest.mark.parametrize("fixture", found, ids=[p.name for p in found])


@fixtures("valid")
def test_valid_fixture_passes_both(fixture, plans):
    assert loader_errors(fixture, plans) == []
    assert editor_errors(fixture) == []


@fixtures("invalid")
def test_invalid_fixture_fails_both(fixture, plans):
    assert loader_errors(fixture, plans), "the loader accepted it"
    assert editor_errors(fixture), "the schema accepted it"


@fixtures("loader-only")
def test_loader_only_fixture(fixture, plans):
    """Checks that need other files or outside data: only the loader can make them."""
    assert loader_errors(fixture, plans), "the loader accepted it"
    assert editor_errors(fixture) == [], "the schema rejects it now: move it to invalid/"


def test_fixture_kinds_are_all_covered():
    for folder in ("valid", "invalid", "loader-only"):
        kinds = {kind_of(p) for p in (FIXTURES / folder).iterdir()}
        assert kinds == {"client", "plan", "approval"}, folder
