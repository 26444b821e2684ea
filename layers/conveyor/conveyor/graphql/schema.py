"""One executable schema from the workloads' GraphQL modules.

A workload keeps its SDL in a `.graphql` file beside its resolvers and extends the base
types (`extend type Query { ... }`, `extend type Mutation { ... }`); `compose` adds the
base (`base.graphql`: `Caller`, `Query.me`, and a `Mutation` type when a module extends
it: GraphQL refuses a type without fields) and binds every module's resolvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ariadne import QueryType, load_schema_from_path, make_executable_schema
from graphql import GraphQLResolveInfo, GraphQLSchema

from conveyor.core.auth import Caller

BASE_SDL = Path(__file__).with_name("base.graphql")


@dataclass(frozen=True)
class GraphqlModule:
    """A workload's part of the schema: its SDL and what resolves it."""

    name: str
    sdl: str
    bindables: Sequence[Any] = field(default_factory=tuple)

    @classmethod
    def from_file(cls, name: str, path: Path, *bindables: Any) -> GraphqlModule:
        return cls(name, load_schema_from_path(str(path)), bindables)


def caller_of(info: GraphQLResolveInfo) -> Caller:
    """The verified caller of the operation a resolver is part of."""
    return info.context["caller"]


def compose(*modules: GraphqlModule) -> GraphQLSchema:
    base = QueryType()
    base.set_field("me", lambda _, info: caller_of(info))
    type_defs = [load_schema_from_path(str(BASE_SDL)), *(module.sdl for module in modules)]
    if any("extend type Mutation" in module.sdl for module in modules):
        type_defs.insert(1, "type Mutation")
    bindables = [base, *(bindable for module in modules for bindable in module.bindables)]
    # camelCase in the SDL, snake_case in Python: fields resolve from the models' attributes,
    # and arguments and input fields reach resolvers as snake_case keys (pydantic's names).
    return make_executable_schema(type_defs, *bindables, convert_names_case=True)
