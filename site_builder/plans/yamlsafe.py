"""Parse YAML into PyYAML nodes (which keep line numbers), safely and fast.

PyYAML's safe loader still expands aliases lazily, so a 500-byte "billion laughs" file can cost
minutes and gigabytes once walked, and deep nesting overflows the stack (in libyaml's composer,
a crash rather than an exception). Plan files need neither, so:

* nesting is bounded *before* composing, by a linear scan of the text (and of the scanner's
  tokens when brackets stack deeper than MAX_DEPTH in the text);
* the node graph is composed with libyaml (about 25x faster than pure Python) and then walked
  once: a node reached twice is an alias, refused with its line.

Callers bound the file size before reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent

MAX_DEPTH = 32  # flow nesting ([ and {)
MAX_BLOCK_PREFIX = 96  # columns of indentation / "- " before content on one line
_BLOCK_PREFIX = re.compile(r"^(?: |- |\? )+", re.M)
_BRACKETS = re.compile(r"[\[\]{}]")
_FLOW_START = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_FLOW_END = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
_CLoader = getattr(yaml, "CSafeLoader", None)


@dataclass(frozen=True)
class YamlProblem:
    line: int  # 1-based, within the parsed text
    message: str


def _bracket_depth(text: str) -> int:
    """How deep [ and { stack anywhere in the text (in strings too): a cheap upper bound of
    the flow nesting, so only a suspicious file pays for the scanner's tokens."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth = max(depth + (1 if match.group() in "[{" else -1), 0)
        deepest = max(deepest, depth)
    return deepest


def _nesting_problem(text: str) -> YamlProblem | None:
    for match in _BLOCK_PREFIX.finditer(text):
        if match.end() - match.start() > MAX_BLOCK_PREFIX:
            line = text.count("\n", 0, match.start()) + 1
            return YamlProblem(
                line, f"invalid YAML: indented or nested deeper than {MAX_BLOCK_PREFIX} columns"
            )
    if _bracket_depth(text) <= MAX_DEPTH:
        return None  # the common case: brackets never stack that deep, even counted in text
    # Count real flow collections, not brackets in quoted or plain text: the scanner (no
    # recursion, unlike the composer) tells them apart.
    depth = 0
    try:
        for token in yaml.scan(text, Loader=_CLoader or yaml.SafeLoader):
            if isinstance(token, _FLOW_START):
                depth += 1
                if depth > MAX_DEPTH:
                    return YamlProblem(
                        token.start_mark.line + 1,
                        f"invalid YAML: nested deeper than {MAX_DEPTH} levels",
                    )
            elif isinstance(token, _FLOW_END):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in (exc.problem or "") and exc.problem_mark is not None:
            # libyaml's own limit (1000 levels), met while looking ahead for a mapping key
            return YamlProblem(
                exc.problem_mark.line + 1, f"invalid YAML: nested deeper than {MAX_DEPTH} levels"
            )
        return None  # not valid YAML: parsing reports it, with its line
    except yaml.YAMLError:
        return None
    return None


def _alias_problem(root: yaml.Node) -> YamlProblem | None:
    """A node reachable twice was written as an alias (*name): refuse it."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return YamlProblem(
                node.start_mark.line + 1,
                "invalid YAML: aliases (*name) are not supported in plan files "
                "(this anchored value is reused); write the value out",
            )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return None


class _PythonLoader(yaml.SafeLoader):
    """Fallback without libyaml: refuses aliases while composing."""

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            raise ComposerError(
                None,
                None,
                "aliases (*name) are not supported in plan files; write the value out",
                self.peek_event().start_mark,
            )
        return super().compose_node(parent, index)


def parse(text: str) -> yaml.Node | None | YamlProblem:
    """Compose one YAML document into a node tree; a problem (with its line) if it is not valid."""
    problem = _nesting_problem(text)
    if problem:
        return problem
    try:
        node = yaml.compose(text, Loader=_CLoader or _PythonLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = exc.problem or "invalid YAML"
        if exc.context and "expected a single document" not in message:
            message = f"{exc.context}: {message}"
        return YamlProblem(line, f"invalid YAML: {message}")
    except yaml.reader.ReaderError as exc:  # bad characters carry an offset, not a mark
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        return YamlProblem(line, "invalid YAML: control characters are not allowed")
    except yaml.YAMLError as exc:
        return YamlProblem(1, f"invalid YAML: {exc}")
    except RecursionError:
        return YamlProblem(1, f"invalid YAML: nested deeper than {MAX_DEPTH} levels")
    if node is None:
        return None
    return _alias_problem(node) or node
