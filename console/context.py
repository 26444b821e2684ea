"""What every page reads through: the settings, the AWS clients, the stack's
resources, and the Step Functions, SQS and Conveyor API clients."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from console.aws import AwsClients
from console.conveyor_api import ApiError, BearerToken, ConveyorApi
from console.queues import Queues
from console.settings import ConsoleSettings
from console.stack import Stack
from console.stepfunctions.service import StepFunctions


@dataclass
class Console:
    settings: ConsoleSettings

    @cached_property
    def aws(self) -> AwsClients:
        return AwsClients(self.settings)

    @cached_property
    def stack(self) -> Stack:
        return Stack(self.aws.client("cloudformation"), self.settings.stack_name)

    @cached_property
    def stepfunctions(self) -> StepFunctions:
        return StepFunctions(self.aws.client("stepfunctions"))

    @cached_property
    def queues(self) -> Queues:
        return Queues(self.aws.client("sqs"))

    @property
    def api(self) -> ConveyorApi:
        """Conveyor's REST API: the --api-url, else the stack's ApiUrl output."""
        url = self.settings.api_url or self.stack.resources().outputs.get("ApiUrl")
        if not url:
            raise ApiError(0, "no API URL: pass --api-url (or CONVEYOR_API_URL), or a --stack with an ApiUrl output")
        return ConveyorApi(url, self.bearer_token)

    @cached_property
    def bearer_token(self) -> BearerToken:
        """One token for every request of the console, renewed when it expires."""
        return BearerToken(self.settings.token, self.settings.token_command)
