"""Which provider runs a model id: `<provider>/<model name>`.

local/<name>     always available (providers.local)
openai/<model>   when EVALUATION_OPENAI_BASE_URL is set (providers.openai)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from evaluation.payloads import MODEL_ID_PATTERN
from evaluation.providers.base import ModelProvider
from evaluation.providers.local import PROVIDER as LOCAL
from evaluation.providers.local import LocalModel
from evaluation.providers.openai import PROVIDER as OPENAI
from evaluation.providers.openai import OpenAiCompatible
from evaluation.retries import RequestInvalid


class UnknownModel(RequestInvalid):
    """No provider here runs the model: not retryable (the configuration must change)."""


class ModelCatalog:
    def __init__(self, providers: Mapping[str, ModelProvider]) -> None:
        self._providers = dict(providers)

    @property
    def provider_names(self) -> list[str]:
        return sorted(self._providers)

    def problem(self, model_id: str) -> str | None:
        """Why `model_id` cannot be probed, or None when it can."""
        if not re.match(MODEL_ID_PATTERN, model_id):
            return f"{model_id!r} is not <provider>/<model> (a lowercase provider, a model name without spaces)"
        provider, _, _ = model_id.partition("/")
        if provider not in self._providers:
            return f"no provider {provider!r} here (available: {', '.join(self.provider_names)})"
        return None

    def provider_of(self, model_id: str) -> tuple[ModelProvider, str]:
        """The provider of `model_id` and the model's name there."""
        problem = self.problem(model_id)
        if problem:
            raise UnknownModel(problem)
        provider, _, name = model_id.partition("/")
        return self._providers[provider], name


def model_catalog(
    openai_base_url: str | None,
    openai_api_key: str | None = None,
    timeout_seconds: float = 30,
    local_latency_ms: int = 0,
) -> ModelCatalog:
    """The local models, and the OpenAI-compatible API when it has a URL."""
    providers: dict[str, ModelProvider] = {LOCAL: LocalModel(local_latency_ms)}
    if openai_base_url:
        providers[OPENAI] = OpenAiCompatible(openai_base_url, openai_api_key, timeout_seconds)
    return ModelCatalog(providers)
