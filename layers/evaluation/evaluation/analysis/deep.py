"""analyze:deep: overlap with the expected answer and the prompt, diversity, repetition,
hedging and readability."""

from __future__ import annotations

from typing import Any

from evaluation.analysis.text import contains_phrase, sentence_count, syllables, tokens
from evaluation.scenarios import Expectation

HEDGES = ("i think", "it seems", "probably", "perhaps", "maybe", "as far as i know", "it may be", "might")


def analyze_deep(answer: str, prompt: str, expected: Expectation | None) -> dict[str, Any]:
    words = tokens(answer)
    sentences = max(1, sentence_count(answer))
    prompt_words = {w for w in tokens(prompt) if len(w) > 3}
    overlap = len(prompt_words & set(words)) / len(prompt_words) if prompt_words else 0.0
    diversity = len(set(words)) / len(words) if words else 0.0
    bigrams = list(zip(words, words[1:], strict=False))
    repetition = 1 - len(set(bigrams)) / len(bigrams) if bigrams else 0.0
    hedges = sum(1 for hedge in HEDGES if contains_phrase(words, hedge))
    metrics: dict[str, float] = {
        "promptOverlap": round(overlap, 4),
        "lexicalDiversity": round(diversity, 4),
        "repetition": round(repetition, 4),
        "hedgesPerSentence": round(hedges / sentences, 4),
        "readingEase": round(reading_ease(words, sentences), 2),
    }
    quality = [overlap, diversity, 1 - repetition, max(0.0, 1 - hedges / sentences)]
    if expected and expected.answer:
        metrics["rougeL"] = round(rouge_l(words, tokens(expected.answer)), 4)
        quality.append(metrics["rougeL"])
    return {"score": round(sum(quality) / len(quality), 4), "metrics": metrics}


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    """F1 of the longest common subsequence of tokens (ROUGE-L)."""
    if not candidate or not reference:
        return 0.0
    previous = [0] * (len(reference) + 1)
    for token in candidate:
        current = [0]
        for j, ref in enumerate(reference, start=1):
            current.append(previous[j - 1] + 1 if token == ref else max(previous[j], current[j - 1]))
        previous = current
    common = previous[-1]
    if common == 0:
        return 0.0
    precision, recall = common / len(candidate), common / len(reference)
    return 2 * precision * recall / (precision + recall)


def reading_ease(words: list[str], sentences: int) -> float:
    """Flesch reading ease: higher is easier (60-70 is plain English)."""
    if not words:
        return 0.0
    syllable_count = sum(syllables(word) for word in words)
    return 206.835 - 1.015 * len(words) / sentences - 84.6 * syllable_count / len(words)
