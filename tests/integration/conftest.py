"""Integration tests run against the real local cloud: `python -m localcloud up`
started once per session on free ports, with the project's stack and a probe
stack (tests/integration/platform) deployed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from localcloud import deploy as deployer
from localcloud import runner
from localcloud.runner import CloudProcess as RunningCloud

PLATFORM_TEMPLATE = Path(__file__).parent / "platform" / "template.yaml"
# Wait states and Retry intervals run at a tenth of real time: the tests check
# what happens, not how long it takes (bench/ measures that).
SFN_WAIT_SCALE = 0.1
# Job backoff in seconds instead of minutes, a small per-organization limit and a
# short wait for a free slot, so the job tests see retries, the DLQ and the limit quickly;
# website and feed jobs may fetch from the tests' local servers on 127.0.0.1.
JOB_PARAMETERS = "JobBackoffSeconds=1,2,3 JobOrgRunningLimit=3 JobOrgWaitSeconds=1 JobFetchAllowedNetworks=127.0.0.1/32"


def start_cloud(
    state_dir: Path, persist: bool = True, port: int | None = None, api_port: int | None = None
) -> RunningCloud:
    return runner.start(
        state_dir,
        persist=persist,
        port=port,
        api_port=api_port,
        sfn_wait_scale=SFN_WAIT_SCALE,
        parameter_overrides=JOB_PARAMETERS,
    )


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    running = start_cloud(tmp_path_factory.mktemp("localcloud"), persist=False)
    try:
        yield running
    finally:
        running.stop()


class ProbeStack:
    """The probe stack's outputs, and what its handlers recorded in the probe
    table (tests/integration/platform/probe/app.py)."""

    def __init__(self, cloud: RunningCloud) -> None:
        deployment = deployer.deploy(cloud.settings, template=PLATFORM_TEMPLATE, stack_name="platform-probe")
        self.outputs = deployment.outputs
        self.deployed_at = time.time()
        self._table = cloud.resource("dynamodb").Table(self.outputs["ProbeTableName"])

    def __getitem__(self, output: str) -> str:
        return self.outputs[output]

    def records(self, kind: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"KeyConditionExpression": Key("kind").eq(kind), "ConsistentRead": True}
        while True:
            page = self._table.query(**query)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def deliveries(self, queue_url: str) -> list[dict[str, Any]]:
        name = queue_url.rsplit("/", 1)[-1]
        return [item for item in self.records("delivery") if item["queue"] == name]


@pytest.fixture(scope="session")
def probe(cloud: RunningCloud) -> ProbeStack:
    return ProbeStack(cloud)
