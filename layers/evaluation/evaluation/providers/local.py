"""A local, deterministic model: no network, the same answer for the same (model, prompt).

    local/echo          repeats the prompt back
    local/refuse        declines every prompt (what refusal detection is for)
    local/<any other>   answers in a few sentences built from the prompt's content words:
                        how many it picks up, and how much it hedges, follow from the model's
                        name, so two local models give different, comparable answers

Each call waits the scenario's `simulate.latencyMs`, else the model's configured latency
(EVALUATION_LOCAL_MODEL_LATENCY_MS), and fails on demand as the scenario's `simulate`
says (`evaluation.scenarios`), with the same retry classes a real provider raises.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable

from evaluation.providers.base import ProbeRequest, Transcript, TranscriptMessage, conversation, token_count
from evaluation.retries import (
    AuthenticationFailed,
    ModelTimeout,
    NetworkFailure,
    RateLimited,
    RequestInvalid,
    ServerFailure,
)
from evaluation.scenarios import FailureMode, Simulation

PROVIDER = "local"
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
# Words too common to carry a prompt's content.
_STOPWORDS = frozenset(
    {"about", "after", "before", "could", "does", "each", "from", "have", "into", "please", "should", "some"}
    | {"than", "that", "their", "them", "then", "there", "these", "they", "this", "those", "very", "what"}
    | {"when", "where", "which", "while", "with", "would", "your", "explain", "describe", "tell", "give", "list"}
)
_OPENINGS = ("In short,", "Briefly:", "Here is the answer.", "Good question.", "To answer directly,")
_HEDGES = ("I think", "It seems that", "Probably", "As far as I know,", "It may be that")
_LINKS = ("relates to", "depends on", "is part of", "comes before", "explains")
_REFUSAL = "I'm sorry, but I can't help with that request."


class LocalModel:
    def __init__(self, latency_ms: int = 0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.latency_ms = latency_ms
        self._sleep = sleep

    def complete(self, request: ProbeRequest) -> Transcript:
        simulate = request.simulate or Simulation()
        latency = self.latency_ms if simulate.latency_ms is None else simulate.latency_ms
        if latency:
            self._sleep(latency / 1000)
        if simulate.fails(request.attempt):
            raise _failure(simulate, request)
        answer = self.answer(request)
        messages = conversation(request)
        return Transcript(
            model=f"{PROVIDER}/{request.model}",
            messages=[*messages, TranscriptMessage(role="assistant", content=answer)],
            latency_ms=latency,
            prompt_tokens=sum(token_count(m.content) for m in messages),
            completion_tokens=token_count(answer),
            finish_reason="stop",
        )

    def answer(self, request: ProbeRequest) -> str:
        if request.model == "echo":
            return request.prompt
        if request.model == "refuse":
            return _REFUSAL
        seed = hashlib.sha256(f"{request.model}\n{request.system or ''}\n{request.prompt}".encode()).digest()
        rng = random.Random(seed)
        style = random.Random(hashlib.sha256(request.model.encode()).digest())
        recall = 0.4 + 0.6 * style.random()  # the share of the prompt's words this model picks up
        hedging = style.random() * 0.5  # how often a sentence is hedged
        words = _content_words(request.prompt)
        picked = [word for word in words if rng.random() < recall] or words[:1] or ["that"]
        sentences = [rng.choice(_OPENINGS)]
        for start in range(0, len(picked), 3):
            group = picked[start : start + 3]
            subject, *rest = group
            clause = f"{subject} {rng.choice(_LINKS)} {' and '.join(rest) if rest else 'the question'}"
            sentence = f"{rng.choice(_HEDGES)} {clause}" if rng.random() < hedging else clause.capitalize()
            sentences.append(sentence + ".")
        return " ".join(sentences)


def _content_words(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower not in _STOPWORDS:
            seen.setdefault(lower, None)
    return list(seen)


def _failure(simulate: Simulation, request: ProbeRequest) -> Exception:
    what = f"{PROVIDER}/{request.model} (attempt {request.attempt}, failure on demand)"
    match simulate.failure:
        case FailureMode.TRANSIENT:
            return NetworkFailure(f"{what}: connection reset by peer")
        case FailureMode.TIMEOUT:
            return ModelTimeout(f"{what}: no answer in time")
        case FailureMode.RATE_LIMITED:
            return RateLimited(f"{what}: HTTP 429 Too Many Requests", retry_after=simulate.retry_after_seconds)
        case FailureMode.SERVER_ERROR:
            return ServerFailure(f"{what}: HTTP 503")
        case FailureMode.VALIDATION:
            return RequestInvalid(f"{what}: HTTP 400: the request is not valid")
        case FailureMode.AUTHENTICATION:
            return AuthenticationFailed(f"{what}: HTTP 401: the key was refused")
    raise ValueError(f"no failure mode {simulate.failure!r}")
