"""Texts staff write in Markdown (a training's description, programme and objectives),
rendered for a public page.

Staff learn it in a minute: an empty line between paragraphs, "## " before a heading, "- "
before each item of a list, **bold**, [a link](https://…). Two layers keep the page safe:
markdown-it renders with raw HTML turned off (a "<script>" typed in stays text), then nh3
lets through only the tags below, with links to http(s) and mailto only.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a"}
TAGS |= {"blockquote", "code", "hr"}
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _shift_headings(state) -> None:
    """The text's highest heading ("#" or "##", whichever staff used) becomes the page's
    level ``top`` (the page has its own <h1> and section headings), the others follow: the
    outline stays in order for screen readers."""
    headings = [token for token in state.tokens if token.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = state.env.get("top", 2) - min(int(token.tag[1]) for token in headings)
    for token in headings:
        token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def _parser() -> MarkdownIt:
    # "breaks": a single line break stays one; staff type a line per item without knowing
    # Markdown's rule. No images: a picture from another host would be a request to it.
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")
    parser.core.ruler.push("shift_headings", _shift_headings)
    return parser


PARSER = _parser()


@lru_cache(maxsize=256)
def render(text: str, top: int = 2) -> Markup:
    """``text`` as safe HTML, its first heading level being <h``top``>."""
    if not text or not text.strip():
        return Markup("")
    html = PARSER.render(text, {"top": top})
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES)
    return Markup(cleaned.strip())  # noqa: S704 -- the allow-list's output, nothing else
