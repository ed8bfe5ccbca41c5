"""From a page (a web-page text dump, plain text, Markdown or HTML) to article sentences.

The furniture rules and the splitter are in one file on purpose: which line is furniture and where a
sentence ends are two halves of one decision (a teaser cut-off needs to know a body sentence was
seen), and the rule table reads top to bottom.

Every sentence keeps its character offsets, so ``text == page[start:end]`` always holds: a label or
a score can be traced back to the exact place in the file it came from.

Two steps, both plain regular expressions and string tests (no model, no network):

1. lines: the page is cut into lines; each line is classed as prose, a heading candidate or
   furniture (menus, share buttons, bylines, captions, appeals, view counters, cookie text,
   copyright lines, Cyrillic interface strings, image slugs, teasers after a "You might also like"
   marker once the article has begun, repeated lines). :func:`segment_lines` says for every line
   whether it was kept (and as what) or dropped (and by which rule): nothing is lost unaccounted.
   Text that is already an article (a corpus row) is segmented with ``furniture=False``: every
   line is kept.
2. sentences: prose and kept headings are split at sentence ends, minding abbreviations, initials,
   dotted acronyms, decimals, quotes (also the ”…” and »…« of Nordic outlets) and brackets.

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


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a page (``page[start:end]``, list markers and outer spaces left out) and its fate.

    Kept lines have a `kind` (headline, heading or body) and no `rule`; dropped lines have the
    `rule` that dropped them and no kind. A line whose first sentence repeats the headline comes
    as two entries: that sentence (dropped, ``repeated_headline``) and the rest (kept).
    """

    start: int
    end: int
    number: int  # 1-based line number in the page
    kind: str = ""
    rule: str = ""


# --- step 1: lines ---------------------------------------------------------------------------

# Leading list or Markdown markers are not part of a sentence's text.
_MARKER = re.compile(r"[ \t]*(?:#{1,6}[ \t]+|>[ \t]*|[-*+•·▪◦–][ \t]+|\d{1,3}[.)][ \t]+)?")
_MD_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+")
_WORD = re.compile(r"\S+")
_CLOSERS = "\"'”’»«›‹)\\]"  # what may follow a sentence's final punctuation (a regex class body)
_TERMINAL = re.compile(rf"[.!?:…][{_CLOSERS}]*$")

