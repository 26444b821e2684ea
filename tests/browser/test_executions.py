"""Executions in the console: the graph of succeeded, failed and running executions,
a retried step's attempts, start and stop from the page, the list's filters, and
the event history."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, expect

from localcloud.runner import CloudProcess

from ..conftest import wait_for
from ..integration.demo_tasks import api, finished_execution, unique

ROLE = "arn:aws:iam::000000000000:role/console-tests"


def node(page: Page, name: str) -> Any:
    return page.locator(f'svg.graph g[data-node="{name}"]')


def execution_path(arn: str) -> str:
    return f"/executions/{arn}"


def submit_task(cloud: CloudProcess, **request: Any) -> dict[str, Any]:
    task_id = unique("console")
    status, body = api(cloud, "POST", "/tasks", {"taskId": task_id, **request})
    assert status == 202, body
    return finished_execution(cloud, task_id)


def state_machine(cloud: CloudProcess, definition: dict[str, Any]) -> str:
    sfn = cloud.client("stepfunctions")
    return sfn.create_state_machine(name=unique("console"), definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]


def test_the_graph_of_a_succeeded_execution_colours_the_path_it_took(page: Page, cloud: CloudProcess) -> None:
    execution = submit_task(cloud)
    assert execution["status"] == "SUCCEEDED"

    page.goto(execution_path(execution["executionArn"]))

    expect(page.locator("[data-field=status]")).to_have_text("SUCCEEDED")
    succeeded = ("Initialize", "Process", "SimulateDelay", "SimulateApiCall", "Finalize", "PublishTaskCompleted")
    for state in (*succeeded, "RecordRunSucceeded"):
        expect(node(page, state)).to_have_attribute("data-status", "succeeded")
    for state in ("RecordRunFailure", "TaskFailed"):
        expect(node(page, state)).to_have_attribute("data-status", "not-reached")
    expect(node(page, "__end__")).to_have_attribute("data-status", "succeeded")

    node(page, "Finalize").click()  # the step panel shows the state's input and output
    panel = page.locator('.step[data-step="Finalize"]')
    expect(panel).to_be_visible()
    panel.get_by_text("Output").first.click()
    expect(panel.locator("pre").first).to_contain_text("taskId")


def test_the_graph_of_an_uncaught_failure_shows_the_failed_state_red_and_later_states_not_reached(
    page: Page, cloud: CloudProcess
) -> None:
    machine = state_machine(
        cloud,
        {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Next": "Charge"},
                "Charge": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:000000000000:function:console-no-such-function",
                    "Next": "Ship",
                },
                "Ship": {"Type": "Pass", "End": True},
            },
        },
    )
    arn = cloud.client("stepfunctions").start_execution(stateMachineArn=machine, input="{}")["executionArn"]

    page.goto(execution_path(arn))

    expect(page.locator("[data-field=status]")).to_have_text("FAILED")
    expect(node(page, "Prepare")).to_have_attribute("data-status", "succeeded")
    expect(node(page, "Charge")).to_have_attribute("data-status", "failed")
    expect(node(page, "Ship")).to_have_attribute("data-status", "not-reached")
    charge_box = node(page, "Charge").locator("rect")
    assert charge_box.evaluate("rect => getComputedStyle(rect).stroke") == "rgb(209, 50, 18)"  # red
    expect(page.locator('.step[data-step="Charge"] .failure code')).not_to_have_text("")


def test_a_caught_failure_is_orange_and_the_states_after_it_not_reached(page: Page, cloud: CloudProcess) -> None:
    execution = submit_task(cloud, simulateFailure=True, failAtStep=4)

    page.goto(execution_path(execution["executionArn"]))

    expect(node(page, "SimulateApiCall")).to_have_attribute("data-status", "caught-error")
    expect(node(page, "TaskFailed")).to_have_attribute("data-status", "failed")
    for later in ("Finalize", "PublishTaskCompleted", "RecordRunSucceeded"):
        expect(node(page, later)).to_have_attribute("data-status", "not-reached")
    expect(page.locator("[data-field=error]")).to_have_text("PermanentError")


def test_a_retried_step_shows_each_attempt_with_its_backoff(page: Page, cloud: CloudProcess) -> None:
    execution = submit_task(cloud, simulateFailure=True, failAtStep=4, failTimes=2)
    assert execution["status"] == "SUCCEEDED"

    page.goto(execution_path(execution["executionArn"]) + "?view=table")

    row = page.locator('tr[data-select="SimulateApiCall"]')
    expect(row.locator("[data-field=attempts]")).to_contain_text("3 (2 retries)")
    expect(row.locator(".attempt")).to_have_count(3)
    row.click()
    attempts = page.locator('.step[data-step="SimulateApiCall"] .attempt-row')
    expect(attempts).to_have_count(3)
    expect(attempts.nth(0)).to_contain_text("failed")
    expect(attempts.nth(1)).to_contain_text("TransientError")
    expect(attempts.nth(2)).to_contain_text("succeeded")
    assert "–" not in attempts.nth(1).locator("td").nth(1).inner_text()  # the backoff before the retry


def test_start_from_the_page_see_it_run_then_stop_it(page: Page, cloud: CloudProcess) -> None:
    machine = state_machine(
        cloud,
        {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Next": "Hold"},
                "Hold": {"Type": "Wait", "Seconds": 3000, "Next": "Done"},
                "Done": {"Type": "Pass", "End": True},
            },
        },
    )
    name = unique("started-here")

    page.goto(f"/state-machines/{machine}")
    page.get_by_text("Start execution").click()
    form = page.locator("form.stack-form")
    form.locator("input[name=name]").fill(name)
    form.locator("textarea[name=input]").fill('{"order": 42')
    expect(form.locator("[data-json-status]")).not_to_have_text("valid JSON")
    form.locator("textarea[name=input]").fill('{"order": 42}')
    expect(form.locator("[data-json-status]")).to_have_text("valid JSON")
    form.get_by_role("button", name="Start").click()

    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("[data-field=status]")).to_have_text("RUNNING")
    expect(node(page, "Prepare")).to_have_attribute("data-status", "succeeded")
    expect(node(page, "Hold")).to_have_attribute("data-status", "in-progress")  # the live page catches up
    expect(node(page, "Done")).to_have_attribute("data-status", "not-reached")
    expect(page.locator("#live-indicator")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stop execution").click()

    expect(page.locator("[data-field=status]")).to_have_text("ABORTED")
    expect(node(page, "Hold")).to_have_attribute("data-status", "aborted")
    arn = machine.replace(":stateMachine:", ":execution:") + f":{name}"
    described = cloud.client("stepfunctions").describe_execution(executionArn=arn)
    assert (described["status"], json.loads(described["input"])) == ("ABORTED", {"order": 42})


def test_executions_filter_by_status_and_search_by_name(page: Page, cloud: CloudProcess) -> None:
    machine = state_machine(
        cloud,
        {
            "StartAt": "Route",
            "States": {
                "Route": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Fine"}],
                    "Default": "Broken",
                },
                "Fine": {"Type": "Succeed"},
                "Broken": {"Type": "Fail", "Error": "Broken"},
            },
        },
    )
    sfn = cloud.client("stepfunctions")
    for name, ok in (("alpha-good", True), ("alpha-bad", False), ("beta-bad", False)):
        sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps({"ok": ok}))
    wait_for(
        lambda: all(e["status"] != "RUNNING" for e in sfn.list_executions(stateMachineArn=machine)["executions"]),
        what="the three executions to end",
    )

    page.goto(f"/state-machines/{machine}?status=FAILED")
    expect(page.locator("tr[data-execution]")).to_have_count(2)
    page.locator("form.filters input[name=name]").fill("alpha")
    page.get_by_role("button", name="Filter").click()

    expect(page.locator("tr[data-execution]")).to_have_count(1)
    expect(page.locator('tr[data-execution="alpha-bad"]')).to_be_visible()
    page.get_by_role("link", name="alpha-bad").click()
    expect(node(page, "Broken")).to_have_attribute("data-status", "failed")
    expect(node(page, "Fine")).to_have_attribute("data-status", "not-reached")


def test_the_event_history_pages_and_filters(page: Page, cloud: CloudProcess) -> None:
    execution = submit_task(cloud, simulateFailure=True, failAtStep=4, failTimes=2)

    page.goto(execution_path(execution["executionArn"]) + "?view=events")
    expect(page.locator("tr[data-event-type]").first).to_have_attribute("data-event-type", "ExecutionStarted")
    page.locator("select[name=category]").select_option("errors")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("tr[data-event-type]")
    expect(rows).to_have_count(2)
    for index in range(2):
        expect(rows.nth(index)).to_have_attribute("data-event-type", "LambdaFunctionFailed")
        expect(rows.nth(index)).to_contain_text("SimulateApiCall")


def test_a_live_page_keeps_what_the_reader_opened(page: Page, cloud: CloudProcess) -> None:
    machine = state_machine(
        cloud, {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3000, "End": True}}}
    )
    arn = cloud.client("stepfunctions").start_execution(stateMachineArn=machine, input='{"keep": "open"}')[
        "executionArn"
    ]
    page.goto(execution_path(arn))
    page.locator("#summary details").first.locator("summary").click()
    first_region = page.locator("#summary").element_handle()

    page.wait_for_function("region => !region.isConnected", arg=first_region)  # the page refreshed the region

    expect(page.locator("#summary details").first).to_have_attribute("open", "")
    cloud.client("stepfunctions").stop_execution(executionArn=arn)


def test_the_executions_list_pages_through_many_executions(page: Page, cloud: CloudProcess) -> None:
    machine = state_machine(cloud, {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    sfn = cloud.client("stepfunctions")
    names = {f"many-{number:03d}" for number in range(60)}
    for name in sorted(names):
        sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    # The list is ordered by stop date once an execution stops: one that stopped between the
    # two pages would move ahead of the first page's token, so the pages are read at rest.
    wait_for(
        lambda: len(sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"]) == 60,
        timeout=60,
        what="the 60 executions to succeed",
    )

    page.goto(f"/state-machines/{machine}")
    expect(page.locator("tr[data-execution]")).to_have_count(50)
    first = set(page.locator("tr[data-execution]").evaluate_all("rows => rows.map(r => r.dataset.execution)"))
    page.get_by_role("link", name="next page »").click()

    expect(page.locator("tr[data-execution]")).to_have_count(10)
    rest = set(page.locator("tr[data-execution]").evaluate_all("rows => rows.map(r => r.dataset.execution)"))
    assert first | rest == names and not first & rest
    expect(page.get_by_role("link", name="next page »")).to_have_count(0)


def test_states_inside_map_and_parallel_are_coloured_by_their_own_events(page: Page, cloud: CloudProcess) -> None:
    machine = state_machine(
        cloud,
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
                    "Next": "Both",
                },
                "Both": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                        {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
                    ],
                    "End": True,
                },
            },
        },
    )
    arn = cloud.client("stepfunctions").start_execution(stateMachineArn=machine, input='{"items": [1, 2, 3]}')[
        "executionArn"
    ]

    page.goto(execution_path(arn))

    expect(page.locator("[data-field=status]")).to_have_text("SUCCEEDED")
    expect(page.locator("svg.graph rect.frame")).to_have_count(2)
    for state in ("Each", "Both"):
        expect(node(page, state)).to_have_attribute("data-status", "succeeded")
    for inner in ("Work", "Left", "Right"):  # the local cloud logs iterations and branches, as AWS does
        expect(node(page, inner)).to_have_attribute("data-status", "succeeded")
        expect(node(page, inner)).not_to_have_class(re.compile(r"\binferred\b"))
