"""The package reads as its pipeline: imports only go down the stages, never round in a
circle, never reach for another module's private names, and no module grows past one screen
of concepts (500 lines). An import walk over site_builder/**/*.py with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"

# The stages, lowest first. A module may import from its own stage or any stage before it,
# never from a later one. The longest matching prefix names a module's stage.
STAGES = [
    [
        "site_builder",
        "site_builder.textsafe",
        "site_builder.errors",
        "site_builder.store",
        "site_builder.output",
    ],  # foundations
    ["site_builder.model"],  # the frozen model
    ["site_builder.plans"],  # input: plans folder -> model
    ["site_builder.derive"],  # pure: model -> state
    ["site_builder.site"],  # pages: state -> files
    ["site_builder.engines"],  # files -> static site (MkDocs)
    ["site_builder.access"],  # who may see a site
    ["site_builder.build"],  # the orchestrator
    ["site_builder.events", "site_builder.authoring"],  # commands beside the build
    [
        "site_builder.cli",
        "site_builder.terminal",
        "site_builder.__main__",
        "site_builder.plugin",
    ],  # entry points
]
MAX_LINES = 500
# Modules still over MAX_LINES, each to be split; the list may only shrink.
OVERSIZED: set[str] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for each site_builder import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import module` imports the module
                if f"{module}.{alias.name}" in MODULES:
                    found.append((f"{module}.{alias.name}", [], node.lineno))
                else:
                    found.append((module, [alias.name], node.lineno))
    return [f for f in found if f[0] == "site_builder" or f[0].startswith("site_builder.")]


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _stage(module: str) -> int:
    best = max(
        (
            prefix
            for stage in STAGES
            for prefix in stage
            if module == prefix or module.startswith(prefix + ".")
        ),
        key=len,
    )
    return next(i for i, stage in enumerate(STAGES) if best in stage)


def test_every_module_has_a_stage():
    for name in MODULES:
        _stage(name)  # raises when a module belongs to no stage


def test_imports_only_go_down_the_pipeline():
    upward = [
        f"{name}:{line} imports {target} (a later stage)"
        for name, imports in GRAPH.items()
        for target, _, line in imports
        if _stage(target) > _stage(name)
    ]
    assert upward == []


def test_no_private_name_is_imported_from_another_module():
    private = [
        f"{name}:{line} takes {n} from {target}"
        for name, imports in GRAPH.items()
        for target, names, line in imports
        for n in names
        if n.startswith("_") and not n.startswith("__") and target != name
    ]
    assert private == []


def test_no_import_cycle():
    edges = {
        name: {t for t, _, _ in imports if t in MODULES and t != name}
        for name, imports in GRAPH.items()
    }
    # A package's __init__ is imported on the way to each of its modules: not an edge back.
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt) :] + [node, nxt]))
            elif nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_modules_stay_small():
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()
    }
    assert sorted(n for n, size in sizes.items() if size > MAX_LINES) == sorted(OVERSIZED)


def _module_map() -> set[str]:
    """The files the module map in docs/development.md names under site_builder/ (its first
    code block: a tree, two spaces per level, a description after the name)."""
    text = (PACKAGE.parent / "docs" / "development.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    named: set[str] = set()
    folders: list[str] = []
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        entry = line.strip().split("  ")[0]
        if not entry or indent % 2 or indent // 2 > len(folders):
            continue  # a blank line, or a description carried over to the next line
        folders = folders[: indent // 2]
        for name in entry.split(", "):
            if name.endswith("/"):
                folders.append(name.rstrip("/"))
            else:
                named.add("/".join([*folders, name]))
    return {n for n in named if n.startswith("site_builder/")}


def test_the_module_map_names_every_module_and_only_those():
    modules = {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.name not in ("__init__.py",)
    }
    named = _module_map()
    assert not modules - named, "modules missing from docs/development.md"
    assert not {n for n in named if n.endswith(".py")} - modules, "named but not in the tree"
