"""Text as the analyses read it: lowercase word tokens, sentences, syllables."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def sentence_count(text: str) -> int:
    stripped = text.strip()
    if not stripped:
        return 0
    ends = len(_SENTENCE_END.findall(stripped))
    return ends + (0 if re.search(r"[.!?]\s*$", stripped) else 1)


def syllables(word: str) -> int:
    groups = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and groups > 1 and not word.endswith("le"):
        groups -= 1
    return max(1, groups)


def contains_phrase(text_tokens: list[str], phrase: str) -> bool:
    """Whether the tokens of `phrase` occur, in order and adjacent, in `text_tokens`."""
    wanted = tokens(phrase)
    if not wanted:
        return False
    size = len(wanted)
    return any(text_tokens[i : i + size] == wanted for i in range(len(text_tokens) - size + 1))
