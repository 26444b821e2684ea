"""Qdrant's errors, one class per kind Qdrant answers, each with its HTTP status.

Qdrant answers an error as `{"status": {"error": "<prefix><description>"}, "time": ...}`
with the status and prefix of its `StorageError` kind (src/actix/helpers.rs): bad input
400 "Wrong input: ", an unknown collection or point 404 "Not found: ", an existing
collection 409, and a body that does not parse 400 "Format error in JSON body: ".
"""

from __future__ import annotations


class QdrantError(Exception):
    """An error answered to the client in Qdrant's shape; never a 5xx with a traceback."""

    status = 500
    prefix = "Service internal error: "

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    @property
    def message(self) -> str:
        return self.prefix + self.description


class FormatError(QdrantError):
    """The body is not JSON, or not the shape the operation takes."""

    status = 400
    prefix = "Format error in JSON body: "


class BadInput(QdrantError):
    """The request parses but cannot be applied (a wrong vector size, an unknown vector name)."""

    status = 400
    prefix = "Wrong input: "


class NotFound(QdrantError):
    status = 404
    prefix = "Not found: "


class AlreadyExists(QdrantError):
    status = 409
    prefix = "Wrong input: "


class NotImplementedOperation(QdrantError):
    """A Qdrant operation this endpoint does not serve (only those the project uses are)."""

    status = 501
    prefix = "Not implemented by the local Qdrant endpoint: "
