"""stacks/content-jobs.yaml and its job-queue component, read as CloudFormation reads them:
what the functions are given matches what they read, each function may do only what it
does, and the operational settings are there."""

from __future__ import annotations

from typing import Any

import pytest

from content_jobs.settings import ApiSettings, SchedulerSettings, SweeperSettings, WorkerSettings
from conveyor.core.settings import EnvironmentSettings

from ...template_resources import PROJECT_DIR, ROOT_TEMPLATE, template
from .conftest import CONTENT_JOBS_TEMPLATE, template_queues

COMPONENT = PROJECT_DIR / "stacks" / "components" / "job-queue.yaml"
FUNCTIONS = {
    "WorkerFunction": WorkerSettings,
    "SchedulerFunction": SchedulerSettings,
    "SweeperFunction": SweeperSettings,
}


def stack() -> dict[str, Any]:
    return template(CONTENT_JOBS_TEMPLATE)


def resources(kind: str, path=CONTENT_JOBS_TEMPLATE) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template(path)["Resources"].items() if r["Type"] == kind}


def variables(settings: type[EnvironmentSettings]) -> set[str]:
    return {field.alias for field in settings.model_fields.values() if field.alias}


def actions(function: str) -> set[str]:
    statements = [s for policy in stack()["Resources"][function]["Properties"]["Policies"] for s in policy["Statement"]]
    return {action for s in statements for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_is_given_every_variable_its_settings_read(function: str) -> None:
    given = set(stack()["Globals"]["Function"]["Environment"]["Variables"])
    given |= set(stack()["Resources"][function]["Properties"]["Environment"]["Variables"])
    assert variables(FUNCTIONS[function]) <= given


def test_the_root_stack_passes_every_parameter_and_gives_the_api_its_variables() -> None:
    root = template(ROOT_TEMPLATE)["Resources"]
    [(name, application)] = [
        (name, r) for name, r in root.items() if r.get("Properties", {}).get("Location") == "stacks/content-jobs.yaml"
    ]
    assert set(application["Properties"]["Parameters"]) == set(stack()["Parameters"])
    api = next(r for r in root.values() if r.get("Properties", {}).get("CodeUri") == "functions/api")
    assert variables(ApiSettings) <= set(api["Properties"]["Environment"]["Variables"])
    used = {
        value["Fn::GetAtt"][1].removeprefix("Outputs.")
        for value in _walk(template(ROOT_TEMPLATE))
        if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][0] == name
    }
    assert used <= set(stack()["Outputs"])


def test_one_worker_consumes_every_queue_through_its_own_mapping() -> None:
    [worker] = [
        name for name, r in resources("AWS::Serverless::Function").items() if "worker" in r["Properties"]["CodeUri"]
    ]
    timeout = stack()["Resources"][worker]["Properties"]["Timeout"]
    for queue, parameters in template_queues().items():
        assert parameters["WorkerFunctionArn"] == {"Fn::GetAtt": [worker, "Arn"]}, queue
        assert parameters["VisibilityTimeout"] >= timeout, f"{queue}: AWS refuses a lock shorter than the timeout"
    component = template(COMPONENT)
    [mapping] = resources("AWS::Lambda::EventSourceMapping", COMPONENT).values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert component["Parameters"]["BatchSize"]["Default"] == 1
    [dlq] = [r for r in resources("AWS::SQS::Queue", COMPONENT).values() if "RedrivePolicy" not in r["Properties"]]
    assert "MessageRetentionPeriod" in dlq["Properties"]
    [alarm] = resources("AWS::CloudWatch::Alarm", COMPONENT).values()
    assert alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"


def test_each_function_may_do_only_what_it_does() -> None:
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "s3:GetObject", "s3:PutObject"} <= actions("WorkerFunction")
    assert not {a for a in actions("SchedulerFunction") if a.startswith("s3:") or a == "sqs:ReceiveMessage"}
    assert not {a for a in actions("SweeperFunction") if a.startswith("s3:") or a == "sqs:ReceiveMessage"}
    for function in FUNCTIONS:
        assert not {a for a in actions(function) if "*" in a}, function


def test_every_function_keeps_its_logs_for_the_retention_the_root_gives() -> None:
    groups = {
        r["Properties"]["LogGroupName"]["Fn::Sub"]: r["Properties"]["RetentionInDays"]
        for r in resources("AWS::Logs::LogGroup").values()
    }
    for function in resources("AWS::Serverless::Function"):
        assert groups[f"/aws/lambda/${{{function}}}"] == {"Ref": "LogRetentionDays"}


def test_user_data_is_kept_and_recoverable_and_tracing_follows_the_root() -> None:
    for name, table in resources("AWS::DynamoDB::Table").items():
        assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain"), name
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    [bucket] = resources("AWS::S3::Bucket").values()
    assert bucket["DeletionPolicy"] == "Retain"
    assert stack()["Globals"]["Function"]["Tracing"] == {"Ref": "Tracing"}


def _walk(value: Any) -> Any:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)
