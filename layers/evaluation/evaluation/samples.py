"""The sample definitions every organization can start a run from, right after `make up`.

    id                  scenarios  analyses      what it is for
    sample-smoke        10         BASIC         a first run: short questions with expected keywords
    sample-quality      8          BASIC, DEEP   reference answers, for the deep analysis
    sample-resilience   6          BASIC         one scenario per retry class, failing on demand
    sample-load         1,000      -             large runs (10 models × 1,000 = 10,000 jobs)

They are written on first use (the first GraphQL request that reads or starts from
definitions, per container), each only if absent, and a marker item says it was done:
running it twice, or from two containers at once, writes each sample once.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from aws_lambda_powertools import Logger

from conveyor.core.dynamo import TransactionCancelled
from evaluation.definitions import AnalysisKind, DefinitionInput, DefinitionStore
from evaluation.scenarios import Expectation, FailureMode, Scenario, Simulation

logger = Logger(child=True)

SAMPLES_VERSION = "samples#v1"

_SMOKE = [
    ("capital-france", "What is the capital of France?", ["paris"]),
    ("boiling-point", "At what temperature does water boil at sea level, in Celsius?", ["100"]),
    ("photosynthesis", "Explain photosynthesis in one sentence.", ["light", "energy", "plants"]),
    ("largest-planet", "Which planet is the largest in the solar system?", ["jupiter"]),
    ("python-list", "How do you append an element to a Python list?", ["append"]),
    ("http-404", "What does the HTTP status code 404 mean?", ["found"]),
    ("speed-light", "Roughly how fast does light travel in a vacuum?", ["300000", "kilometres"]),
    ("dna", "What molecule carries genetic information in living organisms?", ["dna"]),
    ("prime-seven", "Is seven a prime number? Answer and explain.", ["prime", "seven"]),
    ("translate-hello", "Translate 'hello' into Spanish.", ["hola"]),
]

_QUALITY = [
    (
        "queue-vs-topic",
        "Explain the difference between a message queue and a publish/subscribe topic.",
        "A queue delivers each message to one consumer, while a topic delivers each message to every subscriber.",
    ),
    (
        "idempotency",
        "What does it mean for an operation to be idempotent?",
        "An idempotent operation has the same effect whether it is performed once or many times.",
    ),
    (
        "backoff",
        "Why do retries use exponential backoff?",
        "Exponential backoff spreads retries out over time so a struggling service is not overwhelmed.",
    ),
    (
        "dead-letter",
        "What is a dead-letter queue for?",
        "A dead-letter queue keeps messages that could not be processed so they can be inspected and retried.",
    ),
    (
        "at-least-once",
        "What does at-least-once delivery imply for consumers?",
        "Consumers may see a message more than once, so processing must tolerate duplicates.",
    ),
    (
        "visibility-timeout",
        "What is an SQS visibility timeout?",
        "The visibility timeout hides a received message from other consumers while it is being processed.",
    ),
    (
        "optimistic-locking",
        "Describe optimistic locking in a database.",
        "Optimistic locking writes only if the record is unchanged since it was read, using a version check.",
    ),
    (
        "priority-queue",
        "How does a priority queue decide what comes out next?",
        "A priority queue always removes the element with the highest priority first.",
    ),
]

_RESILIENCE = [
    ("healthy", "Answers at once", None),
    (
        "network-blip",
        "Fails once with a network error, then answers",
        Simulation(failure=FailureMode.TRANSIENT, fail_attempts=1),
    ),
    (
        "rate-limited",
        "Answers 429 once (Retry-After: 1 s), then answers",
        Simulation(failure=FailureMode.RATE_LIMITED, fail_attempts=1, retry_after_seconds=1),
    ),
    ("slow-then-ok", "Times out twice, then answers", Simulation(failure=FailureMode.TIMEOUT, fail_attempts=2)),
    (
        "bad-request",
        "Always refused as invalid: fails at once, not retried",
        Simulation(failure=FailureMode.VALIDATION),
    ),
    (
        "bad-key",
        "Always refused as unauthenticated: fails at once, not retried",
        Simulation(failure=FailureMode.AUTHENTICATION),
    ),
]

_TOPICS = ("queues", "retries", "databases", "networks", "compilers", "caches", "schedulers", "storage")
_ASKS = (
    "Explain {t} to a beginner.",
    "List three risks of {t}.",
    "Compare two designs of {t}.",
    "Why do {t} fail under load?",
    "Describe monitoring for {t}.",
)


@functools.cache
def sample_definitions() -> dict[str, DefinitionInput]:
    return {
        "sample-smoke": DefinitionInput(
            name="Smoke test",
            description="Ten short questions with the keywords a right answer mentions.",
            scenarios=[
                Scenario(id=sid, name=prompt[:60], prompt=prompt, expected=Expectation(keywords=keywords))
                for sid, prompt, keywords in _SMOKE
            ],
            analyses=[AnalysisKind.BASIC],
        ),
        "sample-quality": DefinitionInput(
            name="Answer quality",
            description="Questions with reference answers, for the deep analysis (ROUGE-L, hedging, readability).",
            scenarios=[
                Scenario(id=sid, name=sid.replace("-", " "), prompt=prompt, expected=Expectation(answer=answer))
                for sid, prompt, answer in _QUALITY
            ],
            analyses=[AnalysisKind.BASIC, AnalysisKind.DEEP],
        ),
        "sample-resilience": DefinitionInput(
            name="Resilience",
            description="One scenario per retry class; local models fail them on demand (200 ms per call).",
            scenarios=[
                Scenario(
                    id=sid,
                    name=name,
                    prompt=f"Scenario {sid}: describe what a reliable job queue does.",
                    simulate=(simulate or Simulation()).model_copy(update={"latency_ms": 200}),
                )
                for sid, name, simulate in _RESILIENCE
            ],
            analyses=[AnalysisKind.BASIC],
        ),
        "sample-load": DefinitionInput(
            name="Load",
            description="1,000 generated prompts, no analyses: 10 models make a 10,000-job run.",
            scenarios=[
                Scenario(
                    id=f"load-{i:04d}",
                    name=f"load {i}",
                    prompt=_ASKS[i % len(_ASKS)].format(t=_TOPICS[i // len(_ASKS) % len(_TOPICS)]) + f" (#{i})",
                )
                for i in range(1000)
            ],
            analyses=[],
        ),
    }


class Samples:
    def __init__(self, table: Any, definitions: DefinitionStore) -> None:
        self._table = table
        self._definitions = definitions
        self._done = False

    def ensure(self) -> None:
        """Write the samples unless they are there (once per container after the first success)."""
        if self._done:
            return
        marker = {"pk": "samples", "sk": SAMPLES_VERSION}
        if "Item" not in self._table.get_item(Key=marker):
            for definition_id, definition in sample_definitions().items():
                # Written already (by an earlier attempt, or another container just now): kept as it is.
                with contextlib.suppress(TransactionCancelled):
                    self._definitions.create(definition, organization_id=None, definition_id=definition_id)
            self._table.put_item(Item=marker)
            logger.info("sample definitions written", extra={"version": SAMPLES_VERSION})
        self._done = True
