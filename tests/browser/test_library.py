"""Library ingestion in the console: an album's tracks with their ingestion (skipped with the
reason, then indexed as the page refreshes itself), a track's task, and the search box."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from localcloud.runner import CloudProcess

from ..integration.library_ingestion.client import Library


def test_an_albums_tracks_show_their_ingestion_and_the_index_is_searched(page: Page, cloud: CloudProcess) -> None:
    library = Library(cloud)  # the fixture catalog: no CatalogUrl on this cloud
    library.add_album("alb-harbour-lights", "Harbour Lights", "The Tide Clocks")

    page.goto("/library")
    album = page.locator('section[data-album="alb-harbour-lights"]')
    expect(album.locator("tr[data-track]")).to_have_count(12)
    missing = album.locator("tr[data-track]").nth(6)
    expect(missing).to_have_attribute("data-state", "skipped")
    expect(missing.locator("[data-field=detail]")).to_have_text("missing_isrc")
    foghorn = album.locator('tr[data-track="ZZCNV2100003"]')
    expect(foghorn).to_have_attribute("data-state", "indexed", timeout=120_000)  # refreshed live until then

    foghorn.locator("a[data-link=task]").click()
    expect(page.locator("h1")).to_contain_text("isrc-ZZCNV2100003")
    expect(page.locator("tr[data-step-row]")).to_have_count(4)

    page.goto("/library")
    page.get_by_label("Search the index").fill("the foghorn hums its lullaby")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#hits tr[data-hit]").first).to_have_attribute("data-hit", "ZZCNV2100003")
