"""Conveyor's REST API: one API Gateway REST API, one function, the workloads' routes.

Each workload brings its routes; this composition root builds them once per cold start
from the environment the root stack gives the function. Validation, the one error
shape and the OpenAPI document come from `conveyor.core.rest`: a bad body is answered
422 with the field that is wrong; the document is at /openapi.json, Swagger UI at /swagger.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from content_jobs.api import ContentJobsApi
from conveyor.core.aws import AwsClients
from conveyor.core.rest import rest_api
from conveyor.core.settings import EnvironmentSettings, env
from conveyor.durable.routes import task_router
from conveyor.durable.store import TaskStore
from demo_task.models import FLOW as DEMO_TASK_FLOW
from demo_task.routes import submission_router
from demo_task.settings import ENV_PREFIX as DEMO_TASK_PREFIX
from demo_task.settings import SubmissionSettings
from demo_task.submission import DemoTaskSubmission

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class ApiSettings(EnvironmentSettings):
    tasks_table: str = env("TASKS_TABLE", min_length=1)


aws = AwsClients()
demo_task = DemoTaskSubmission(SubmissionSettings.from_environment(prefix=DEMO_TASK_PREFIX), aws)

app = rest_api("Conveyor API", "Durable tasks and typed job queues on SQS, Lambda, Step Functions and DynamoDB.")
app.include_router(
    task_router(TaskStore(aws.table(ApiSettings.from_environment().tasks_table)), {DEMO_TASK_FLOW: demo_task.replay})
)
app.include_router(submission_router(demo_task))
app.include_router(ContentJobsApi.from_environment(aws).router())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
