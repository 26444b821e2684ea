"""The console's actions (start, stop, redrive, purge, replay, cancel, retry): only when
the console was started with `--actions`, only from the console's own pages, and
answered with a redirect to the page that shows the result."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse


def allow(request: Request) -> None:
    """Refuse an action the console may not take: read-only, or asked by another site."""
    if not request.app.state.console.settings.actions:
        raise HTTPException(403, "The console is read-only: start it with --actions to allow this.")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, f"Refused an action asked by another site ({origin}).")


def done(url: str, notice: str) -> RedirectResponse:
    separator = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{separator}{urlencode({'notice': notice})}", status_code=303)
