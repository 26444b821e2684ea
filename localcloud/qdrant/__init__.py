"""A Qdrant-compatible REST endpoint backed by qdrant-client's local mode.

Handlers talk to Qdrant over its API (`QDRANT_URL`), and no Qdrant server installs on
these machines; qdrant-client's local mode runs in one process per folder, while the
local cloud runs each function in several worker processes. `make up` therefore serves
this endpoint (`http://127.0.0.1:6333`) from the local cloud's process: the one client
of a local-mode store that every worker reaches over HTTP.

The wire (`routes`, `requests`, `responses`, `app`) is apart from the behaviour
(`store`): only the operations the project uses are served; the rest answer 501.
"""

from __future__ import annotations

from localcloud.qdrant.app import QdrantApp
from localcloud.qdrant.standalone import StandaloneEndpoint
from localcloud.qdrant.store import VectorStore

__all__ = ["QdrantApp", "StandaloneEndpoint", "VectorStore"]
