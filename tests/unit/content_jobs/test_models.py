"""The catalog and payload models, the status machine's table, backoff, Retry-After and settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content_jobs.catalog import REGISTRY, JobType, QueueName
from content_jobs.providers.http import retry_after
from content_jobs.settings import WorkerSettings
from conveyor.core.settings import ConfigurationError
from conveyor.core.status import Phase
from conveyor.jobs.backoff import MAX_VISIBILITY_SECONDS, RetryPolicy, parse_backoff
from conveyor.jobs.errors import InvalidPayload
from conveyor.jobs.status import JobStatus
from conveyor.jobs.transitions import TRANSITIONS, NoSuchTransition, transition

from .conftest import template_queues


def test_every_job_type_has_a_payload_model_and_a_queue_the_stack_declares() -> None:
    assert {REGISTRY.queue_of(t) for t in (JobType.SCRAPE_WEBSITE, JobType.SYNC_RSS)} == {"context-scraping"}
    assert {REGISTRY.queue_of(t) for t in JobType} == set(QueueName) == set(template_queues())


@pytest.mark.parametrize(
    ("job_type", "payload", "field"),
    [
        (JobType.SCRAPE_WEBSITE, {"sourceId": "s", "url": "ftp//nope"}, "url"),
        (JobType.SCRAPE_WEBSITE, {"url": "http://x"}, "sourceId"),
        (JobType.SYNC_RSS, {"sourceId": "has space", "feedUrl": "http://x"}, "sourceId"),
        (JobType.GENERATE_CONTENT, {"topic": "ok topic", "platforms": ["myspace"]}, "platforms.0"),
        (JobType.GENERATE_CONTENT, {"topic": "ok topic", "platforms": []}, "platforms"),
        (JobType.GENERATE_IMAGE, {"prompt": "a cat", "width": 4096}, "width"),
        (JobType.PUBLISH_CONTENT, {"contentId": "c", "accountId": "a", "platform": "x", "extra": 1}, "extra"),
        (JobType.PROCESS_DOCUMENT, {"documentId": "d"}, "key"),
    ],
)
def test_an_invalid_payload_names_the_field(job_type: JobType, payload: dict, field: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        REGISTRY.parse_payload(job_type, payload)
    assert f"{field}:" in str(caught.value)


def test_a_type_the_registry_does_not_know_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidPayload, match="no job type 'MAKE_COFFEE'"):
        REGISTRY.parse_payload("MAKE_COFFEE", {})


def test_a_valid_payload_takes_its_defaults_and_goes_out_in_camel_case() -> None:
    payload = REGISTRY.parse_payload(JobType.SCRAPE_WEBSITE, {"sourceId": "blog", "url": "http://x/"})
    assert payload.to_json() == {"sourceId": "blog", "url": "http://x/", "maxChars": 20000}


def test_job_statuses_map_to_phases() -> None:
    assert [status.phase for status in JobStatus] == [
        Phase.WAITING,
        Phase.ACTIVE,
        Phase.SUCCEEDED,
        Phase.FAILED,
        Phase.CANCELLED,
    ]
    assert [status.final for status in JobStatus] == [False, False, True, True, True]


def test_the_status_machine_moves_counters_as_its_table_says() -> None:
    start = transition(JobStatus.PENDING, JobStatus.RUNNING)
    assert (start.status_counts(), start.org_running) == ({"PENDING": -1, "RUNNING": 1}, 1)
    assert transition(JobStatus.RUNNING, JobStatus.CANCELLED).org_running == -1
    assert transition(JobStatus.PENDING, JobStatus.CANCELLED).org_running == 0
    assert transition(JobStatus.PENDING, JobStatus.PENDING).status_counts() == {}  # a retry out of the DLQ
    assert transition(None, JobStatus.PENDING).status_counts() == {"PENDING": 1}
    # Every way out of RUNNING gives the organization's slot back; only a start takes one.
    assert {t.org_running for (source, _), t in TRANSITIONS.items() if source == JobStatus.RUNNING} == {-1}
    assert [key for key, t in TRANSITIONS.items() if t.org_running > 0] == [(JobStatus.PENDING, JobStatus.RUNNING)]
    with pytest.raises(NoSuchTransition):
        transition(JobStatus.COMPLETED, JobStatus.PENDING)


def test_backoff_waits_after_attempts_one_and_two_and_the_third_failure_is_final() -> None:
    policy = RetryPolicy(max_attempts=3, backoff_seconds=(60, 300, 900))
    assert [policy.has_attempts_left(made) for made in (1, 2, 3)] == [True, True, False]
    assert [policy.delay_after(attempt) for attempt in (1, 2)] == [60, 300]
    more = RetryPolicy(max_attempts=5, backoff_seconds=(60, 300, 900))  # JobMaxAttempts raised: 15 min, repeated
    assert [more.delay_after(attempt) for attempt in (1, 2, 3, 4)] == [60, 300, 900, 900]


def test_a_server_retry_after_replaces_the_schedule_within_sqs_limits() -> None:
    policy = RetryPolicy(3, (60,))
    assert policy.delay_after(1, retry_after=7) == 7
    assert policy.delay_after(1, retry_after=10**9) == MAX_VISIBILITY_SECONDS


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert retry_after("120", now) == 120
    assert retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_backoff_is_whole_seconds_within_the_visibility_limit() -> None:
    assert parse_backoff("1, 2,3") == (1, 2, 3)
    for bad in ("", "1,-2", "50000", "1,x"):
        with pytest.raises(ValueError):
            parse_backoff(bad)


def test_worker_settings_name_the_variable_that_is_missing_or_wrong() -> None:
    environ = {"JOBS_TABLE": "jobs", "JOB_QUEUE_PREFIX": "p-jobs", "JOB_DATA_TABLE": "data"}
    with pytest.raises(ConfigurationError, match="JOB_DOCUMENTS_BUCKET: Field required"):
        WorkerSettings.from_environment(environ)
    with pytest.raises(ConfigurationError, match="JOB_BACKOFF_SECONDS"):
        WorkerSettings.from_environment({**environ, "JOB_DOCUMENTS_BUCKET": "b", "JOB_BACKOFF_SECONDS": "soon"})
    settings = WorkerSettings.from_environment({**environ, "JOB_DOCUMENTS_BUCKET": "b"})
    assert (settings.backoff_seconds, settings.max_attempts, settings.org_running_limit) == ((60, 300, 900), 3, 50)
