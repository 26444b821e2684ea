"""The readable text of an HTML page: title and body text without navigation, scripts or chrome."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup

_NOT_CONTENT = ["script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "iframe"]
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ReadableText:
    title: str
    text: str


def readable_text(html: str | bytes) -> ReadableText:
    soup = BeautifulSoup(html, "html.parser")
    title = _title(soup)
    for tag in soup(_NOT_CONTENT):
        tag.decompose()
    # The page's main content when it marks it; else the whole body.
    root = soup.find("article") or soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup
    lines = (_SPACES.sub(" ", line).strip() for line in root.get_text("\n").splitlines())
    text = _BLANK_LINES.sub("\n\n", "\n".join(line for line in lines if line))
    return ReadableText(title=title, text=text.strip())


def _title(soup: BeautifulSoup) -> str:
    og = soup.find("meta", attrs={"property": "og:title"})
    if og and og.get("content"):
        return str(og["content"]).strip()
    if soup.title and soup.title.string:
        return soup.title.string.strip()
    heading = soup.find("h1")
    return heading.get_text(" ", strip=True) if heading else ""
