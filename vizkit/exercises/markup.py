"""The small Markdown subset the exercises are written in, rendered to HTML.

Questions, feedback and solutions use paragraphs, ``- `` lists, fenced code blocks, inline
code, ``**bold**``, ``*italic*`` and ``#`` headings; this renderer covers exactly that, so the
widget and the HTML export need no Markdown library and no JavaScript.
"""

from __future__ import annotations

import html
import re

__all__ = ["markdown_to_html"]

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])")


def _inline(text: str) -> str:
    """Escape, then render inline code (protected from the other rules), bold and italic."""
    pieces = _CODE.split(text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # inside backticks
            out.append(f"<code>{html.escape(piece)}</code>")
        else:
            piece = html.escape(piece)
            piece = _BOLD.sub(r"<strong>\1</strong>", piece)
            out.append(_ITALIC.sub(r"<em>\1</em>", piece))
    return "".join(out)


def markdown_to_html(text: str) -> str:
    """Render the exercises' Markdown subset to HTML.

    Args:
        text: Markdown: paragraphs (blank-line separated), ``- `` list items, fenced code
            blocks, inline code, ``**bold**``, ``*italic*``, ``#``–``###`` headings.

    Returns:
        An HTML fragment; everything not markup is escaped.

    >>> markdown_to_html("Use `a<b` and **bold**.")
    '<p>Use <code>a&lt;b</code> and <strong>bold</strong>.</p>'
    >>> markdown_to_html("- one\\n- two")
    '<ul><li>one</li><li>two</li></ul>'
    """
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    lines = text.splitlines()

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            blocks.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
        elif not stripped:
            flush()
        elif heading := re.match(r"(#{1,3})\s+(.*)", stripped):
            flush()
            level = len(heading.group(1)) + 1
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif stripped.startswith("- "):
            if paragraph:
                flush()
            items.append(stripped[2:])
        elif items and line.startswith("  "):
            items[-1] += " " + stripped  # a continued list item
        else:
            if items:
                flush()
            paragraph.append(stripped)
        index += 1
    flush()
    return "".join(blocks)
