"""Evaluation runs in the console: a run's progress per model, paused and resumed from its
page until it completes; the evaluation queue paused and resumed from its page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from localcloud.runner import CloudProcess

from ..integration.evaluation.test_runs import start_run


def test_a_run_is_paused_and_resumed_from_its_page_until_it_completes(page: Page, cloud: CloudProcess) -> None:
    run = start_run(cloud, definitionId="sample-quality", models=["local/page-a", "local/page-b"], sampleSeed=11)

    page.goto("/runs")
    expect(page.locator(f'tr[data-run="{run["id"]}"]')).to_have_count(1)
    page.goto(f"/runs/{run['id']}")
    expect(page.locator("tr[data-model]")).to_have_count(2)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-field=status]")).to_have_text("PAUSED")

    page.get_by_role("button", name="Resume").click()
    expect(page.locator("[data-field=status]")).to_have_text("COMPLETED", timeout=120_000)  # refreshed live
    expect(page.locator('tr[data-model="local/page-a"] td.num').nth(2)).to_have_text("8")  # its total
    expect(page.locator("tr[data-task]").first).to_be_visible()


def test_the_evaluation_queue_is_paused_and_resumed_from_its_page(page: Page, cloud: CloudProcess) -> None:
    page.goto("/runs/queue")
    expect(page.locator("tr[data-job-type]")).to_have_count(3)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Pause the queue").click()
    expect(page.locator("[data-field=queue-state]")).to_have_text("paused")
    expect(page.locator('tr[data-job-type="probe:scenario"] [data-field=consumer]')).to_have_text("Disabled")

    page.get_by_role("button", name="Resume the queue").click()
    expect(page.locator("[data-field=queue-state]")).to_have_text("consuming")
    expect(page.locator('tr[data-job-type="probe:scenario"] [data-field=consumer]')).to_have_text("Enabled")
