"""Parse YAML into PyYAML nodes (which keep line numbers), safely.

PyYAML's safe loader still expands aliases lazily, so a 500-byte "billion laughs" file can cost
minutes and gigabytes once walked, and deep nesting overflows Python's stack. Plan files never
need either, so this loader refuses anchors/aliases outright and bounds nesting depth; callers
bound the file size before reading.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent

MAX_DEPTH = 32


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses aliases/anchors and nesting deeper than MAX_DEPTH."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None, None,
                "YAML aliases (*name) are not supported in plan files; write the value out",
                event.start_mark,
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise ComposerError(
                None, None,
                "YAML anchors (&name) are not supported in plan files; write the value out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None, None, f"YAML nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass(frozen=True)
class YamlProblem:
    line: int  # 1-based, within the parsed text
    message: str


def parse(text: str) -> yaml.Node | None | YamlProblem:
    """Compose one YAML document into a node tree; a problem (with its line) if it is not valid."""
    loader = None
    try:
        loader = _BoundedLoader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = exc.problem or "invalid YAML"
        if exc.context and "expected a single document" not in (exc.problem or ""):
            message = f"{exc.context}: {message}" if exc.context else message
        return YamlProblem(line, f"invalid YAML: {message}")
    except yaml.reader.ReaderError as exc:  # bad characters carry an offset, not a mark
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        return YamlProblem(line, f"invalid YAML: control character #x{exc.character:04x} is not allowed")
    except yaml.YAMLError as exc:
        return YamlProblem(1, f"invalid YAML: {exc}")
    except RecursionError:
        return YamlProblem(1, f"invalid YAML: nested deeper than {MAX_DEPTH} levels")
    finally:
        if loader is not None:
            loader.dispose()
    return node