# Whole lines that end the article: everything after them is teasers, comments or page footer.
# Only once article prose has been seen: above the body the same words are a widget ("Read more"
# beside the byline), and ending there would lose the whole article.
_END_MARKER = re.compile(
    r"(you might also like|related (articles|stories|posts|news|content)|read (also|more|next)"
    r"|more (from|stories|news)|new articles|latest (news|articles)|recommended( for you)?"
    r"|written by|share this( post| article| story)?|leave a (comment|reply)|comments?"
    r"|useful links|tags|popular( posts)?)\s*:?",
    re.IGNORECASE,
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_DATE_TEXT = (
    rf"(?:\d{{1,2}}[ .]{_MONTH}\w*[ .,]+\d{{4}}|{_MONTH}\w* \d{{1,2}},? \d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:[ ,T]+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE = re.compile(_DATE_TEXT, re.IGNORECASE)

# A byline's names: capitalised words, name particles, "and" between authors. Case-sensitive
# (inside (?-i:...)): "By Nargiz Mammadli" is a byline, "By cutting gas deliveries" is not.
_CAP = r"[A-Z][\w'’.-]*"
_NAME_RUN = rf"{_CAP}(?: (?:{_CAP}|de|da|del|van|von|der|al|el|bin|ibn|la|le|du)){{0,5}}"
_NAMES = rf"{_NAME_RUN}(?:(?:,| and| &) {_NAME_RUN})*"
_BYLINE_TAIL = rf"(?:[ ,|•·–—-]+(?:(?i:published|updated|posted)\b.*|(?i:{_DATE_TEXT})(?:[ ,|•·–—-].*)?))?"

# Interface text, one named group per rule (the name is what `predict.py segment` reports).
# Checked only on lines of up to MAX_FURNITURE_WORDS words, and anchored or specific enough that an
# article sentence which mentions, say, signing up to sanctions, subscribing to a statement or a
# privacy policy is never dropped for it.
_FURNITURE = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in (
            ("legal", r"^(?:privacy policy|terms (?:of|and) (?:use|service|conditions)|cookies?(?: policy)?)$"
                      r"|\b(?:agree|consent) to (?:our |the )?(?:privacy policy|terms of|use of cookies)"
                      r"|\b(?:(?:site|website) uses|we use|accept(?: all)?|reject(?: all)?|manage) cookies\b"
                      r"|\bcookies? (?:policy|settings|preferences|consent)\b"),
            ("sign_in", r"^(?:sign|log) ?(?:in|up|out)\b|\b(?:sign|log) ?in to (?:your|my) account\b"
                        r"|\b(?:lost|forgot(?:ten)?) your password\b|^(?:password|username|remember me)$"),
            ("subscribe", r"^subscribe\b|\bsubscribe to (?:our|the) (?:\w+ )?(?:newsletters?|channel|podcast"
                          r"|mailing list|updates)\b|^(?:get |sign up for )?(?:our |the )?(?:daily |weekly )?"
                          r"newsletter\b"),
            ("social", r"^follow (?:us|@)|\bfollow us on\b|^share (?:it|this|on)\b|liked the story"
                       r"|\bshare (?:it |this )?on (?:facebook|twitter|x|whatsapp|telegram|linkedin|social media)\b"
                       r"|\bsocial media!|^copy link$|^join (?:us|our \w+(?: channel)?) on\b|\bour telegram channel\b"),
            ("reuse_notice", r"\b(?:use|reproduction|copying) of (?:the )?(?:site'?s? )?materials\b"
                             r".*\b(?:allowed|permitted|prohibited|only)\b|\bhyperlink (?:to|is (?:required|mandatory))\b"),
            ("copyright", r"all rights reserved|©|\(c\) \d{4}"),
            ("counter", r"^views?:? *\d[\d,. ]*[km]?$|\b\d[\d,.]*[km]? views?$|\b\d+ ?min(?:ute)?s? read\b"),
            ("byline", rf"(?-i:^By {_NAMES}{_BYLINE_TAIL}$"
                       rf"|^(?:Authors?|Written by|Reported by|Edited by|Text by|Words by):? {_NAMES}{_BYLINE_TAIL}$"
                       rf"|^{_NAMES}[ ,|•·–—-]+(?i:{_DATE_TEXT})$)"),  # "Nargiz Mammadli, July 5, 2022"
            ("caption", r"(?:^|[.;|(–—]\s*|\s[-/]\s*)(?:photos?|images?|pictures?|illustrations?|photo credit"
                        r"|credits?)(?: by\b|:|\s*©|\s*/)\s*\S+(?: \S+){0,8}$"
                        r"|^(?:illustrative|file|archive|stock) (?:photo|image|picture)\b"
                        r"|^(?:afp|ap|reuters|epa(?:-efe)?|tass|getty images|sputnik|anadolu agency|shutterstock)"
                        r"(?:\s*[/|,]\s*[\w .'-]{1,40})?$"),
            ("source_credit", r"^(?:sources?|via|based on materials? (?:from|of))\s*:\s*\S+(?: \S+){0,3}$"),
            ("appeal", r"^(?:please )?(?:support|donate to|back) (?:us|our (?:work|journalism|newsroom|reporting)"
                       r"|independent (?:journalism|media|reporting)|(?-i:(?:[Tt]he )" + _NAME_RUN + r")"
                       r"|(?-i:" + _NAME_RUN + r")(?=!))!?$"
                       r"|\bbecome an? (?:member|patron|supporter|paid subscriber)\b|^donate(?: now| today)?!?$"
                       r"|\bdonate now\b|\bmake a (?:donation|contribution)\b|\bwe need your (?:help|support)\b"),
            ("feedback", r"did this article help|was this (?:article|page) helpful"),
            ("click_here", r"\bclick here\b"),
            ("advertisement", r"^(?:advertisement|ads?|sponsored(?: content)?)$|^advertisement\b"),
            ("url", r"^(?:[\w .-]{0,30}:\s*)?(?:https?://|www\.)\S+$"),
            ("email", r"^(?:[^@\s]+\s){0,3}\S+@\S+\.\w+$"),
            ("breadcrumb", r"\s[>›]\s.*\s[>›]\s|^home\s*[>›/»]\s"),
            ("menu", r"^(?:print|loading|search|menu|home)$"),
        )
    ),
    re.IGNORECASE,
)
# Image file names and slugs ("Aliyev putin 2019 12 17 19", "e1752407152990", "photo.jpg"); only on
# lines without a sentence's final punctuation, so "Officials counted 250000 people." stays.
_IMAGE_SLUG = re.compile(r"(\b\d{1,4}\b\W*){3,}$|\b[a-z]\d{6,}\b|\b\d{7,}\b|\.(jpe?g|png|webp|gif)$", re.I)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_HEADING_OPENERS = "\"“‘«'”»„’‚›‹"

