"""An HTML page's headline, date, author and url, from its metadata (<h1>, og:title, <title>,
article:published_time, JSON-LD, author meta), with the standard library's HTML parser."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser


_SPACE = re.compile(r"\s+")
_DATE_META = ("article:published_time", "og:article:published_time", "datepublished", "date", "pubdate",
              "publishdate", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created", "parsely-pub-date")
_AUTHOR_META = ("author", "article:author", "og:article:author", "dc.creator", "parsely-author", "byl")
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")


class _MetaParser(HTMLParser):
    """Collects <meta> contents, <title>, the first <h1>, the canonical link and JSON-LD blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.title: list[str] | None = None
        self.h1: list[str] | None = None
        self.ld: list[str] = []
        self.time_published = ""
        self._into: list[str] | None = None
        self._end = ""

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").strip().lower()
            if key and a.get("content", "").strip():
                self.meta.setdefault(key, a["content"].strip())
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.canonical = self.canonical or a.get("href", "").strip()
        elif tag == "time" and a.get("itemprop", "").lower() == "datepublished":
            self.time_published = self.time_published or a.get("datetime", "").strip()
        elif self._into is None:
            if tag == "title" and self.title is None:
                self.title = self._into = []
            elif tag == "h1" and self.h1 is None:
                self.h1 = self._into = []
            elif tag == "script" and "ld+json" in a.get("type", "").lower():
                self.ld.append("")
                self._into = self.ld
            else:
                return
            self._end = tag

    def handle_endtag(self, tag):
        if tag == self._end:
            self._into, self._end = None, ""

    def handle_data(self, data):
        if self._into is self.ld:
            self.ld[-1] += data
        elif self._into is not None:
            self._into.append(data)


def _ld_objects(value):
    """Every JSON object in a JSON-LD value, depth first (@graph lists included)."""
    if isinstance(value, list):
        for v in value:
            yield from _ld_objects(v)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity"):
            if key in value:
                yield from _ld_objects(value[key])


def _ld_names(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _ld_names(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(n for n in (_ld_names(v) for v in value) if n)
    return ""


def _first(values: list[str]) -> str:
    return next((v for v in values if v), "")


def _clean(text) -> str:
    return _SPACE.sub(" ", text).strip() if isinstance(text, str) else ""


def page_metadata(html: str) -> dict[str, str]:
    """title, date, author and url of an HTML page, from its markup; "" for what the page does not say.

    title: the first <h1>, else og:title, twitter:title, the JSON-LD headline, or <title> without
    the site name; date: article:published_time, JSON-LD datePublished and the like; author: author
    meta or JSON-LD author; url: the canonical link, og:url or the JSON-LD url.
    """
    return metadata(html)[0]


def metadata(html: str) -> tuple[dict[str, str], list[str]]:
    """page_metadata, and every title the page gives (any of them may open the extracted text)."""
    p = _MetaParser()
    p.feed(html)
    p.close()
    m = p.meta
    ld: dict[str, str] = {}
    for block in p.ld:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            for key in ("headline", "datePublished", "url"):
                if isinstance(obj.get(key), str) and key not in ld:
                    ld[key] = obj[key].strip()
            if "author" in obj and "author" not in ld:
                ld["author"] = _ld_names(obj["author"])
    site = _clean(m.get("og:site_name", ""))
    page_title = _clean("".join(p.title or []))
    if site and page_title != site and (page_title.startswith(site) or page_title.endswith(site)):
        rest = page_title[len(site):] if page_title.startswith(site) else page_title[: -len(site)]
        page_title = rest.strip(" |–—-:") or page_title  # "Baku weighs its words | Caspian Notes"
    elif _TITLE_SEPARATOR.search(page_title):
        head, _, tail = page_title.rpartition(_TITLE_SEPARATOR.findall(page_title)[-1])
        if len(tail.split()) <= 4 and len(head.split()) >= 3:
            page_title = head.strip()  # "Baku weighs its words | Caspian Notes"
    titles = [_clean("".join(p.h1 or [])), _clean(m.get("og:title")), _clean(m.get("twitter:title")),
              _clean(ld.get("headline")), page_title]
    authors = [_clean(m.get(k)) for k in _AUTHOR_META] + [_clean(ld.get("author"))]
    authors = [re.sub(r"^by\s+", "", a, flags=re.I) for a in authors if a and not a.startswith(("http:", "https:"))]
    dates = [_clean(m.get(k)) for k in _DATE_META[:2]] + [_clean(ld.get("datePublished")), _clean(p.time_published)]
    dates += [_clean(m.get(k)) for k in _DATE_META[2:]]
    urls = [_clean(p.canonical), _clean(m.get("og:url")), _clean(ld.get("url"))]
    meta = {"title": _first(titles), "date": _first(dates), "author": _first(authors), "url": _first(urls)}
    return meta, [t for t in titles if t]


def _same_text(a: str, b: str) -> bool:
    return _clean(a).casefold().rstrip(".!?:") == _clean(b).casefold().rstrip(".!?:")


def with_headline(body: str, title: str, titles: list[str]) -> tuple[str, int]:
    """The extracted text with the page's headline as its first line, and where that line ends.

    trafilatura often leaves the <h1> out (it sits above the article element): then the title is
    put first, so the headline is scored once and as a headline."""
    lead = len(body) - len(body.lstrip())
    first_end = body.find("\n", lead)
    first_end = len(body) if first_end < 0 else first_end
    if any(_same_text(body[lead:first_end], t) for t in titles):
        return body, first_end
    if not title:
        return body, 0
    return f"{title}\n\n{body}", len(title)


