"""Render the pages' maths as MathML when the site is built.

pymdownx.arithmatex (generic mode) marks each $...$ and $$...$$ outside code as
<span class="arithmatex">\\(...\\)</span> or <div class="arithmatex">\\[...\\]</div>;
this hook turns the LaTeX inside into MathML with latex2mathml. Browsers draw MathML
natively, so the site needs no MathJax and no network, offline included.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

MARKED = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\\(?P<open>[(\[])(?P<tex>.*?)\\[)\]]</(?P=tag)>',
    re.S,
)


def on_page_content(page_html: str, **_: object) -> str:
    return MARKED.sub(_mathml, page_html)


def _mathml(match: re.Match[str]) -> str:
    tex = html.unescape(match.group("tex")).strip()
    display = "block" if match.group("open") == "[" else "inline"
    return convert(tex, display=display)
