"""A depth limit that counts introspection too.

strawberry's `QueryDepthLimiter` skips `__` fields, and the introspection types recurse
(`ofType`, `fields { type { fields ... } } }`): without this, one small query in development
(introspection on) could ask for an answer exponential in its depth. The cap admits GraphiQL's
own introspection query (depth 15 with graphql-core's) with a margin for other clients.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

MAX_INTROSPECTION_DEPTH = 20


def depth(node: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode],
          seen: frozenset[str] = frozenset()) -> int:
    """The deepest chain of fields below `node`, through fragments (each once per path)."""
    if node is None:
        return 0
    deepest = 0
    for selection in node.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                deepest = max(deepest, depth(fragments[name].selection_set, fragments,
                                             seen | {name}))
    return deepest


class IntrospectionDepthLimit(ValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        fragments = {f.name.value: f for f in self.context.document.definitions
                     if isinstance(f, FragmentDefinitionNode)}
        if depth(node.selection_set, fragments) > MAX_INTROSPECTION_DEPTH:
            name = node.name.value if node.name else "anonymous"
            self.report_error(GraphQLError(
                f"'{name}' exceeds maximum operation depth of {MAX_INTROSPECTION_DEPTH} "
                "(introspection included)", node))
