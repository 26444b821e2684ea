"""An OpenAI-compatible chat completions API, by URL: OpenAI, Azure OpenAI's v1 endpoint,
vLLM, Ollama, llama.cpp's server, LiteLLM... (`openai/<model>`).

    POST <EVALUATION_OPENAI_BASE_URL>/chat/completions
         Authorization: Bearer <EVALUATION_OPENAI_API_KEY>       (when set)
         {"model": <model>, "messages": [...], "temperature": 0}
    ->   choices[0].message.content, choices[0].finish_reason, usage

An answer that is not a completion is a `ServerFailure` (retried); statuses and transport
errors become the retry classes of `evaluation.retries`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import urllib3

from evaluation.providers.base import ProbeRequest, Transcript, TranscriptMessage, conversation, token_count
from evaluation.retries import ModelTimeout, NetworkFailure, ServerFailure, for_status

PROVIDER = "openai"
_MAX_BODY_BYTES = 4 * 1024 * 1024


class OpenAiCompatible:
    def __init__(self, base_url: str, api_key: str | None, timeout_seconds: float) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._headers = {
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {api_key}"} if api_key else {}),
        }
        self._pool = urllib3.PoolManager(timeout=urllib3.Timeout(total=timeout_seconds), retries=False)

    def complete(self, request: ProbeRequest) -> Transcript:
        messages = conversation(request)
        body = {"model": request.model, "messages": [m.model_dump() for m in messages], "temperature": 0}
        what = f"{PROVIDER}/{request.model}"
        started = time.monotonic()
        try:
            response = self._pool.request("POST", self._url, body=json.dumps(body), headers=self._headers)
        except urllib3.exceptions.TimeoutError as error:
            raise ModelTimeout(f"{what}: {type(error).__name__}: {error}") from error
        except urllib3.exceptions.HTTPError as error:
            raise NetworkFailure(f"{what}: {type(error).__name__}: {error}") from error
        latency_ms = int((time.monotonic() - started) * 1000)
        failure = for_status(response.status, what, response.headers.get("Retry-After"), time.time())
        if failure is not None:
            raise failure
        answer, finish_reason, usage = _completion(response.data[:_MAX_BODY_BYTES], what)
        return Transcript(
            model=what,
            messages=[*messages, TranscriptMessage(role="assistant", content=answer)],
            latency_ms=latency_ms,
            prompt_tokens=int(usage.get("prompt_tokens") or sum(token_count(m.content) for m in messages)),
            completion_tokens=int(usage.get("completion_tokens") or token_count(answer)),
            finish_reason=finish_reason,
        )


def _completion(raw: bytes, what: str) -> tuple[str, str, dict[str, Any]]:
    try:
        body = json.loads(raw)
        choice = body["choices"][0]
        answer = choice["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ServerFailure(f"{what}: the answer is not a chat completion: {raw[:200]!r}") from error
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    return str(answer), str(choice.get("finish_reason") or "stop"), usage
