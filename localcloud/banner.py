"""What `make up` prints once the stack is deployed: endpoints and commands to copy."""

from __future__ import annotations

from localcloud.deploy import Deployment
from localcloud.settings import Settings


def ready_banner(
    settings: Settings, deployment: Deployment, startup_seconds: float, token: str | None, console: bool = False
) -> str:
    outputs = deployment.outputs
    endpoint = settings.endpoint_url
    aws = f"aws --endpoint-url {endpoint}"
    queue_url = outputs.get("DemoTaskQueueUrl", "<DemoTaskQueueUrl>")
    state_machine = outputs.get("DemoTaskStateMachineArn", "<DemoTaskStateMachineArn>")
    lines = [
        "",
        f"Conveyor local cloud is ready ({startup_seconds:.1f} s; stack {deployment.stack_name} "
        f"{deployment.status} in {deployment.seconds:.1f} s)",
        "",
        f"  AWS endpoint   {endpoint}   (aws --endpoint-url, awslocal, boto3)",
        f"  REST API       {settings.api_url}   (also {outputs.get('ApiUrl', '')})",
        *([f"  Console        {settings.console_url}   (executions, queues, tasks, jobs)"] if console else []),
        f"  Qdrant         {settings.qdrant_url}   (QDRANT_URL for qdrant-client; local mode behind it)",
        f"  State          {settings.state_dir if settings.persist else '(not persisted)'}",
        f"  MiniStack log  {settings.log_file}",
        "",
        "Stack outputs:",
        *(f"  {key:<28} {value}" for key, value in sorted(outputs.items())),
        "",
        "Try it from another terminal (AWS credentials can be anything; the REST API needs the token,",
        "of user `developer`, organization `local`, admin; `make token` prints a fresh one):",
        f"  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={settings.region}",
        *([f"  export CONVEYOR_TOKEN={token}"] if token else []),
        "",
        "  # 1. send a demo/task.requested message to the queue",
        f"  {aws} sqs send-message --queue-url {queue_url} \\",
        """      --message-body '{"taskId": "hello-1", "delayMs": 1000}'""",
        "",
        "  # 2. start an execution of the demo-task state machine directly",
        f"  {aws} stepfunctions start-execution --state-machine-arn {state_machine} \\",
        """      --name hello-2 --input '{"task": {"taskId": "hello-2"}}'""",
        "",
        "  # 3. list the executions",
        f"  {aws} stepfunctions list-executions --state-machine-arn {state_machine}",
        "",
        f'  # 4. or over HTTP: curl -X POST {settings.api_url}/tasks -H "Authorization: Bearer $CONVEYOR_TOKEN" \\',
        """      -H 'content-type: application/json' -d '{"taskId": "hello-3"}'""",
        f'  curl -H "Authorization: Bearer $CONVEYOR_TOKEN" {settings.api_url}/tasks/hello-2',
        "",
        "Edit a handler, then `make deploy` to update the running stack. Ctrl-C stops (state is kept).",
        "",
    ]
    return "\n".join(lines)
