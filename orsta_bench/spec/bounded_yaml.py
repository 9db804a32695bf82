"""PyYAML's safe loader with caps, so a hostile spec costs bounded work (docs/specs.md, Caps).

The composer is subclassed to count, while the document is composed and before anything walks
it: nesting depth (the composer recurses, so a 500-deep list would end in RecursionError), alias
uses, and the size of the document with every alias expanded (nodes and scalar characters; an
alias bomb is small on disk but huge once anything walks it). The constructor is subclassed to
refuse duplicate keys in a mapping instead of letting the last one win silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

MAX_SPEC_BYTES = 1 * 2**20  # one spec file and everything it includes, together
MAX_DEPTH = 50  # nested mappings / lists
MAX_ALIASES = 1_000  # alias uses in one file
MAX_NODES = 100_000  # per spec with includes, every alias expanded
MAX_SCALAR_CHARS = 4 * 2**20  # scalar text per spec with includes, every alias expanded
MAX_INCLUDES = 32  # included files per spec, repeats counted (the depth cap is in loader.py)
MERGE_TAG = "tag:yaml.org,2002:merge"


class YAMLLimitError(yaml.MarkedYAMLError):
    """A cap was hit; `problem` says which and how to fix the file."""


@dataclass
class Budget:
    """What one spec (with its includes) may still use; shared by every file it reads."""

    nodes: int = MAX_NODES
    chars: int = MAX_SCALAR_CHARS
    spec_bytes: int = MAX_SPEC_BYTES
    includes: int = MAX_INCLUDES


class BoundedLoader(yaml.SafeLoader):
    """Safe loader that keeps the expanded size of every node and stops at the first cap."""

    def __init__(self, text: str, budget: Budget) -> None:
        super().__init__(text)
        self._budget = budget
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes, chars) expanded

    def _limit(self, problem: str) -> YAMLLimitError:
        return YAMLLimitError(None, None, problem, self.peek_event().start_mark)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise self._limit(f"more than {MAX_ALIASES} alias uses (*name); write the values out")
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise YAMLLimitError(None, None, "an alias refers to a node that contains it "
                                     "(a recursive structure); specs cannot be recursive", mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._limit(f"nested deeper than {MAX_DEPTH} levels; flatten the structure")
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(node)
        return node

    def _count(self, node: Any) -> None:
        if isinstance(node, yaml.ScalarNode):
            size = (1, len(node.value))
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else [
                child for pair in node.value for child in pair]
            sizes = [self._sizes[id(child)] for child in children]
            size = (1 + sum(s[0] for s in sizes), sum(s[1] for s in sizes))
        self._sizes[id(node)] = size
        if size[0] > self._budget.nodes:
            raise YAMLLimitError(None, None, f"more than {MAX_NODES:,} YAML nodes with aliases "
                                 "expanded (an alias bomb?); write a smaller spec", node.start_mark)
        if size[1] > self._budget.chars:
            raise YAMLLimitError(None, None, f"more than {MAX_SCALAR_CHARS:,} characters of values "
                                 "with aliases expanded; write a smaller spec", node.start_mark)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base constructor says so with its line
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {first}); keep only one",
                    key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep)


def load_bounded(text: str, budget: Budget) -> tuple[Any, Any]:
    """(data, root node) of one YAML document; YAMLError (limits included) on any problem.
    The budget is charged with the document's expanded size."""
    loader = BoundedLoader(text, budget)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        nodes, chars = loader._sizes[id(node)]
        budget.nodes -= nodes
        budget.chars -= chars
        return loader.construct_document(node), node
    finally:
        loader.dispose()
