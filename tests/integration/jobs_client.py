"""The job API and stores of the local cloud's stack, as the job tests use them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from conveyor.jobs.data.accounts import Account, AccountStore
from conveyor.jobs.data.table import DataTable
from conveyor.jobs.store import JobStore

from ..conftest import wait_for
from .conftest import RunningCloud
from .test_demo_task import api

FINAL = {"COMPLETED", "FAILED", "CANCELLED"}
ORG_LIMIT = 3  # JobOrgRunningLimit in conftest.JOB_PARAMETERS


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@dataclass
class Jobs:
    cloud: RunningCloud

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return api(self.cloud, method, path, body)

    def create(self, job_type: str, payload: dict[str, Any], org: str | None = None, **options: Any) -> str:
        request = {"type": job_type, "organizationId": org or unique("org"), "payload": payload, **options}
        status, body = self.api("POST", "/jobs", request)
        assert status == 202, body
        return str(body["id"])

    def get(self, job_id: str) -> dict[str, Any]:
        status, body = self.api("GET", f"/jobs/{job_id}")
        assert status == 200, body
        return body

    def wait(self, job_id: str, statuses: set[str] = FINAL, timeout: float = 60) -> dict[str, Any]:
        return wait_for(
            lambda: (job := self.get(job_id))["status"] in statuses and job,
            timeout=timeout,
            what=f"job {job_id} to be {'/'.join(sorted(statuses))}",
        )

    @property
    def store(self) -> JobStore:
        return JobStore(self.cloud.resource("dynamodb").Table(self.cloud.outputs["JobsTableName"]), ORG_LIMIT)

    @property
    def data(self) -> DataTable:
        return DataTable(self.cloud.resource("dynamodb").Table(self.cloud.outputs["JobDataTableName"]))

    def connect_account(
        self, api_url: str, org: str, platform: str = "linkedin", expires: str = "2099-01-01T00:00:00Z"
    ) -> str:
        account_id = unique("acct")
        AccountStore(self.data).connect(Account(account_id, org, platform, api_url, "access-1", "refresh-1", expires))
        return account_id

    def invoke(self, output: str, event: dict[str, Any]) -> dict[str, Any]:
        response = self.cloud.client("lambda").invoke(
            FunctionName=self.cloud.outputs[output], Payload=json.dumps(event).encode()
        )
        payload = json.loads(response["Payload"].read())
        assert "FunctionError" not in response, payload
        return payload

    def dead_letters(self, queue: str, job_id: str) -> list[dict[str, Any]]:
        """The job's messages in the DLQ of `queue` (an output prefix: ContextScraping...).
        Read through with a short visibility timeout, so they are back a moment later."""
        sqs = self.cloud.client("sqs")
        url = self.cloud.outputs[f"{queue}DLQUrl"]
        found: list[dict[str, Any]] = []
        for _ in range(20):
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=2
            ).get("Messages", [])
            found += [m for m in messages if json.loads(m["Body"]).get("jobId") == job_id]
            if len(messages) < 10:
                break
        return found