MIN_PROSE_WORDS = 4  # "Lost your password?" and "Welcome back!" are shorter
LONG_LINE_WORDS = 20  # a line this long is a body sentence even without a final period
MAX_FURNITURE_WORDS = 25  # furniture patterns are checked only on lines up to this long
MAX_INTERFACE_WORDS = 6  # a non-Latin line this short is an interface string

_PROSE, _CANDIDATE, _FURNITURE_LINE, _END, _GIVEN_HEADLINE = range(5)


def _shape(line: str, words: list[str]) -> tuple[int, str]:
    """Prose, a heading candidate, or a fragment (with its rule), by the line's shape alone."""
    n = len(words)
    if _TERMINAL.search(line):
        return (_PROSE, "") if n >= MIN_PROSE_WORDS else (_FURNITURE_LINE, "short_line")
    if n >= LONG_LINE_WORDS:
        return _PROSE, ""
    first = line[0]
    lower_words = sum(1 for w in words[1:] if w[0].islower())
    if 2 <= n and (first.isupper() or first.isdigit() or first in _HEADING_OPENERS) and (lower_words or n >= 4):
        return _CANDIDATE, ""
    return _FURNITURE_LINE, "fragment"


def _classify(line: str) -> tuple[int, str]:
    """The line's class and, for furniture, the name of the rule that says so."""
    words = _WORD.findall(line)
    n = len(words)
    if n <= MAX_FURNITURE_WORDS:
        if _END_MARKER.fullmatch(line):
            return _END, "end_marker"
        m = _FURNITURE.search(line)
        if m:
            return _FURNITURE_LINE, m.lastgroup
        if _DATE.fullmatch(line):
            return _FURNITURE_LINE, "date"
        if _IMAGE_SLUG.search(line) and not _TERMINAL.search(line):
            return _FURNITURE_LINE, "image_slug"
    if not any(c.islower() for c in line):
        return _FURNITURE_LINE, "no_lowercase"  # "ANALYTICS", "A+", "WHAT ARE YOU LOOKING FOR ?", numbers
    if n <= MAX_INTERFACE_WORDS and len(_CYRILLIC.findall(line)) > len(_LATIN.findall(line)):
        # interface strings of a Russian-language site version ("Ссылка скопирована"); longer
        # Cyrillic text is kept, to be scored and flagged as not English rather than lost
        return _FURNITURE_LINE, "interface_string"
    return _shape(line, words)


# Markup that is not text: console/BBCode link and style tags ("[link=https://...]", "[/link]", "[/]",
# "[b]") and terminal escape sequences (OSC 8 hyperlinks, window titles, CSI colours). A line is
# classed by what is left without them, so a sentence wrapped in a link is not taken for a fragment
# or a URL; its text and offsets keep them (``text == page[start:end]``).
_MARKUP = re.compile(
    r"\[(?:link|url)=[^\]\s]*\]|\[/(?:link|url)?\]|\[/?(?:b|i|u|bold|italic|underline)\]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL or ST
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]",  # CSI, other two-byte escapes
    re.IGNORECASE,
)


