"""Operations parsed and validated once per container.

A client polling a run sends the same query text again and again; parsing and validating
it against the composed schema costs more than resolving it (about 1 ms and 3 ms of the
function's time on the development machine). The route keeps the last `size` distinct
query texts with their document and their validation errors, and hands them to ariadne
(`query_parser`, `query_validator`); a text seen before is neither parsed nor validated
again. Variables are not part of the key: they are checked at execution, every time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.validation import ASTValidationRule


@dataclass
class _Entry:
    document: DocumentNode
    errors: list[GraphQLError] | None = None


class DocumentCache:
    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def parse(self, context_value: Any, data: dict[str, Any]) -> DocumentNode:
        query = data["query"]
        entry = self._entries.get(query)
        if entry is None:
            entry = self._entries[query] = _Entry(parse(query))
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        self._entries.move_to_end(query)
        return entry.document

    def validate(
        self,
        schema: GraphQLSchema,
        document_ast: DocumentNode,
        rules: Collection[type[ASTValidationRule]] | None = None,
        max_errors: int | None = None,
        **kwargs: Any,
    ) -> list[GraphQLError]:
        entry = next((e for e in reversed(self._entries.values()) if e.document is document_ast), None)
        if entry is None:  # not a document of ours (evicted meanwhile): validated as usual
            return validate(schema, document_ast, rules=rules, max_errors=max_errors, **kwargs)
        if entry.errors is None:
            entry.errors = validate(schema, document_ast, rules=rules, max_errors=max_errors, **kwargs)
        return entry.errors
