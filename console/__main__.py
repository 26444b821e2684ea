"""`python -m console`: serve the console (see `python -m console --help`)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

import uvicorn

from console.settings import from_args


def main(argv: Sequence[str] | None = None) -> int:
    settings = from_args(argv)
    if settings.endpoint:
        # localstack-client and boto3 both read it: every client points at the one endpoint.
        os.environ["AWS_ENDPOINT_URL"] = settings.endpoint
    from console.web.app import create_app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    mode = "actions enabled" if settings.actions else "read-only"
    print(f"console: {settings.url} ({mode}; reading {settings.endpoint or 'AWS ' + settings.region})", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
