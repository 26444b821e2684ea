"""Library ingestion on the session's local cloud (tests/integration/conftest.py), its catalog
served by the tests (tests/library_catalog.py): every function that reads the catalog is
pointed at it for the session, as CatalogUrl would, and put back after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ...library_catalog import CatalogServer
from ..conftest import RunningCloud
from .client import Library


@pytest.fixture(scope="session")
def catalog() -> Iterator[CatalogServer]:
    with CatalogServer() as server:
        yield server


@pytest.fixture(scope="session")
def library(cloud: RunningCloud, catalog: CatalogServer) -> Iterator[Library]:
    library = Library(cloud)
    readers = library.functions_reading("CATALOG_URL")
    assert library.graphql_function in readers and len(readers) == 5  # GraphQL and the four steps
    with library.configured(readers, CATALOG_URL=catalog.url):
        yield library
