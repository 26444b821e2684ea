"""The console that the local cloud starts (`make up`, `runner.start(console=True)`)."""

from __future__ import annotations

import subprocess

from playwright.sync_api import Page, expect

from localcloud.runner import CloudProcess


def test_the_local_cloud_starts_the_console_on_loopback_and_names_it_in_its_banner(cloud: CloudProcess) -> None:
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    port = str(cloud.settings.console_port)
    addresses = [line.split()[3] for line in listening.splitlines() if line.split()[3].rsplit(":", 1)[-1] == port]

    assert addresses == [f"127.0.0.1:{port}"]
    assert f"Console        {cloud.settings.console_url}" in cloud.log()


def test_the_console_reads_the_local_cloud_with_actions_enabled(page: Page, cloud: CloudProcess) -> None:
    page.goto("/")

    expect(page.locator("h1")).to_have_text("State machines")
    expect(page.locator(".where")).to_contain_text(cloud.settings.endpoint_url)
    expect(page.locator(".mode")).to_have_text("actions enabled")
    expect(page.get_by_role("link", name=cloud.outputs["DemoTaskStateMachineArn"].rsplit(":", 1)[-1])).to_be_visible()
