"""Demo tasks in the console: a task's waterfall, its execution and back, and the replay
of a failed task."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from localcloud.runner import CloudProcess

from ..integration.demo_tasks import api, finished_execution, unique


def test_a_task_shows_its_steps_as_a_waterfall_and_links_to_its_execution_and_back(
    page: Page, cloud: CloudProcess
) -> None:
    task_id = unique("waterfall")
    assert (
        api(cloud, "POST", "/tasks", {"taskId": task_id, "simulateFailure": True, "failAtStep": 2, "failTimes": 1})[0]
        == 202
    )
    finished_execution(cloud, task_id)

    page.goto("/tasks?status=SUCCEEDED")
    page.locator(f'tr[data-task="{task_id}"] a').click()

    expect(page.locator("[data-field=status]")).to_have_text("SUCCEEDED")
    rows = page.locator("tr[data-step-row]")
    expect(rows).to_have_count(4)
    process = page.locator('tr[data-step-row="process"]')
    expect(process.locator("[data-field=attempts]")).to_have_text("2")
    expect(process.locator(".track .bar")).to_be_visible()
    expect(process.locator(".track .attempt")).to_be_visible()  # the retry that finished it

    page.locator("a[data-link=execution]").click()
    expect(page.locator("h1")).to_have_text(task_id)
    page.locator("a[data-link=task]").click()
    expect(page.locator("h1")).to_have_text(task_id)
    expect(page.locator("tr[data-step-row]")).to_have_count(4)


def test_a_failed_task_is_replayed_from_its_page(page: Page, cloud: CloudProcess) -> None:
    task_id = unique("replay")
    api(cloud, "POST", "/tasks", {"taskId": task_id, "simulateFailure": True, "failAtStep": 4})
    finished_execution(cloud, task_id)

    page.goto(f"/tasks/{task_id}")
    expect(page.locator("[data-field=status]")).to_have_text("FAILED")
    page.get_by_role("button", name="Replay").click()

    expect(page.locator(".notice")).to_contain_text(f"{task_id}--replay1")
    expect(page.locator("[data-field=status]")).to_have_text("FAILED")  # permanent: fails again, refreshed live
    expect(page.locator("a[data-link=execution]")).to_have_text(f"{task_id}--replay1")
