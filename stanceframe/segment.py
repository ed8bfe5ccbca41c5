"""From a page (a web-page text dump, plain text, Markdown or HTML) to article sentences.

Every sentence keeps its character offsets, so ``text == page[start:end]`` always holds: a label or
a score can be traced back to the exact place in the file it came from.

Two steps, both plain regular expressions and string tests (no model, no network):

1. blocks: the page is cut into lines; each line is classed as prose, a heading candidate or
   furniture (menus, share buttons, bylines, view counters, cookie text, copyright lines, Cyrillic
   interface strings, image slugs, teasers after a "You might also like" marker, repeated lines).
2. sentences: prose and kept headings are split at sentence ends, minding abbreviations, initials,
   dotted acronyms, decimals, quotes and brackets.

The splitter is regex based because scoring speed matters: bench/segment_speed.py measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BODY, HEADING, HEADLINE = "body", "heading", "headline"


@dataclass(frozen=True, slots=True)
class Sentence:
    source: str
    index: int
    start: int
    end: int
    text: str
    kind: str = BODY  # body, heading or headline


# --- step 1: blocks --------------------------------------------------------------------------

# Leading list or Markdown markers are not part of a sentence's text.
_MARKER = re.compile(r"[ \t]*(?:#{1,6}[ \t]+|>[ \t]*|[-*+•·▪◦–][ \t]+|\d{1,3}[.)][ \t]+)?")
_MD_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+")
_WORD = re.compile(r"\S+")
_TERMINAL = re.compile(r"[.!?:…][\"'”’»)\]]*$")

# Whole lines that end the article: everything after them is teasers, comments or page footer.
_END_MARKER = re.compile(
    r"(you might also like|related (articles|stories|posts|news|content)|read (also|more|next)"
    r"|more (from|stories|news)|new articles|latest (news|articles)|recommended( for you)?"
    r"|written by|share this( post| article| story)?|leave a (comment|reply)|comments?"
    r"|useful links|tags|popular( posts)?)\s*:?",
    re.IGNORECASE,
)

# Interface text. Applied only to short lines, so an article paragraph that mentions, say,
# social media is never dropped for it.
_FURNITURE = re.compile(
    r"privacy policy|terms (of|and) (use|service|conditions)|cookies?\b|sign (in|up)|log ?in\b"
    r"|password|subscribe|newsletter|follow (us|@)|share (it|this|on)|liked the story"
    r"|social media!|copy link|use of (the )?materials|hyperlink|all rights reserved|©|\(c\) \d{4}"
    r"|\bviews?:? *\d|\d+ *views\b|\bmin(ute)?s? read\b|^by [A-Z]\S*( [A-Z]\S*)*( published\b.*)?$"
    r"|did this article help|was this (article|page) helpful|click here|advertisement|^ads$"
    r"|https?://|www\.|\S+@\S+\.\w+|\s>\s|^(print|loading|search|menu|home)$",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"(\d{1,2}[ .](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*[ .,]+\d{4}"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2},? \d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})([ ,T]+\d{1,2}:\d{2}(:\d{2})?)?",
    re.IGNORECASE,
)
_IMAGE_SLUG = re.compile(r"(\b\d{1,4}\b\W*){3,}$|\b[a-z]?\d{6,}\b|\.(jpe?g|png|webp|gif)$", re.I)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")

MIN_PROSE_WORDS = 4  # "Lost your password?" and "Welcome back!" are shorter
LONG_LINE_WORDS = 20  # a line this long is a body sentence even without a final period
MAX_FURNITURE_WORDS = 25  # furniture patterns are checked only on lines up to this long
MAX_INTERFACE_WORDS = 6  # a non-Latin line this short is an interface string

_PROSE, _CANDIDATE, _FURNITURE_LINE, _END = range(4)


def _classify(line: str) -> int:
    words = _WORD.findall(line)
    n = len(words)
    if n <= MAX_FURNITURE_WORDS:
        if _END_MARKER.fullmatch(line):
            return _END
        if _FURNITURE.search(line) or _DATE.fullmatch(line) or _IMAGE_SLUG.search(line):
            return _FURNITURE_LINE
    if not any(c.islower() for c in line):
        return _FURNITURE_LINE  # "ANALYTICS", "A+", "WHAT ARE YOU LOOKING FOR ?", numbers
    if n <= MAX_INTERFACE_WORDS and len(_CYRILLIC.findall(line)) > len(_LATIN.findall(line)):
        # interface strings of a Russian-language site version ("Ссылка скопирована"); longer
        # Cyrillic text is kept, to be scored and flagged as not English rather than lost
        return _FURNITURE_LINE
    if _TERMINAL.search(line):
        return _PROSE if n >= MIN_PROSE_WORDS else _FURNITURE_LINE
    if n >= LONG_LINE_WORDS:
        return _PROSE
    first = line[0]
    lower_words = sum(1 for w in words[1:] if w[0].islower())
    if 2 <= n and (first.isupper() or first.isdigit() or first in "\"“‘«'") and (lower_words or n >= 4):
        return _CANDIDATE
    return _FURNITURE_LINE


def _lines(page: str):
    """Yield (start, end, is_markdown_heading) for each non-empty line, markers stripped."""
    pos = 0
    n = len(page)
    while pos < n:
        nl = page.find("\n", pos)
        if nl < 0:
            nl = n
        m = _MARKER.match(page, pos, nl)
        start = m.end() if m else pos
        end = nl
        while end > start and page[end - 1].isspace():
            end -= 1
        while start < end and page[start].isspace():
            start += 1
        if end > start:
            yield start, end, bool(_MD_HEADING.match(page, pos, nl))
        pos = nl + 1


def article_blocks(page: str) -> list[tuple[int, int, str]]:
    """The (start, end, kind) spans of the article's prose paragraphs and headings, in order."""
    classed = []
    seen: set[str] = set()
    for start, end, md_heading in _lines(page):
        line = page[start:end]
        cls = _classify(line)
        if cls == _END:
            break
        if md_heading and cls == _FURNITURE_LINE and any(c.islower() for c in line):
            cls = _CANDIDATE
        key = " ".join(line.split()).lower()
        if cls != _FURNITURE_LINE and key in seen:
            continue  # the same paragraph repeated (sticky headers, duplicated titles)
        seen.add(key)
        classed.append((start, end, cls))

    blocks = []
    seen_body = False
    for i, (start, end, cls) in enumerate(classed):
        if cls == _PROSE:
            blocks.append((start, end, BODY))
            seen_body = True
        elif cls == _CANDIDATE:
            # A heading is kept only when article prose follows it (furniture in between is
            # skipped): a line before a menu or at the page's foot is not a heading.
            nxt = next((c for _, _, c in classed[i + 1:] if c != _FURNITURE_LINE), None)
            if nxt == _PROSE:
                blocks.append((start, end, HEADING if seen_body else HEADLINE))
    return blocks


