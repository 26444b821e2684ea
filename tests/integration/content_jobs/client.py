"""The content jobs on the local cloud, as their integration tests use them: the job API
(as the developer user, an admin of organization `local`, or as a member of any
organization), the content-jobs stack's outputs (its nested stack under the root
stack), its stores."""

from __future__ import annotations

import json
import time
import uuid
from functools import cached_property
from typing import Any

from content_jobs.data.accounts import Account, AccountStore
from content_jobs.data.table import DataTable
from conveyor.core.clock import Clock
from conveyor.jobs.store import JobStore
from localcloud import deploy as deployer
from localcloud import identity

from ...conftest import wait_for
from ..conftest import RunningCloud
from ..demo_tasks import api

FINAL = {"COMPLETED", "FAILED", "CANCELLED"}
PASSWORD = "Member-passw0rd!"  # of the members made for the tests; the pool is the test cloud's
ORG_LIMIT = 3  # JobOrgRunningLimit in ..conftest.JOB_PARAMETERS
STACK_RESOURCE = "ContentJobs"  # the root stack's AWS::Serverless::Application of stacks/content-jobs.yaml


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


class ContentJobs:
    def __init__(self, cloud: RunningCloud) -> None:
        self.cloud = cloud
        self._tokens: dict[str, str] = {}

    @cached_property
    def outputs(self) -> dict[str, str]:
        """The content-jobs stack's outputs (queue URLs, DLQ URLs, tables, bucket, functions)."""
        cfn = self.cloud.client("cloudformation")
        nested = cfn.describe_stack_resource(StackName=self.cloud.settings.stack_name, LogicalResourceId=STACK_RESOURCE)
        return deployer.stack_outputs(cfn, nested["StackResourceDetail"]["PhysicalResourceId"])

    def member(self, org: str) -> str:
        """An ID token of a member (not an admin) of organization `org`, created on first use."""
        if org not in self._tokens:
            outputs, cognito = self.cloud.outputs, self.cloud.client("cognito-idp")
            pool, client, user = outputs["UserPoolId"], outputs["UserPoolClientId"], f"member-{org}"
            identity.ensure_user(cognito, pool, user, PASSWORD, org, admin=False)
            self._tokens[org] = identity.id_token(cognito, pool, client, user, PASSWORD)
        return self._tokens[org]

    def api(self, method: str, path: str, body: Any = None, org: str | None = None) -> tuple[int, Any]:
        """Call the API as the developer user (admin), or as a member of `org`."""
        return api(self.cloud, method, path, body, **({"token": self.member(org)} if org else {}))

    def create(self, job_type: str, payload: dict[str, Any], org: str | None = None, **options: Any) -> str:
        """A job of `org` (created by one of its members), or of the developer's organization."""
        status, body = self.api("POST", "/jobs", {"type": job_type, "payload": payload, **options}, org)
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

    @cached_property
    def store(self) -> JobStore:
        return self.store_at(time.time)

    def store_at(self, clock: Clock) -> JobStore:
        """The jobs table's store on `clock` (a worker that started an hour ago...)."""
        return JobStore(self.cloud.resource("dynamodb").Table(self.outputs["JobsTableName"]), clock)

    @cached_property
    def data(self) -> DataTable:
        return DataTable(self.cloud.resource("dynamodb").Table(self.outputs["JobDataTableName"]))

    def connect_account(
        self, api_url: str, org: str, platform: str = "linkedin", expires: str = "2099-01-01T00:00:00Z"
    ) -> str:
        account = Account(
            id=unique("acct"),
            organization_id=org,
            platform=platform,
            api_url=api_url,
            access_token="access-1",
            refresh_token="refresh-1",
            token_expires_at=expires,
        )
        AccountStore(self.data).connect(account)
        return account.id

    def invoke(self, output: str, event: dict[str, Any]) -> dict[str, Any]:
        """Invoke the stack's function named by `output` (SchedulerFunctionName, SweeperFunctionName)."""
        response = self.cloud.client("lambda").invoke(
            FunctionName=self.outputs[output], Payload=json.dumps(event).encode()
        )
        payload = json.loads(response["Payload"].read())
        assert "FunctionError" not in response, payload
        return payload

    def dead_letters(self, queue: str, job_id: str) -> list[dict[str, Any]]:
        """The job's messages in the DLQ of `queue` (an output prefix: ContextScraping...).
        Read through with a short visibility timeout, so they are back a moment later."""
        sqs = self.cloud.client("sqs")
        url = self.outputs[f"{queue}DLQUrl"]
        found: list[dict[str, Any]] = []
        for _ in range(20):
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=2
            ).get("Messages", [])
            found += [m for m in messages if json.loads(m["Body"]).get("jobId") == job_id]
            if len(messages) < 10:
                break
        return found
