"""Image generation: the `ImageGenerator` interface, and a local generator of real PNGs.

The local generator paints a deterministic pattern from the prompt's hash
(a diagonal gradient between two colours, with bands), so the same prompt
always gives the same image. An image-model client implements `generate`.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import Protocol


class ImageGenerator(Protocol):
    def generate(self, prompt: str, width: int, height: int) -> bytes:
        """PNG bytes."""
        ...


class PatternImageGenerator:
    def generate(self, prompt: str, width: int, height: int) -> bytes:
        digest = hashlib.sha256(prompt.encode()).digest()
        start, end, bands = digest[0:3], digest[3:6], 2 + digest[6] % 6
        rows = []
        for y in range(height):
            row = bytearray(b"\x00")  # filter type: none
            for x in range(width):
                t = (x + y) / (width + height - 2 or 1)
                shade = 0.85 if int(t * bands * 2) % 2 else 1.0
                row += bytes(int((a + (b - a) * t) * shade) for a, b in zip(start, end, strict=True))
            rows.append(bytes(row))
        return _png(width, height, b"".join(rows))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
