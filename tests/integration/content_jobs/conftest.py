"""The content jobs of the session's local cloud (tests/integration/conftest.py deploys the
root stack, which deploys stacks/content-jobs.yaml, with short backoffs and a small
organization limit: JOB_PARAMETERS)."""

from __future__ import annotations

import pytest

from ..conftest import RunningCloud
from .client import ContentJobs


@pytest.fixture(scope="session")
def jobs(cloud: RunningCloud) -> ContentJobs:
    return ContentJobs(cloud)
