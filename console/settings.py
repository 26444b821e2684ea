"""The console's options, read once: command-line flags over environment variables."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the console listens, which cloud and stack it reads, and whether it may act."""

    host: str = "127.0.0.1"
    port: int = 8080
    endpoint: str | None = None  # an AWS-compatible endpoint (MiniStack, LocalStack); None: AWS itself
    profile: str | None = None
    region: str = "us-east-1"
    stack_name: str | None = "conveyor"
    api_url: str | None = None  # Conveyor's REST API; None: the stack's ApiUrl output
    token: str | None = None  # sent as `Authorization: Bearer <token>` to Conveyor's API
    token_command: str | None = None  # prints a token (when there is none, and after a 401)
    actions: bool = False  # start/stop/redrive/purge/cancel...; read-only when False
    refresh_seconds: float = 3.0  # how often a page showing work in progress refreshes

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m console",
        description="The Conveyor console: executions, queues, tasks and jobs in a browser.",
    )
    parse.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    parse.add_argument("--port", type=int, help="port to listen on (default 8080, env CONVEYOR_CONSOLE_PORT)")
    parse.add_argument(
        "--endpoint",
        help="AWS-compatible endpoint such as http://127.0.0.1:4566 (env AWS_ENDPOINT_URL or LOCALSTACK_HOST);"
        " omit for AWS",
    )
    parse.add_argument("--profile", help="AWS profile (env AWS_PROFILE); AWS only")
    parse.add_argument("--region", help="AWS region (env AWS_REGION / AWS_DEFAULT_REGION, default us-east-1)")
    parse.add_argument("--stack", help="the Conveyor stack's name (default conveyor, env CONVEYOR_STACK)")
    parse.add_argument("--api-url", help="Conveyor's REST API (env CONVEYOR_API_URL; default the stack's ApiUrl)")
    parse.add_argument("--token", help="bearer token for Conveyor's API (env CONVEYOR_TOKEN)")
    parse.add_argument(
        "--token-command",
        help="a command printing a token for Conveyor's API, run when there is none and when the API answers 401"
        " (env CONVEYOR_TOKEN_COMMAND; `make up` gives `python -m localcloud token`)",
    )
    parse.add_argument(
        "--actions",
        action="store_true",
        default=None,
        help="allow actions: start, stop, redrive, purge, replay, cancel, retry (env CONVEYOR_CONSOLE_ACTIONS=1)",
    )
    parse.add_argument("--refresh", type=float, help="seconds between refreshes of live pages (default 3)")
    return parse


def from_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> ConsoleSettings:
    args = parser().parse_args(argv)
    env = os.environ if env is None else env
    defaults = ConsoleSettings()
    return ConsoleSettings(
        host=args.host or defaults.host,
        port=args.port or int(env.get("CONVEYOR_CONSOLE_PORT", defaults.port)),
        endpoint=args.endpoint or env.get("AWS_ENDPOINT_URL") or _localstack_host(env),
        profile=args.profile or env.get("AWS_PROFILE") or None,
        region=args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
        stack_name=(args.stack if args.stack is not None else env.get("CONVEYOR_STACK", defaults.stack_name)) or None,
        api_url=(args.api_url or env.get("CONVEYOR_API_URL") or "").rstrip("/") or None,
        token=args.token or env.get("CONVEYOR_TOKEN") or None,
        token_command=args.token_command or env.get("CONVEYOR_TOKEN_COMMAND") or None,
        actions=args.actions if args.actions is not None else env.get("CONVEYOR_CONSOLE_ACTIONS", "0") == "1",
        refresh_seconds=args.refresh or defaults.refresh_seconds,
    )


def _localstack_host(env: Mapping[str, str]) -> str | None:
    """`LOCALSTACK_HOST` (host:port), as localstack-client and awslocal read it."""
    host = env.get("LOCALSTACK_HOST")
    return f"http://{host}" if host else None