def _unmarked(line: str) -> str:
    """`line` without link/style markup and escape sequences, outer spaces stripped."""
    if "[" not in line and "\x1b" not in line and "\x9b" not in line and "\x9d" not in line:
        return line
    return " ".join(_MARKUP.sub(" ", line).split())


def _all_capitals(page: str) -> bool:
    """A page written in capitals throughout (a wire-service or telex style): no line has lower case
    letters, so "no lower case" cannot tell furniture from prose there."""
    upper = lower = 0
    for c in page:
        if c.isalpha():
            if c.islower():
                lower += 1
                if lower > upper // 50 + 2:  # a stray "iPhone" at the start aside
                    return False
            elif c.isupper():
                upper += 1
    return upper >= 20 and lower <= upper // 50


def _sentence_case(line: str) -> str:
    """An all-capitals line as it would be written in sentence case, for classing it only."""
    return line[:1] + line[1:].lower()


def _lines(page: str):
    """Yield (start, end, line number, is_markdown_heading) for each non-empty line, markers stripped."""
    pos = 0
    number = 0
    n = len(page)
    while pos < n:
        number += 1
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
            yield start, end, number, bool(_MD_HEADING.match(page, pos, nl))
        pos = nl + 1


_KEY_END = ".!?…:;," + _CLOSERS.replace("\\", "")


def _key(text: str) -> str:
    """What two lines share when one repeats the other: case, spacing and final punctuation aside."""
    return " ".join(text.split()).lower().rstrip(_KEY_END)


def segment_lines(page: str, furniture: bool = True, headline_end: int = 0) -> list[Line]:
    """Every non-empty line of `page`, in order, kept (with its kind) or dropped (with the rule).

    `furniture=False` keeps every line (text that is already an article, such as a corpus row):
    lines shaped like headings become headline/heading, all others body. Lines that start before
    `headline_end` are the headline whatever their shape (the HTML reader puts the page's headline
    there).
    """
    classed = []  # (start, end, number, class, rule)
    seen: set[str] = set()
    seen_prose = ended = False
    capitals = _all_capitals(page)
    for start, end, number, md_heading in _lines(page):
        if start < headline_end:
            classed.append((start, end, number, _GIVEN_HEADLINE, ""))
            seen.add(_key(page[start:end]))
            continue
        line = _unmarked(page[start:end])  # classed without markup; offsets keep it
        if not line:
            classed.append((start, end, number, _FURNITURE_LINE, "markup_only"))
            continue
        if capitals:
            line = _sentence_case(line)
        if not furniture:
            cls, _ = _shape(line, _WORD.findall(line))
            classed.append((start, end, number, _CANDIDATE if cls == _CANDIDATE else _PROSE, ""))
            continue
        if ended:
            classed.append((start, end, number, _FURNITURE_LINE, "after_end_marker"))
            continue
        cls, rule = _classify(line)
        if cls == _END:
            if seen_prose:
                ended = True
            else:
                rule = "end_marker_before_body"
            cls = _FURNITURE_LINE
        elif md_heading and cls == _FURNITURE_LINE and any(c.islower() for c in line):
            cls, rule = _CANDIDATE, ""
        key = _key(line)
        if cls != _FURNITURE_LINE and key in seen:
            cls, rule = _FURNITURE_LINE, "repeated"  # sticky headers, duplicated titles
        seen.add(key)
        if cls == _PROSE:
            seen_prose = True
        classed.append((start, end, number, cls, rule))

    # A heading is kept only when article prose follows it (furniture in between is skipped): a
    # line before a menu or at the page's foot is not a heading. Scanned backwards, once.
    prose_next = [False] * len(classed)
    upcoming = False
    for i in range(len(classed) - 1, -1, -1):
        prose_next[i] = upcoming
        cls = classed[i][3]
        if cls != _FURNITURE_LINE:
            upcoming = cls == _PROSE

    out: list[Line] = []
    seen_body = False
    headlines: set[str] = set()
    for i, (start, end, number, cls, rule) in enumerate(classed):
        if cls == _PROSE:
            if headlines and not seen_body and furniture:
                # the first paragraph opening with the headline again: score the headline once
                spans = split_sentences(page[start:end], start)
                if len(spans) > 1 and _key(page[spans[0][0]:spans[0][1]]) in headlines:
                    out.append(Line(start, spans[0][1], number, "", "repeated_headline"))
                    start = spans[1][0]
            out.append(Line(start, end, number, BODY))
            seen_body = True
        elif cls == _GIVEN_HEADLINE or (cls == _CANDIDATE and (prose_next[i] or not furniture)):
            kind = HEADING if seen_body else HEADLINE
            if kind == HEADLINE:
                headlines.add(_key(page[start:end]))
            out.append(Line(start, end, number, kind))
        elif cls == _CANDIDATE:
            out.append(Line(start, end, number, "", "heading_without_prose"))
        else:
            out.append(Line(start, end, number, "", rule))
    return out


