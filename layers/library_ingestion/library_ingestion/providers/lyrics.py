"""Lyrics of a track by ISRC. A track without lyrics (an instrumental, or one the provider
does not know) is None: not a failure."""

from __future__ import annotations

from typing import Protocol


class LyricsProvider(Protocol):
    def lyrics(self, isrc: str) -> str | None: ...
