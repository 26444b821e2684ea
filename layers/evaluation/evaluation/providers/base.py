"""What every model provider takes and gives: a probe request, a transcript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from conveyor.core.models import ApiModel
from evaluation.scenarios import Simulation


@dataclass(frozen=True)
class ProbeRequest:
    model: str  # the provider's model name (the part after `<provider>/`)
    prompt: str
    system: str | None = None
    attempt: int = 1  # 1-based: the local model's failures on demand count attempts
    simulate: Simulation | None = None


class TranscriptMessage(ApiModel):
    role: str
    content: str


class Transcript(ApiModel):
    """What the model was asked and answered: a probe job's result."""

    model: str  # the full model id, `<provider>/<name>`
    messages: list[TranscriptMessage]
    latency_ms: int
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str

    @property
    def answer(self) -> str:
        return next((m.content for m in reversed(self.messages) if m.role == "assistant"), "")


class ModelProvider(Protocol):
    """Calls one kind of model. Failures are raised as the retry classes of `evaluation.retries`."""

    def complete(self, request: ProbeRequest) -> Transcript: ...


def conversation(request: ProbeRequest) -> list[TranscriptMessage]:
    """The messages sent: the system prompt when there is one, then the scenario's prompt."""
    messages = [TranscriptMessage(role="system", content=request.system)] if request.system else []
    return [*messages, TranscriptMessage(role="user", content=request.prompt)]


def token_count(text: str) -> int:
    """A rough token count (words and punctuation), when a provider reports none."""
    return len(text.split()) + sum(text.count(mark) for mark in ",.;:!?")
