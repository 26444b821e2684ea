"""Payload models, the retry policy, cursors, Retry-After and settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conveyor.jobs.backoff import MAX_VISIBILITY_SECONDS, RetryPolicy
from conveyor.jobs.catalog import QUEUE_OF, JobType, QueueName
from conveyor.jobs.cursor import InvalidCursor, decode_cursor, encode_cursor
from conveyor.jobs.errors import InvalidPayload
from conveyor.jobs.payloads import PAYLOAD_MODELS, parse_payload
from conveyor.jobs.providers.http import retry_after
from conveyor.jobs.settings import parse_backoff


def test_every_job_type_has_a_payload_model_and_a_queue() -> None:
    assert set(PAYLOAD_MODELS) == set(JobType) == set(QUEUE_OF)
    assert {QUEUE_OF[t] for t in (JobType.SCRAPE_WEBSITE, JobType.SYNC_RSS)} == {QueueName.CONTEXT_SCRAPING}


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
        parse_payload(job_type, payload)
    assert f"{field}:" in str(caught.value)


def test_a_valid_payload_takes_its_defaults() -> None:
    payload = parse_payload(JobType.GENERATE_IMAGE, {"prompt": "a calm sea"})
    assert (payload.width, payload.height) == (512, 512)


def test_backoff_follows_the_schedule_and_repeats_the_last_step() -> None:
    policy = RetryPolicy(max_attempts=3, backoff_seconds=(60, 300, 900))
    assert [policy.delay_after(attempt) for attempt in (1, 2, 3, 4)] == [60, 300, 900, 900]
    assert [policy.has_attempts_left(made) for made in (1, 2, 3)] == [True, True, False]


def test_a_server_retry_after_replaces_the_schedule_within_sqs_limits() -> None:
    policy = RetryPolicy(3, (60,))
    assert policy.delay_after(1, retry_after=7) == 7
    assert policy.delay_after(1, retry_after=10**9) == MAX_VISIBILITY_SECONDS


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120") == 120
    assert retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert retry_after("soon") is None and retry_after(None) is None


def test_backoff_setting_is_whole_seconds_within_the_visibility_limit() -> None:
    assert parse_backoff("1, 2,3") == (1, 2, 3)
    for bad in ("", "1,-2", "50000"):
        with pytest.raises(ValueError):
            parse_backoff(bad)


def test_a_cursor_round_trips_and_a_forged_one_is_refused() -> None:
    key = {"id": "j-1", "createdAt": "2026-01-01T00:00:00.000Z", "status": "PENDING"}
    assert decode_cursor(encode_cursor(key)) == key
    assert decode_cursor(None) is None and encode_cursor(None) is None
    for forged in ("%%%", encode_cursor({"id": "j"}), encode_cursor({"id": 1, "createdAt": "x"})):
        with pytest.raises(InvalidCursor):
            decode_cursor(forged)
