"""Evaluation definitions: a named set of scenarios, and the analyses each transcript gets.

A definition never changes once created (there is no update: a changed definition is a
new one), so a run's snapshot of it is its id and content hash, and its scenarios can be
cached by id for as long as a container lives. An organization's definitions are its
own; the samples (`samples.py`) belong to no organization and every caller sees them.

    item                        pk                  sk              what
    the definition              definition#<id>     meta            name, counts, analyses, hash, owner
    its scenarios, in order     definition#<id>     scenarios#0000  JSON text, at most ~300 KB per item

`owner` (`definition#<organization>`, or `definition#*` for the samples) and `createdKey`
list definitions newest first through the table's `byOwner` index.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

from boto3.dynamodb.conditions import Key
from pydantic import ConfigDict, Field, field_validator

from conveyor.core.clock import Clock, iso, system_clock
from conveyor.core.dynamo import Condition, Transaction, plain
from conveyor.core.errors import NotFound
from conveyor.core.models import ApiModel
from evaluation.scenarios import Scenario

MAX_SCENARIOS = 5000
SHARED = "*"  # the owner of the samples: every organization sees them
_CHUNK_CHARS = 300_000
_LIST_LIMIT = 100


class AnalysisKind(StrEnum):
    BASIC = "BASIC"
    DEEP = "DEEP"


class DefinitionInput(ApiModel):
    """What `createDefinition` takes."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str | None, Field(max_length=2000)] = None
    scenarios: Annotated[list[Scenario], Field(min_length=1, max_length=MAX_SCENARIOS)]
    analyses: list[AnalysisKind] = [AnalysisKind.BASIC]

    @field_validator("scenarios")
    @classmethod
    def _unique_ids(cls, scenarios: list[Scenario]) -> list[Scenario]:
        seen: set[str] = set()
        for scenario in scenarios:
            if scenario.id in seen:
                raise ValueError(f"scenario id {scenario.id!r} appears twice")
            seen.add(scenario.id)
        return scenarios

    @field_validator("analyses")
    @classmethod
    def _distinct(cls, analyses: list[AnalysisKind]) -> list[AnalysisKind]:
        return sorted(set(analyses), key=list(AnalysisKind).index)

    def content_hash(self) -> str:
        content = {
            "scenarios": [s.model_dump(mode="json", exclude_none=True) for s in self.scenarios],
            "analyses": [str(kind) for kind in self.analyses],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Definition(ApiModel):
    id: str
    name: str
    description: str | None = None
    organization_id: str | None = Field(None, description="None: a sample, shared by every organization")
    scenario_count: int
    analyses: list[AnalysisKind]
    content_hash: str
    created_at: str
    chunks: int = 1

    @property
    def sample(self) -> bool:
        return self.organization_id is None


class DefinitionNotFound(NotFound):
    def __init__(self, definition_id: str, field: str = "id") -> None:
        super().__init__(f"no definition {definition_id!r}", field=field)


class DefinitionStore:
    def __init__(self, table: Any, clock: Clock = system_clock) -> None:
        self._table = table
        self._clock = clock
        # Definitions never change: kept once read.
        self._definitions: dict[str, Definition] = {}
        self._scenarios: dict[str, list[Scenario]] = {}

    def create(
        self, definition: DefinitionInput, organization_id: str | None, definition_id: str | None = None
    ) -> Definition:
        """Store a new definition (`definition_id`: a fixed id, as the samples have; it must be new)."""
        record = Definition(
            id=definition_id or uuid.uuid4().hex,
            name=definition.name,
            description=definition.description,
            organization_id=organization_id,
            scenario_count=len(definition.scenarios),
            analyses=definition.analyses,
            content_hash=definition.content_hash(),
            created_at=iso(self._clock()),
        )
        chunks = _chunks(definition.scenarios)
        record = record.model_copy(update={"chunks": len(chunks)})
        pk = f"definition#{record.id}"
        tx = Transaction(self._table.meta.client)
        item = record.model_dump(mode="json", exclude_none=True)
        item.update(
            pk=pk,
            sk="meta",
            owner=f"definition#{organization_id or SHARED}",
            createdKey=f"{record.created_at}#{record.id}",
        )
        tx.put(self._table.name, item, Condition("attribute_not_exists(pk)"))
        for index, chunk in enumerate(chunks):
            tx.put(self._table.name, {"pk": pk, "sk": f"scenarios#{index:04d}", "scenariosJson": chunk})
        tx.commit()
        self._scenarios[record.id] = list(definition.scenarios)
        return record

    def get(self, definition_id: str) -> Definition | None:
        if definition_id not in self._definitions:
            item = self._table.get_item(Key={"pk": f"definition#{definition_id}", "sk": "meta"}).get("Item")
            if item is None:
                return None
            self._definitions[definition_id] = _definition(item)
        return self._definitions[definition_id]

    def visible_to(self, organization_id: str | None) -> list[Definition]:
        """The organization's definitions and the samples, newest first."""
        owners = [SHARED] if organization_id is None else [organization_id, SHARED]
        found: list[Definition] = []
        for owner in owners:
            response = self._table.query(
                IndexName="byOwner",
                KeyConditionExpression=Key("owner").eq(f"definition#{owner}"),
                ScanIndexForward=False,
                Limit=_LIST_LIMIT,
            )
            found.extend(_definition(item) for item in response["Items"])
        return found

    def scenarios(self, definition: Definition) -> list[Scenario]:
        """Its scenarios, in order (read once per container: definitions never change)."""
        if definition.id not in self._scenarios:
            query: dict[str, Any] = {
                "KeyConditionExpression": Key("pk").eq(f"definition#{definition.id}")
                & Key("sk").begins_with("scenarios#")
            }
            items: list[dict[str, Any]] = []
            while True:
                response = self._table.query(**query)
                items.extend(response["Items"])
                if "LastEvaluatedKey" not in response:
                    break
                query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            scenarios = [Scenario.model_validate(s) for item in items for s in json.loads(item["scenariosJson"])]
            if len(scenarios) != definition.scenario_count:
                raise RuntimeError(f"definition {definition.id}: {len(scenarios)} of {definition.scenario_count} read")
            self._scenarios[definition.id] = scenarios
        return self._scenarios[definition.id]


def _definition(item: dict[str, Any]) -> Definition:
    return Definition.model_validate(plain(item))


def _chunks(scenarios: Sequence[Scenario]) -> list[str]:
    """The scenarios as JSON arrays of at most ~_CHUNK_CHARS each, in order."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for scenario in scenarios:
        text = scenario.model_dump_json(exclude_none=True)
        if current and size + len(text) > _CHUNK_CHARS:
            chunks.append(f"[{','.join(current)}]")
            current, size = [], 0
        current.append(text)
        size += len(text) + 1
    chunks.append(f"[{','.join(current)}]")
    return chunks
