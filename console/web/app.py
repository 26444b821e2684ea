"""The console's web application: sections' routes, static files, and one page for
every error (a clear message and status; never a traceback)."""

from __future__ import annotations

import logging
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from console.context import Console
from console.conveyor_api import ApiError
from console.settings import ConsoleSettings
from console.stepfunctions.graph import InvalidDefinition
from console.stepfunctions.service import InvalidPageToken
from console.web.rendering import render
from console.web.sections import SECTIONS

log = logging.getLogger("console")
_NOT_FOUND_CODES = (
    "ExecutionDoesNotExist",
    "StateMachineDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "ResourceNotFoundException",
    "InvalidArn",
)


def create_app(settings: ConsoleSettings) -> Starlette:
    routes = [
        Route("/", lambda request: RedirectResponse(SECTIONS[0].path)),
        *(route for section in SECTIONS for route in section.routes),
        Mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _http_error,
            ClientError: _aws_error,
            BotoCoreError: _aws_unreachable,
            ApiError: _api_error,
            InvalidPageToken: _bad_request,
            InvalidDefinition: _bad_request,
            Exception: _unexpected,
        },
    )
    app.state.console = Console(settings)
    return app


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "error.html", status_code=status, title=title, message=message)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return _error_page(request, error.status_code, "Refused" if error.status_code == 403 else "Not here", error.detail)


async def _aws_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ClientError)
    code = error.response.get("Error", {}).get("Code", "Error")
    message = error.response.get("Error", {}).get("Message", str(error))
    status = 404 if code in _NOT_FOUND_CODES else 400
    return _error_page(request, status, f"AWS answered {code}", message)


async def _aws_unreachable(request: Request, error: Exception) -> Response:
    where = request.app.state.console.aws.where
    return _error_page(request, 502, "AWS did not answer", f"{where}: {error}")


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    status = error.status if 400 <= error.status < 500 else 502
    return _error_page(request, status, f"Conveyor's API answered {error.status or 'nothing'}", error.message)


async def _bad_request(request: Request, error: Exception) -> Response:
    return _error_page(request, 400, "Bad request", str(error))


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("console: %s %s failed", request.method, request.url.path)
    return _error_page(request, 500, "The console failed", f"{type(error).__name__}: {error}")
