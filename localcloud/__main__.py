"""`python -m localcloud up | deploy | token`: the commands behind `make up`, `make deploy`
and `make token`."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time

from localcloud import deploy as deployer
from localcloud import identity
from localcloud.banner import ready_banner
from localcloud.console import ConsoleProcess, start_console
from localcloud.server import ApiTarget, configure_logging, serve
from localcloud.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description=__doc__)
    parser.add_argument("command", choices=("up", "deploy", "token"))
    parser.add_argument("--port", type=int, help="AWS endpoint port (default 4566, env LOCALCLOUD_PORT)")
    parser.add_argument("--api-port", type=int, help="REST API port (default 3000, env LOCALCLOUD_API_PORT)")
    parser.add_argument("--log-to-terminal", action="store_true", help="print MiniStack's log here")
    args = parser.parse_args(argv)
    settings = Settings.from_env(port=args.port, api_port=args.api_port)
    if args.command == "up":
        return up(settings, log_to_terminal=args.log_to_terminal)
    if args.command == "token":
        return token(settings)
    return deploy(settings)


def up(settings: Settings, log_to_terminal: bool = False) -> int:
    started = time.monotonic()
    running = _already_running(settings)
    if running:
        print(running, file=sys.stderr)
        return 1
    configure_logging(settings, to_terminal=log_to_terminal)
    settings.pid_file.write_text(str(os.getpid()))
    console: ConsoleProcess | None = None

    def deploy_and_announce() -> None:
        nonlocal console
        console = start_console(settings)  # starts while the stack deploys
        try:
            deployment = deployer.deploy(settings)
        except Exception as error:  # the cloud stays up so the template can be fixed
            print(f"localcloud: deploy failed: {error}\nFix it and run `make deploy`.", file=sys.stderr, flush=True)
            return
        try:
            developer = identity.developer_token(settings, deployment.outputs, deployer.client(settings, "cognito-idp"))
        except Exception as error:  # the cloud is up; only the token is missing
            print(f"localcloud: no developer token: {error}\nTry `make token`.", file=sys.stderr, flush=True)
            developer = None
        serving = console is not None and console.wait_until_serving()
        if console is not None and not serving:
            print(f"localcloud: the console did not start; see {settings.state_dir / 'console.log'}", file=sys.stderr)
        banner = ready_banner(settings, deployment, time.monotonic() - started, developer, console=serving)
        print(banner, flush=True)

    def resolve_api() -> ApiTarget | None:
        cfn = deployer.client(settings, "cloudformation")
        if deployer.stack_status(cfn, settings.stack_name) is None:
            return None
        outputs = deployer.stack_outputs(cfn, settings.stack_name)
        if "ApiId" not in outputs:
            return None
        return outputs["ApiId"], outputs["ApiStage"]

    print(f"localcloud: starting MiniStack on {settings.endpoint_url} ...", flush=True)
    try:
        serve(settings, on_ready=deploy_and_announce, resolve_api=resolve_api)
    finally:
        if console is not None:
            console.stop()
        settings.pid_file.unlink(missing_ok=True)
    print("localcloud: stopped" + (f"; state saved in {settings.state_dir}" if settings.persist else ""), flush=True)
    return 0


def deploy(settings: Settings) -> int:
    cfn = deployer.client(settings, "cloudformation")
    try:
        cfn.list_stacks()
    except Exception:
        print(f"localcloud: nothing answers on {settings.endpoint_url}; start it with `make up`.", file=sys.stderr)
        return 1
    deployment = deployer.deploy(settings)
    change = "updated" if deployment.changed else "unchanged"
    print(f"localcloud: stack {deployment.stack_name} {change} ({deployment.status}) in {deployment.seconds:.2f} s")
    return 0


def token(settings: Settings) -> int:
    """Print `export CONVEYOR_TOKEN=...` with a fresh token of the developer user."""
    cfn = deployer.client(settings, "cloudformation")
    try:
        outputs = deployer.stack_outputs(cfn, settings.stack_name)
    except Exception:
        print(
            f"localcloud: no stack {settings.stack_name} on {settings.endpoint_url}; start it with `make up`.",
            file=sys.stderr,
        )
        return 1
    developer = identity.developer_token(settings, outputs, deployer.client(settings, "cognito-idp"))
    if developer is None:
        print("localcloud: the stack has no user pool.", file=sys.stderr)
        return 1
    print(f"export CONVEYOR_TOKEN={developer}")
    return 0


def _already_running(settings: Settings) -> str | None:
    """Why a second `up` must not start, or None when the ports are free."""
    for port in (settings.port, settings.api_port, settings.console_port, settings.qdrant_port):
        if not port:
            continue
        with socket.socket() as probe:
            if probe.connect_ex((settings.host, port)) != 0:
                continue
        owner = settings.pid_file.read_text().strip() if settings.pid_file.exists() else None
        who = f"the local cloud (pid {owner})" if owner else "another program"
        return (
            f"localcloud: {settings.host}:{port} is already in use by {who}.\n"
            "It is already running: use `make deploy` to update its stack, or stop it (Ctrl-C in its terminal)"
            " before starting it again. Other ports:"
            " LOCALCLOUD_PORT=4567 LOCALCLOUD_API_PORT=3001 LOCALCLOUD_CONSOLE_PORT=8081 LOCALCLOUD_QDRANT_PORT=6334"
            " make up"
        )
    return None


if __name__ == "__main__":
    sys.exit(main())
