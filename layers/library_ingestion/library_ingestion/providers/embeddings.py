"""Embeddings: text to the vectors of the index. The provider fixes the index's vector size
(`dimensions`, read without loading a model) and names itself (`name`), so the collection
made for one provider is never fed another's vectors.

- `WordLlamaEmbeddings`: offline. wordllama ships its 256-dimension weights and tokenizer
  inside the wheel; it is loaded with its own package folder as the cache and downloads
  disabled, so nothing is fetched at run time (and a missing file fails at once, by name).
  The model loads on first use (~0.25 s), so functions that never embed do not pay for it.
- `BedrockTitanEmbeddings`: Amazon Titan Text Embeddings V2 on Bedrock, at 256 dimensions
  (it offers 256, 512 and 1024), the hosted replacement on AWS.

Vectors are unit length: the collection uses cosine distance.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from conveyor.core.errors import PermanentError, TransientError


class EmbeddingProvider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector of `dimensions` floats per text, in order."""
        ...


class WordLlamaEmbeddings:
    def __init__(self, config: str = "l2_supercat", dimensions: int = 256) -> None:
        self._config = config
        self.dimensions = dimensions
        self.name = f"wordllama-{config}-{dimensions}"

    @cached_property
    def _model(self) -> Any:
        import wordllama  # numpy and tokenizers: imported by the functions that embed only
        from wordllama import WordLlama

        package = Path(wordllama.__file__).resolve().parent
        return WordLlama.load(self._config, cache_dir=package, dim=self.dimensions, disable_download=True)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.embed(list(texts), norm=True)
        return [[float(value) for value in vector] for vector in vectors]


class BedrockTitanEmbeddings:
    MODEL_ID = "amazon.titan-embed-text-v2:0"
    _TRANSIENT = {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "InternalServerException",
    }

    def __init__(self, bedrock_runtime: Any, dimensions: int = 256) -> None:
        if dimensions not in (256, 512, 1024):
            raise ValueError("Titan Text Embeddings V2 gives 256, 512 or 1024 dimensions")
        self._bedrock = bedrock_runtime
        self.dimensions = dimensions
        self.name = f"bedrock-titan-v2-{dimensions}"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> list[float]:
        body = json.dumps({"inputText": text, "dimensions": self.dimensions, "normalize": True})
        try:
            response = self._bedrock.invoke_model(modelId=self.MODEL_ID, body=body, contentType="application/json")
        except ClientError as error:
            code = error.response["Error"]["Code"]
            problem = TransientError if code in self._TRANSIENT else PermanentError
            raise problem(f"Bedrock {self.MODEL_ID}: {code}: {error}") from error
        except BotoCoreError as error:
            raise TransientError(f"Bedrock {self.MODEL_ID}: {error}") from error
        vector = [float(value) for value in json.loads(response["body"].read())["embedding"]]
        if len(vector) != self.dimensions:
            raise PermanentError(f"Bedrock answered {len(vector)} dimensions, not {self.dimensions}")
        return vector
