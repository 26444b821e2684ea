"""Pausing a workload's queues: disabling the event source mappings that feed them to workers.

A job queue is consumed by an event source mapping into its workload's worker function.
Disabling the mapping stops new deliveries (AWS and the local cloud alike); messages
stay in the queue, and batches already handed to the worker finish. Enabling it again
drains the queue. So a pause needs no flag that every worker must read, and holds even
for a worker that is not running:

    state        meaning here
    Enabled      consumed
    Disabled     paused
    Enabling     resuming (AWS takes a few seconds)
    Disabling    pausing: no new batch, the running ones finish
    (others)     Creating, Updating, Deleting: as AWS reports them

Pausing and resuming are idempotent: a mapping already in the wanted state is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conveyor.jobs.queues import JobQueues

PAUSED_STATES = frozenset({"Disabled", "Disabling"})


@dataclass(frozen=True)
class QueueConsumer:
    queue: str  # the queue's short name
    mapping_id: str  # the event source mapping's UUID
    state: str

    @property
    def paused(self) -> bool:
        return self.state in PAUSED_STATES


class QueueConsumers:
    """The mappings of a worker function, one per queue of the workload."""

    def __init__(self, lambda_client: Any, function_name: str, queues: JobQueues, queue_names: Iterable[str]) -> None:
        self._lambda = lambda_client
        self._function = function_name
        self._queues = queues
        self._names = set(queue_names)

    def consumers(self) -> dict[str, QueueConsumer]:
        """The workload's queues that have a mapping into the worker, by short name."""
        found: dict[str, QueueConsumer] = {}
        for page in self._lambda.get_paginator("list_event_source_mappings").paginate(FunctionName=self._function):
            for mapping in page["EventSourceMappings"]:
                try:
                    queue = self._queues.queue_of(mapping["EventSourceArn"])
                except ValueError:
                    continue  # a source that is not one of the job queues
                if queue in self._names:
                    found[queue] = QueueConsumer(queue, mapping["UUID"], str(mapping.get("State", "")))
        return found

    def pause(self) -> dict[str, QueueConsumer]:
        return self._set(enabled=False)

    def resume(self) -> dict[str, QueueConsumer]:
        return self._set(enabled=True)

    def _set(self, enabled: bool) -> dict[str, QueueConsumer]:
        consumers = self.consumers()
        for queue, consumer in consumers.items():
            if consumer.paused is not enabled:
                continue  # already as wanted (or on its way there)
            updated = self._lambda.update_event_source_mapping(UUID=consumer.mapping_id, Enabled=enabled)
            consumers[queue] = QueueConsumer(queue, consumer.mapping_id, str(updated.get("State", "")))
        return consumers
