"""The evaluation jobs: their types, the queue each one runs on, and its payload model.

    job type          queue             what it does                                   concurrency
    probe:scenario    probe-scenario    calls a model with a scenario: a transcript    EvaluationProbeConcurrency
    analyze:basic     analyze-basic     counts and coverage on a transcript            EvaluationAnalyzeBasicConcurrency
    analyze:deep      analyze-deep      overlap, diversity, readability, hedging       EvaluationAnalyzeDeepConcurrency

One queue per type, so the job engine's counters per queue are the counts per type and
each type's concurrency is its queue's mapping's MaximumConcurrency (stacks/evaluation.yaml).
"""

from __future__ import annotations

from enum import StrEnum

from conveyor.jobs.registry import JobKind, JobRegistry
from evaluation.payloads import AnalyzePayload, ProbePayload


class JobType(StrEnum):
    PROBE_SCENARIO = "probe:scenario"
    ANALYZE_BASIC = "analyze:basic"
    ANALYZE_DEEP = "analyze:deep"


class QueueName(StrEnum):
    PROBE_SCENARIO = "probe-scenario"
    ANALYZE_BASIC = "analyze-basic"
    ANALYZE_DEEP = "analyze-deep"


REGISTRY = JobRegistry(
    JobType,
    QueueName,
    {
        JobType.PROBE_SCENARIO: JobKind(QueueName.PROBE_SCENARIO, ProbePayload),
        JobType.ANALYZE_BASIC: JobKind(QueueName.ANALYZE_BASIC, AnalyzePayload),
        JobType.ANALYZE_DEEP: JobKind(QueueName.ANALYZE_DEEP, AnalyzePayload),
    },
)
