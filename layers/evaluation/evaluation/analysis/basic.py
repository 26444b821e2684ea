"""analyze:basic: counts, expected keywords found, and whether the model declined."""

from __future__ import annotations

import re
from typing import Any

from evaluation.analysis.text import contains_phrase, sentence_count, tokens
from evaluation.scenarios import Expectation

_REFUSAL = re.compile(
    r"\b(i\s*(?:'m|am)\s+sorry|i\s+can(?:'|no)t\s+(?:help|assist|do)|i\s+(?:won't|will not)|as an ai)\b", re.IGNORECASE
)


def analyze_basic(answer: str, expected: Expectation | None) -> dict[str, Any]:
    words = tokens(answer)
    refused = bool(_REFUSAL.search(answer))
    keywords = expected.keywords if expected else []
    found = sum(1 for keyword in keywords if contains_phrase(words, keyword))
    coverage = found / len(keywords) if keywords else (1.0 if words else 0.0)
    metrics = {
        "words": len(words),
        "sentences": sentence_count(answer),
        "keywordCoverage": round(coverage, 4),
        "keywordsFound": found,
        "refused": int(refused),
    }
    return {"score": 0.0 if refused else round(coverage, 4), "metrics": metrics}