def article_blocks(page: str) -> list[tuple[int, int, str]]:
    """The (start, end, kind) spans of the article's prose paragraphs and headings, in order."""
    return [(ln.start, ln.end, ln.kind) for ln in segment_lines(page) if ln.kind]


# --- step 2: sentences -----------------------------------------------------------------------

_CANDIDATE_END = re.compile(rf"[.!?…]+[{_CLOSERS}]*(?=\s)")
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
_OPENERS = "\"'“‘«”»„’‚›‹([¿¡"  # ”…” and »…« open quotes in Nordic outlets
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


def segment_page(page: str, source: str = "", furniture: bool = True,
                 headline_end: int = 0) -> tuple[list[Sentence], list[Line]]:
    """The article sentences of a page (offsets into `page`) and what happened to each of its lines.

    See :func:`segment_lines` for `furniture` and `headline_end`."""
    lines = segment_lines(page, furniture, headline_end)
    spans = _spans(page, lines)
    return [Sentence(source, i, s, e, page[s:e], kind) for i, (s, e, kind) in enumerate(spans)], lines


def sentence_spans(page: str, furniture: bool = True, headline_end: int = 0) -> tuple[list[tuple[int, int, str]], int]:
    """The (start, end, kind) of each article sentence of a page, and how many lines were dropped as
    furniture: segment_page without an object per sentence, for scoring."""
    lines = segment_lines(page, furniture, headline_end)
    return _spans(page, lines), sum(1 for ln in lines if not ln.kind)


def _spans(page: str, lines: list[Line]) -> list[tuple[int, int, str]]:
    return [(s, e, ln.kind) for ln in lines if ln.kind for s, e in split_sentences(page[ln.start:ln.end], ln.start)]


def page_sentences(page: str, source: str = "", furniture: bool = True, headline_end: int = 0) -> list[Sentence]:
    """The article sentences of a page, web-page furniture dropped, offsets into `page`."""
    return segment_page(page, source, furniture, headline_end)[0]


LINE_FIELDS = ["doc_id", "line", "start", "end", "status", "kind", "rule", "n_sentences", "text"]


def line_records(page: str, doc_id: str = "", furniture: bool = True, headline_end: int = 0) -> list[dict]:
    """One record per line of `page` (fields LINE_FIELDS): kept with its kind and sentence count,
    or dropped with the rule that dropped it."""
    return [
        {"doc_id": doc_id, "line": ln.number, "start": ln.start, "end": ln.end,
         "status": "kept" if ln.kind else "dropped", "kind": ln.kind, "rule": ln.rule,
         "n_sentences": len(split_sentences(page[ln.start:ln.end])) if ln.kind else 0,
         "text": page[ln.start:ln.end]}
        for ln in segment_lines(page, furniture, headline_end)
    ]
