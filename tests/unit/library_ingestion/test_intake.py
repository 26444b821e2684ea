"""The intake: one track-ingestion run per ISRC, whoever asks again; the dispatcher woken once
per batch; what can never be valid goes to the DLQ with its reason."""

from __future__ import annotations

import json

from conveyor.flow.waiting import WaitingList

from ...conftest import load_handler
from ..conftest import FakeLambdaContext, messages, sqs_event
from .conftest import LibraryResources


def requested(isrc: str, album_id: str) -> str:
    return json.dumps({"isrc": isrc, "title": "T", "artist": "A", "albumId": album_id, "provider": "fixture"})


def test_the_same_isrc_from_two_albums_queues_one_run(library: LibraryResources) -> None:
    intake = load_handler("library_ingestion/intake")
    bodies = [
        requested("ZZSAME000001", "alb-1"),
        requested("ZZSAME000001", "alb-2"),
        requested("ZZOTHER00001", "alb-1"),
    ]

    response = intake.handler(sqs_event(*bodies), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    same, other = library.tasks.get_task("isrc-ZZSAME000001"), library.tasks.get_task("isrc-ZZOTHER00001")
    assert same is not None and other is not None and same.run == 1 and same.flow == "track-ingestion"
    assert same.organization is None  # the index is everyone's: no organization owns an ingestion
    assert same.request["albumId"] == "alb-1"  # the first request's
    waiting = WaitingList(library.aws.table(library.durable.flow_table), "track-ingestion")
    assert sorted(run.task_id for run in waiting.in_order()) == ["isrc-ZZOTHER00001", "isrc-ZZSAME000001"]
    assert len(messages(library.durable.dispatch_queue_url)) == 1  # one wake for the batch

    intake.handler(sqs_event(requested("ZZSAME000001", "alb-3")), FakeLambdaContext())  # another user, later

    assert library.tasks.get_task("isrc-ZZSAME000001").run == 1  # type: ignore[union-attr]
    assert messages(library.durable.dispatch_queue_url) == []  # nothing new to start


def test_a_request_that_can_never_be_valid_goes_to_the_dlq_with_its_reason(library: LibraryResources) -> None:
    intake = load_handler("library_ingestion/intake")
    body = json.dumps({"isrc": "zzlower00001", "title": "T", "artist": "A", "provider": "fixture"})

    response = intake.handler(sqs_event(body, "not json"), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    reasons = {m["Body"]: m["MessageAttributes"]["ErrorReason"]["StringValue"] for m in messages(library.dlq_url)}
    assert reasons[body].startswith("isrc:")  # not normalized: the scheduler always sends upper case
    assert "Invalid JSON" in reasons["not json"]
    assert library.tasks.get_task("isrc-zzlower00001") is None
