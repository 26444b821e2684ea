"""boto3 clients for the cloud the console reads.

With an endpoint (the local cloud, LocalStack), clients come from a
`localstack-client` session pointed at it, as the project's scripts build them;
without one, from a plain boto3 session (profile, region) for AWS. Calls time out
quickly and retry little: a page waits on them.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from console.settings import ConsoleSettings

_CONFIG = Config(connect_timeout=3, read_timeout=15, retries={"max_attempts": 2, "mode": "standard"})


class AwsClients:
    def __init__(self, settings: ConsoleSettings) -> None:
        self.settings = settings
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        if settings.endpoint:
            from localstack_client.session import Session

            self._session: Any = Session(region_name=settings.region, localstack_host=_host_port(settings.endpoint))
        else:
            self._session = boto3.Session(profile_name=settings.profile, region_name=settings.region)

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(service, config=_CONFIG)
            return self._clients[service]

    @property
    def where(self) -> str:
        """What the page header says the console reads."""
        if self.settings.endpoint:
            return self.settings.endpoint
        profile = f" profile {self.settings.profile}" if self.settings.profile else ""
        return f"AWS {self.settings.region}{profile}"


def _host_port(endpoint: str) -> str:
    parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
    return f"{parts.hostname}:{parts.port or 4566}"
