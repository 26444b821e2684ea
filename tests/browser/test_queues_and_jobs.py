"""Queues and jobs in the console: a poison message seen in its DLQ, redriven and then
processed; a job cancelled; the links from a job to its queue and its dead letter."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from localcloud.runner import CloudProcess

from ..integration.content_jobs.client import ContentJobs, unique
from ..integration.content_jobs.local_http import Reply, html, local_http

PAGE = "<html><head><title>Post</title></head><body><article><p>Readable words.</p></article></body></html>"


def test_a_poison_message_is_seen_in_its_dlq_redriven_and_then_processed(page: Page, cloud: CloudProcess) -> None:
    jobs = ContentJobs(cloud)
    with local_http() as site:
        site.on("GET", "/flaky", Reply(503, "busy"))
        job_id = jobs.create("SCRAPE_WEBSITE", {"sourceId": unique("src"), "url": f"{site.url}/flaky"})
        jobs.wait(job_id, {"FAILED"})

        page.goto(f"/jobs/{job_id}")  # the job links to its queue and to its message in the DLQ
        expect(page.locator("[data-field=status]")).to_have_text("FAILED")
        expect(page.locator("a[data-link=queue]")).to_have_text("conveyor-jobs-context-scraping")
        page.locator("a[data-link=dead-letter]").click()

        message = page.locator("article.message.highlight")
        expect(message.locator("a[data-link=job]")).to_have_text(job_id)
        expect(message.locator("[data-field=error-reason]")).to_contain_text("HTTP 503")
        page.reload()  # reading the DLQ did not consume the message
        expect(page.locator("article.message", has_text=job_id)).to_be_visible()

        site.on("GET", "/flaky", html(PAGE))  # the site is back: the redriven message can succeed
        page.locator("button[data-action=redrive]").click()

        expect(page.locator(".notice")).to_contain_text("Redrive started")
        expect(page.locator("tr[data-move-task]").first).to_have_attribute("data-move-task", "COMPLETED")
        expect(page.locator("article.message", has_text=job_id)).to_have_count(0)
        done = jobs.wait(job_id, {"COMPLETED"})
        assert done["result"] and len(site.hits("GET", "/flaky")) == 4

        page.goto(f"/jobs/{job_id}")
        expect(page.locator("[data-field=status]")).to_have_text("COMPLETED")
        expect(page.locator("tr[data-history]")).to_have_count(4)


def test_a_job_is_cancelled_from_its_page(page: Page, cloud: CloudProcess) -> None:
    jobs = ContentJobs(cloud)
    job_id = jobs.create("NOOP", {"echo": "never"}, delaySeconds=60)

    page.goto("/jobs?status=PENDING&type=NOOP")
    page.locator(f'tr[data-job="{job_id}"] a').click()
    expect(page.locator("[data-field=status]")).to_have_text("PENDING")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel job").click()

    expect(page.locator("[data-field=status]")).to_have_text("CANCELLED")
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    assert jobs.get(job_id)["status"] == "CANCELLED"


def test_the_queues_page_lists_every_queue_with_its_counts_and_dlq(page: Page, cloud: CloudProcess) -> None:
    page.goto("/queues")

    row = page.locator('tr[data-queue="conveyor-jobs-supporting"]')
    expect(row).to_contain_text("conveyor-jobs-supporting-dlq")
    for field in ("visible", "in-flight", "delayed", "dead-letters"):
        expect(row.locator(f"[data-field={field}]")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator(f'tr[data-queue="{cloud.outputs["DemoTaskDLQUrl"].rsplit("/", 1)[-1]}"]')).to_be_visible()