# --- step 2: sentences -----------------------------------------------------------------------

_CANDIDATE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt gen col lt maj sgt capt cmdr adm gov sen rep pres amb hon rev
    fr vs etc e.g i.e cf al approx ca no nos vol fig figs pp ed eds est dept univ assn inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# After a dotted acronym ("U.S.") a new sentence is assumed only before one of these words.
_SENTENCE_STARTERS = frozenset(
    "the this that these those it its he she they we i in on at as but and however a an there "
    "since after while when if for meanwhile moreover".split()
)
_OPENERS = "\"'“‘«([¿¡"
_LAST_TOKEN = re.compile(r"\S+$")  # \S also stops at no-break spaces ("the\xa0U.S.")


def _is_boundary(text: str, dot: int, after: int) -> bool:
    """Is the candidate ending whose punctuation starts at `dot` a sentence end?

    `after` is the index of the first non-space character that follows.
    """
    if after >= len(text):
        return True
    nxt = text[after]
    if nxt in _OPENERS and after + 1 < len(text):
        nxt = text[after + 1]
    if not (nxt.isupper() or nxt.isdigit()):
        return False  # "e.g. the", "approx. three": lower case goes on
    if text[dot] != "." or text.startswith("..", dot):
        return True
    m = _LAST_TOKEN.search(text, max(0, dot - 40), dot)
    token = m.group().lstrip(_OPENERS) if m else ""
    if not token:
        return True
    low = token.lower()
    if low in _ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "S. Lavrov"
    if "." in token and all(len(p) <= 2 for p in token.split(".")):  # U.S, U.K, e.g
        word_end = after
        while word_end < len(text) and text[word_end].isalpha():
            word_end += 1
        return text[after:word_end].lower() in _SENTENCE_STARTERS
    return True


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split one paragraph into sentence spans (start, end), shifted by `offset`."""
    spans = []
    start = 0
    n = len(text)
    while start < n and text[start].isspace():
        start += 1
    for m in _CANDIDATE_END.finditer(text):
        end = m.end()
        after = end
        while after < n and text[after].isspace():
            after += 1
        if end <= start or not _is_boundary(text, m.start(), after):
            continue
        spans.append((start + offset, end + offset))
        start = after
    end = n
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start + offset, end + offset))
    return spans


def page_sentences(page: str, source: str = "") -> list[Sentence]:
    """The article sentences of a page, web-page furniture dropped, offsets into `page`."""
    out: list[Sentence] = []
    for b_start, b_end, kind in article_blocks(page):
        for s, e in split_sentences(page[b_start:b_end], b_start):
            out.append(Sentence(source, len(out), s, e, page[s:e], kind))
    return out
