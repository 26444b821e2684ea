"""The raw platform's handlers for bench/jobs.py: what a job worker costs with nothing of
Conveyor's around it.

`drain`: a no-op consumer (the SQS -> Lambda mapping alone).
`run_jobs`: a job batch's DynamoDB work and nothing else: one consistent BatchGetItem of
the batch's jobs, one transaction starting them (each conditional on PENDING, the queue's
counter, each organization's running counter under its limit), one completing them.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import boto3

TABLE = os.environ.get("BENCH_JOBS_TABLE", "")
ORG_LIMIT = 50
dynamodb = boto3.resource("dynamodb").meta.client  # plain Python values in and out


def drain(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"batchItemFailures": []}


def run_jobs(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ids = [json.loads(record["body"])["jobId"] for record in event["Records"]]
    keys = [{"id": job_id} for job_id in ids]
    response = dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": keys, "ConsistentRead": True}})
    jobs = [job for job in response["Responses"][TABLE] if job["status"] == "PENDING"]
    orgs = Counter(job["org"] for job in jobs)
    dynamodb.transact_write_items(TransactItems=_moves(jobs, orgs, "PENDING", "RUNNING", +1))
    dynamodb.transact_write_items(TransactItems=_moves(jobs, orgs, "RUNNING", "COMPLETED", -1))
    return {"batchItemFailures": []}


def _moves(jobs: list[dict], orgs: Counter, source: str, target: str, running: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"id": job["id"]},
                "UpdateExpression": "SET #status = :target",
                "ConditionExpression": "#status = :source",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":source": source, ":target": target},
            }
        }
        for job in jobs
    ]
    items.append(
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"id": "stats"},
                "UpdateExpression": "ADD #source :minus, #target :plus",
                "ExpressionAttributeNames": {"#source": source, "#target": target},
                "ExpressionAttributeValues": {":minus": -len(jobs), ":plus": len(jobs)},
            }
        }
    )
    for org, count in orgs.items():
        update: dict[str, Any] = {
            "TableName": TABLE,
            "Key": {"id": f"org#{org}"},
            "UpdateExpression": "ADD running :delta",
            "ExpressionAttributeValues": {":delta": running * count},
        }
        if running > 0:
            update["ConditionExpression"] = "attribute_not_exists(running) OR running <= :most"
            update["ExpressionAttributeValues"][":most"] = ORG_LIMIT - count
        items.append({"Update": update})
    return items
