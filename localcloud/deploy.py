"""Package `template.yaml` and deploy it as one CloudFormation stack.

Packaging is the AWS CLI's own `cloudformation package` code: every `CodeUri`,
`ContentUri` and `DefinitionUri` folder or file is zipped (when a folder) and
uploaded to S3, and the template is rewritten to point at it. MiniStack's
CloudFormation then runs the SAM transform, as AWS does.
"""

from __future__ import annotations

import contextlib
import io
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from localcloud.settings import Settings

ARTIFACT_BUCKET = "conveyor-artifacts"
SAMCONFIG_PROFILE = "local"
_DONE_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE")


class DeployError(RuntimeError):
    """The stack did not reach CREATE_COMPLETE or UPDATE_COMPLETE."""


@dataclass(frozen=True)
class Deployment:
    stack_name: str
    status: str
    outputs: dict[str, str]
    seconds: float
    changed: bool


def client(settings: Settings, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def deploy(
    settings: Settings,
    template: Path | None = None,
    stack_name: str | None = None,
    parameters: dict[str, str] | None = None,
) -> Deployment:
    """Create or update a stack: by default the settings' template (the project's
    template.yaml) with what the local cloud provides (`cloud_parameters`) and the samconfig.toml
    [local] parameters, else `template` with `parameters`."""
    started = time.monotonic()
    config = samconfig_deploy_parameters(settings.project_dir)
    if template is None:
        template = settings.template
        given = _parameters(config.get("parameter_overrides", ""), settings.parameter_overrides)
        parameters = {**cloud_parameters(settings, template), **given}
    stack_name = stack_name or settings.stack_name
    cfn = client(settings, "cloudformation")
    request = {
        "StackName": stack_name,
        "TemplateBody": package(settings, template, prefix=stack_name),
        "Capabilities": config.get("capabilities", "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND").split(),
        "Parameters": [{"ParameterKey": key, "ParameterValue": value} for key, value in (parameters or {}).items()],
    }
    changed = True
    if stack_status(cfn, stack_name) is None:
        cfn.create_stack(**request)
    else:
        try:
            cfn.update_stack(**request)
        except ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise
            changed = False
    status = _wait_for_stack(cfn, stack_name)
    if status not in _DONE_STATUSES:
        raise DeployError(f"stack {stack_name} is {status}:\n{_failure_reasons(cfn, stack_name)}")
    return Deployment(stack_name, status, stack_outputs(cfn, stack_name), time.monotonic() - started, changed)


def package(settings: Settings, template: Path, prefix: str) -> str:
    """The template with local code folders replaced by S3 locations (YAML)."""
    from awscli.customizations.cloudformation.artifact_exporter import Template
    from awscli.customizations.cloudformation.yamlhelper import yaml_dump
    from awscli.customizations.s3uploader import S3Uploader

    s3 = client(settings, "s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=ARTIFACT_BUCKET)
    uploader = S3Uploader(s3, ARTIFACT_BUCKET, prefix=prefix)
    # The uploader reports progress on stdout; the deploy reports its own summary.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exported = Template(str(template), str(template.parent), uploader).export()
    return yaml_dump(exported)


def cloud_parameters(settings: Settings, template: Path) -> dict[str, str]:
    """Parameters the local cloud itself answers, for a template that declares them: `QdrantUrl`,
    its Qdrant endpoint. Given ones (samconfig, LOCALCLOUD_PARAMETERS) win: a real Qdrant instead."""
    from awscli.customizations.cloudformation.yamlhelper import yaml_parse

    declared = yaml_parse(template.read_text()).get("Parameters") or {}
    return {"QdrantUrl": settings.qdrant_url} if "QdrantUrl" in declared else {}


def samconfig_deploy_parameters(project_dir: Path) -> dict[str, str]:
    with (project_dir / "samconfig.toml").open("rb") as file:
        samconfig = tomllib.load(file)
    return samconfig.get(SAMCONFIG_PROFILE, {}).get("deploy", {}).get("parameters", {})


def stack_status(cfn, stack_name: str) -> str | None:  # type: ignore[no-untyped-def]
    try:
        return cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def stack_outputs(cfn, stack_name: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def _parameters(*overrides: str) -> dict[str, str]:
    """`Key=Value Key2=Value2` strings, later ones winning."""
    values: dict[str, str] = {}
    for override in overrides:
        for pair in override.split():
            key, _, value = pair.partition("=")
            values[key] = value.strip('"')
    return values


def _wait_for_stack(cfn, stack_name: str, timeout: float = 300) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = stack_status(cfn, stack_name) or "DELETE_COMPLETE"
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.1)
    raise DeployError(f"stack {stack_name} still in progress after {timeout:.0f} s")


def _failure_reasons(cfn, stack_name: str) -> str:  # type: ignore[no-untyped-def]
    events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"].endswith("FAILED")]
    return "\n".join(
        f"  {e['LogicalResourceId']} ({e['ResourceType']}): {e.get('ResourceStatusReason', '')}" for e in failed
    )
