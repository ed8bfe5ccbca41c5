"""From the inputs named on the command line to documents to score.

An input is a text, Markdown or HTML file, ``-`` for standard input, a corpus (CSV, JSON Lines or
Parquet with one article per row) or a folder of any of these. :func:`iter_documents` yields a
:class:`Document` per article and an :class:`InputFailure` per input (or corpus row) that cannot be
read, so one bad file never stops a batch: the caller writes what it could and lists the rest.

A corpus row is article text, not a page dump: its Document has ``furniture=False``, so the
segmenter keeps every line (a row that is one headline is a headline, not a stray menu line),
unless the caller asks for the page-furniture rules on rows too (``furniture=True``). An HTML
page's title, date, author and url come from its metadata (``<h1>``, ``og:title``, ``<title>``,
``article:published_time``, JSON-LD, author meta), and its headline is the first line of the text.

Corpora are streamed row by row (a corpus can be far larger than memory is happy with).
trafilatura, charset_normalizer and pyarrow are imported only when an input needs them: CLI
start-up time matters more than anything they would save.

`scan_folder`, `read_path`, `read_jsonl`, `row_document`, `missing_text_column` and `MARK_ERRORS` are
public for `engine_dask`, whose workers read one part of an input (a row group, a stretch of lines)
with them, so its documents are the ones read here.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from typing import BinaryIO, Iterator

TEXT_FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
CORPUS_EXTENSIONS = (".csv", ".jsonl", ".ndjson", ".parquet")
ACCEPTED = ".txt .md .html .htm .csv .jsonl .parquet or a folder of them"

SNIFF_BYTES = 1 << 20  # encoding detection and the emptiness test look at this much of a file
STDIN_LIMIT_MB = 100  # standard input (and a pipe or device named as an input) is read up to this much
BINARY_PROBE = 8192

# Checked before decoding: a PDF or a .docx named by mistake should get a clear message, not a
# page of mojibake scored as an article.
_MAGIC = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP (or .docx, .xlsx, .odt)"),
    (b"\x1f\x8b", "a gzip"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office (.doc, .xls)"),
    (b"PAR1", "a Parquet"),
)
# UTF-16 and UTF-32 text is full of NUL bytes; with a BOM it is text all the same.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# charset_normalizer ranks e.g. cp1250 first for French or Spanish text that cp1252 decodes with
# the same (zero) chaos; among equally clean candidates the common Windows code pages of Western
# and Cyrillic news sites are the better guess.
_PREFERRED_ENCODINGS = ("cp1252", "cp1251")


@dataclass(slots=True)
class Document:
    id: str
    text: str
    fmt: str  # "text", "markdown" or "html"
    origin: str  # "path" or "path:line", for messages
    source: str = ""  # outlet
    title: str = ""
    date: str = ""
    url: str = ""
    encoding: str = "utf-8"
    author: str = ""
    furniture: bool = True  # drop web-page furniture (False: the text is already the article)
    headline_end: int = 0  # text[:headline_end] is the page's headline (HTML), 0: none given
    replaced: int = 0  # bytes that were not valid UTF-8 in an almost all UTF-8 text, decoded as U+FFFD


@dataclass(slots=True)
class InputFailure:
    origin: str
    message: str


@dataclass(slots=True)
class InputWarning:
    """Something skipped that is not a failure (a FIFO or device inside a folder)."""

    origin: str
    message: str


@dataclass(frozen=True, slots=True)
class Columns:
    """Corpus column names (frozen: the default instance is shared by every call)."""

    text: str = "text"
    id: str = "id"
    source: str = "source"
    title: str = "title"
    date: str = "date"
    url: str = "url"
    author: str = "author"


def iter_documents(
    inputs: list[str], columns: Columns = Columns(), stdin: BinaryIO | None = None, furniture: bool | None = None,
    stdin_limit_mb: float = STDIN_LIMIT_MB,
) -> Iterator[Document | InputFailure | InputWarning]:
    """Yield a Document per article and an InputFailure per input or row that cannot be read (and
    an InputWarning per file skipped in a folder: FIFOs, devices and sockets are not read there).

    `furniture`: drop web-page furniture when segmenting. None (the default): in files and standard
    input, not in corpus rows (already article text); True: in rows too; False: nowhere."""
    for doc in _documents(inputs, columns, stdin, int(stdin_limit_mb * (1 << 20))):
        if isinstance(doc, Document):
            apply_furniture(doc, furniture)
        yield doc


def apply_furniture(doc: Document, furniture: bool | None) -> None:
    """Set whether `doc` is segmented with the furniture rules (see `iter_documents`)."""
    doc.furniture = (furniture is not False) if doc.furniture else (furniture is True)  # rows come with False


def _documents(inputs, columns, stdin, limit: int):
    for arg in inputs:
        if arg == "-":
            yield _read_stdin(stdin, limit)
        elif os.path.isdir(arg):
            files, skipped = scan_folder(arg)
            for rel in skipped:
                yield InputWarning(os.path.join(arg, rel), "not a regular file (a FIFO, device or socket); skipped")
            if not files:
                message = f"no files to score in the folder (hidden ones are skipped); accepted: {ACCEPTED}"
                yield InputFailure(arg, message)
            for rel in files:
                parts = rel.split(os.sep)
                outlet = parts[0] if len(parts) > 1 else ""
                yield from read_path(os.path.join(arg, rel), columns, outlet)
        elif os.path.exists(arg):
            yield from read_path(arg, columns, "", limit)
        else:
            yield InputFailure(arg, f"no such file or folder; accepted: {ACCEPTED}")


LARGE_INPUT_BYTES = 4 << 20  # files (a Parquet corpus: its rows' text) from this size on are a large input


def large_input(inputs: list[str], threshold: int = LARGE_INPUT_BYTES) -> bool:
    """True when the named files and folders hold `threshold` bytes or more (a folder is walked only
    until then), or any Parquet file (compressed: its size says little): worth starting scoring
    workers before reading. Standard input is not counted (its size is unknown until read)."""
    total = 0
    for arg in inputs:
        if arg == "-":
            continue
        if os.path.isdir(arg):
            for dirpath, _, filenames in os.walk(arg):
                for name in filenames:
                    if name.lower().endswith(".parquet"):
                        return True
                    try:
                        total += os.stat(os.path.join(dirpath, name)).st_size
                    except OSError:
                        pass
                    if total >= threshold:
                        return True
        elif os.path.isfile(arg):
            if arg.lower().endswith(".parquet"):
                return True
            total += os.path.getsize(arg)
        if total >= threshold:
            return True
    return False


def scan_folder(folder: str) -> tuple[list[str], list[str]]:
    """Paths of the scorable files below `folder`, relative to it, in path order; and of the
    entries with a scorable name that are not regular files (a FIFO would block the run forever)."""
    wanted = (*TEXT_FORMATS, *CORPUS_EXTENSIONS)
    found, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(wanted):
                path = os.path.join(dirpath, name)
                regular = os.path.isfile(path)  # follows links; False for FIFOs, devices, sockets
                (found if regular else skipped).append(os.path.relpath(path, folder))
    order = lambda p: p.split(os.sep)  # noqa: E731
    return sorted(found, key=order), sorted(skipped, key=order)


def _read_bounded(f: BinaryIO, limit: int, head: bytes = b"") -> bytes | None:
    """All of `f` after `head`, or None once more than `limit` bytes in all have come."""
    chunks, total = [head], len(head)
    while total <= limit:
        block = f.read(1 << 20)
        if not block:
            return b"".join(chunks)
        chunks.append(block)
        total += len(block)
    return None


def _too_much(origin: str, limit: int) -> InputFailure:
    return InputFailure(origin, f"more than {limit / (1 << 20):g} MB; only files are read whole: save it to a "
                                "file, or raise the bound with --max-stdin-mb")


def read_path(path: str, columns: Columns, outlet: str,
               limit: int | None = None) -> Iterator[Document | InputFailure]:
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".parquet":
            yield from _read_parquet(path, columns, outlet)
            return
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
            complete = len(head) < SNIFF_BYTES
            if complete and not head.strip():
                yield InputFailure(path, "file is empty")
                return
            problem = _binary_kind(head)
            if problem:
                yield InputFailure(path, problem)
                return
            if ext in CORPUS_EXTENSIONS:
                encoding = _detect_encoding(head, complete)
                if encoding is None:
                    yield InputFailure(path, "cannot decode the text: not UTF-8 and no encoding detected")
                    return
                f.seek(0)
                # The encoding is a guess from the file's start: bytes further on that do not
                # decode are marked, so only the rows holding them fail (with their line) instead
                # of the rest of the file. newline="" keeps quoted newlines in CSV fields.
                stream = io.TextIOWrapper(f, encoding=encoding, errors=MARK_ERRORS, newline="")
                reader = _read_csv if ext == ".csv" else read_jsonl
                yield from reader(stream, path, columns, outlet, _encoding_name(encoding))
            else:
                if complete or os.path.isfile(path):
                    data = head if complete else head + f.read()
                else:  # a pipe or device named as an input: bounded as standard input is
                    data = _read_bounded(f, limit or STDIN_LIMIT_MB << 20, head)
                    if data is None:
                        yield _too_much(path, limit or STDIN_LIMIT_MB << 20)
                        return
                yield _text_document(data, path, path, TEXT_FORMATS.get(ext, "text"), outlet)
    except OSError as e:
        yield InputFailure(path, f"cannot read the file: {e.strerror or e}")


def _read_stdin(stdin: BinaryIO | None, limit: int = STDIN_LIMIT_MB << 20) -> Document | InputFailure:
    if stdin is None:
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:
            return InputFailure("<stdin>", "no standard input to read")
    head = stdin.read(BINARY_PROBE)  # /dev/zero or a binary stream fails here, before it fills memory
    problem = _binary_kind(head) if head.strip() else None
    if problem:
        return InputFailure("<stdin>", problem)
    data = _read_bounded(stdin, limit, head)
    if data is None:
        return _too_much("<stdin>", limit)
    if not data.strip():
        return InputFailure("<stdin>", "standard input is empty")
    problem = _binary_kind(data[:BINARY_PROBE])
    if problem:
        return InputFailure("<stdin>", problem)
    return _text_document(data, "-", "<stdin>", None, "")


def _text_document(data: bytes, id_: str, origin: str, fmt: str | None, outlet: str):
    """One document from a whole file; fmt None: HTML if it starts with a tag, else text."""
    decoded = _decode(data)
    if decoded is None:
        return InputFailure(origin, "cannot decode the text: not UTF-8 and no encoding detected")
    text, encoding, replaced = decoded
    if not text.strip():
        return InputFailure(origin, "file is empty")
    if fmt is None:
        fmt = "html" if text.lstrip().startswith("<") else "text"
    if fmt != "html":
        return Document(id=id_, text=text, fmt=fmt, origin=origin, source=outlet, encoding=encoding, replaced=replaced)
    import trafilatura  # about 0.2 s to import: only when an HTML page is read

    from .pagemeta import metadata, with_headline

    try:
        meta, titles = metadata(text)
        body = trafilatura.extract(text, include_comments=False) or ""
    except Exception as e:  # a parser bug on one odd page must not end the whole batch
        return InputFailure(origin, f"cannot parse the HTML page: {e}")
    if not body.strip():
        return InputFailure(origin, "no article text found in the HTML page")
    body, headline_end = with_headline(body, meta["title"], titles)
    return Document(id=id_, text=body, fmt=fmt, origin=origin, source=outlet, title=meta["title"], date=meta["date"],
                    url=meta["url"], encoding=encoding, author=meta["author"], headline_end=headline_end,
                    replaced=replaced)


# --- bytes to text ------------------------------------------------------------------------------


def _binary_kind(head: bytes) -> str | None:
    """Why `head` is not the start of a text file, or None when it may well be one."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return f"looks like {kind} file, not text; accepted: {ACCEPTED}"
    if b"\x00" in head[:BINARY_PROBE] and not head.startswith(_WIDE_BOMS):
        return f"looks like a binary file, not text; accepted: {ACCEPTED}"
    return None


def _detect_encoding(sample: bytes, complete: bool) -> str | None:
    """The codec to decode a file that starts with `sample`: UTF-8 if it can be, else a guess."""
    try:
        # not final unless complete: the sample may end in the middle of a UTF-8 sequence
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=complete)
        return "utf-8-sig"  # decodes plain UTF-8 too, and drops a BOM
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(sample):
        return "utf-8-sig"
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    clean = [m for m in matches if m.chaos <= best.chaos]
    for preferred in _PREFERRED_ENCODINGS:
        if any(preferred in m.could_be_from_charset for m in clean):
            return preferred
    return best.encoding


_ESCAPED = re.compile("[\udc80-\udcff]")  # surrogateescape's mark for each byte that did not decode
_MULTIBYTE = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")  # characters of two or more UTF-8 bytes


def _mostly_utf8(data: bytes) -> bool:
    """Almost all valid UTF-8: stray bytes that do not decode are fewer than the characters outside
    ASCII that do, and at most 1 in 100 bytes. One 0xFF in a UTF-8 article is a stray byte, not a
    sign of mac-iceland; a cp1252 text has almost no valid multi-byte sequences."""
    text = data.decode("utf-8", "surrogateescape")
    bad = len(_ESCAPED.findall(text))
    return 0 < bad <= len(_MULTIBYTE.findall(text)) and bad <= len(data) // 100


def _decode(data: bytes) -> tuple[str, str, int] | None:
    """(text, encoding, bytes replaced): UTF-8 when the data are, or are almost all (the few bytes that
    are not become U+FFFD, counted), else the encoding detected."""
    try:
        return data.decode("utf-8-sig"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        text = data.decode("utf-8", "surrogateescape")
        text, replaced = _ESCAPED.subn("\ufffd", text)
        return text.removeprefix("\ufeff"), "utf-8", replaced
    encoding = _detect_encoding(data[:SNIFF_BYTES], len(data) <= SNIFF_BYTES)
    if encoding is None:
        return None
    try:
        return data.decode(encoding), _encoding_name(encoding), 0
    except UnicodeDecodeError:
        return None  # the guess from the first megabyte does not hold for the rest


def _encoding_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "utf-8" if name == "utf-8-sig" else name


# --- corpora ------------------------------------------------------------------------------------


def missing_text_column(path: str, columns: Columns, found) -> InputFailure:
    listed = ", ".join(str(c) for c in found) or "none"
    return InputFailure(
        path,
        f"no '{columns.text}' column; columns found: {listed}; name the text column with --text-column",
    )


def _value(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return v if isinstance(v, str) else str(v)


def _kind(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    return f"a {type(v).__name__}"


def row_document(
    path: str, line: int, columns: Columns, text, id_, source, title, date, url, author, outlet: str, encoding: str
) -> Document | InputFailure:
    origin = f"{path}:{line}"
    if text.__class__ is not str:
        if text is None or (isinstance(text, float) and math.isnan(text)):
            text = ""  # kept: the scorer reports it as an article without sentences
        else:
            return InputFailure(origin, f"the '{columns.text}' value is {_kind(text)}, not a string")
    # this runs once per corpus row: strings, the usual case, skip the call to _value
    id_, source, title, date, url, author = [
        v if v.__class__ is str else _value(v) for v in (id_, source, title, date, url, author)
    ]
    # furniture False: article text, not a page dump (iter_documents may ask for the rules anyway)
    return Document(id_ or origin, text, "text", origin, source or outlet, title, date, url, encoding, author, False)


# A lone surrogate never comes out of a successful decode, and `in` finds one character much
# faster than a regular expression finds any of a range (surrogateescape's marks).
_UNDECODED = "\udc00"
MARK_ERRORS = "stanceframe-mark-undecodable"
codecs.register_error(MARK_ERRORS, lambda err: (_UNDECODED, err.end))


def _undecodable(origin: str, encoding: str) -> InputFailure:
    return InputFailure(
        origin,
        f"cannot decode the text as {encoding} (the encoding found at the file's start); "
        "save the file as UTF-8",
    )


def _read_csv(stream, path: str, columns: Columns, outlet: str, encoding: str):
    csv.field_size_limit(2**31 - 1)  # the default 128 KB is less than some long articles
    reader = csv.reader(stream)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as e:
        yield InputFailure(f"{path}:1", f"cannot read the CSV header: {e}")
        return
    if columns.text not in header:
        yield missing_text_column(path, columns, header)
        return
    width = len(header)
    at = {name: header.index(name) for name in header}  # first of duplicate names wins
    ti = at[columns.text]
    c = columns
    ii, si, hi, di, ui, ai = (at.get(name) for name in (c.id, c.source, c.title, c.date, c.url, c.author))
    rows = 0
    last = reader.line_num
    while True:
        start = last + 1  # a quoted field can span lines: report where the row starts
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            last = reader.line_num
            yield InputFailure(f"{path}:{start}", f"broken CSV row: {e}")
            continue
        last = reader.line_num
        if not row:
            continue  # blank line
        rows += 1
        if _UNDECODED in "".join(row):
            yield _undecodable(f"{path}:{start}", encoding)
            continue
        if len(row) != width:
            yield InputFailure(
                f"{path}:{start}",
                f"row has {len(row)} fields but the header has {width}; "
                "a value with a comma in it must be in double quotes",
            )
            continue
        yield row_document(
            path, start, columns, row[ti],
            row[ii] if ii is not None else None,
            row[si] if si is not None else None,
            row[hi] if hi is not None else None,
            row[di] if di is not None else None,
            row[ui] if ui is not None else None,
            row[ai] if ai is not None else None,
            outlet, encoding,
        )  # fmt: skip
    if not rows:
        yield InputFailure(path, "the CSV file has a header but no rows")


def read_jsonl(stream, path: str, columns: Columns, outlet: str, encoding: str):
    c = columns
    seen_object = False
    rows = 0
    for line, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        rows += 1
        if _UNDECODED in raw:
            yield _undecodable(f"{path}:{line}", encoding)
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as e:
            yield InputFailure(f"{path}:{line}", f"not valid JSON: {e.msg} (column {e.colno})")
            continue
        if not isinstance(rec, dict):
            yield InputFailure(f"{path}:{line}", f"expected one JSON object per line, got {_kind(rec)}")
            continue
        # JSON Lines has no header: the first object stands for it, so a corpus with a
        # differently named text column fails once instead of giving only empty articles.
        if not seen_object:
            seen_object = True
            if c.text not in rec:
                yield missing_text_column(path, c, rec)
                return
        g = rec.get
        yield row_document(
            path, line, c, g(c.text), g(c.id), g(c.source), g(c.title), g(c.date), g(c.url), g(c.author), outlet,
            encoding,
        )
    if not rows:
        yield InputFailure(path, "file is empty")


def _one_line(exc) -> str:
    """Arrow's messages can span lines ("...invalid TType\nDeserializing page header failed."): one."""
    return "; ".join(part.strip().rstrip(".") for part in str(exc).splitlines() if part.strip())


PARQUET_BATCH_ROWS = 1024  # rows decoded at a time
PARQUET_BUFFER_BYTES = 1 << 20  # column chunks are read through a buffer this size, page by page


def _read_parquet(path: str, columns: Columns, outlet: str):
    """Rows in flat memory: only the columns a Document takes, read page by page through a bounded
    buffer (not a whole row group, which pandas and pyarrow write a million rows long by default),
    decoded PARQUET_BATCH_ROWS at a time, on this thread, with Arrow memory from malloc (Arrow's
    default pool keeps freed memory, so its peak would grow with the row group)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if os.path.getsize(path) == 0:
        yield InputFailure(path, "file is empty")
        return
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    try:
        pf = pq.ParquetFile(path, buffer_size=PARQUET_BUFFER_BYTES, pre_buffer=False)
    except (pa.ArrowException, ValueError) as e:
        yield InputFailure(path, f"not a readable Parquet file ({_one_line(e)}); accepted: {ACCEPTED}")
        return
    schema = pf.schema_arrow
    if columns.text not in schema.names:
        pf.close()
        yield missing_text_column(path, columns, schema.names)
        return
    text_type = schema.field(columns.text).type
    if pa.types.is_dictionary(text_type):
        text_type = text_type.value_type
    # checked once here: a numeric column would otherwise fail on every one of its rows
    if str(text_type) not in ("string", "large_string", "string_view", "null"):
        pf.close()
        message = f"the '{columns.text}' column holds {text_type} values, not strings"
        yield InputFailure(path, f"{message}; name the text column with --text-column")
        return
    wanted = [columns.text, columns.id, columns.source, columns.title, columns.date, columns.url, columns.author]
    present = list(dict.fromkeys(name for name in wanted if name in schema.names))
    row = 0
    with pf:
        try:
            for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=present, use_threads=False):
                data = {name: batch.column(name).to_pylist() for name in present}
                absent = [None] * batch.num_rows
                for values in zip(*(data.get(name, absent) for name in wanted)):
                    row += 1
                    yield row_document(path, row, columns, *values, outlet, "utf-8")
        except (pa.ArrowException, ValueError, OSError) as e:
            yield InputFailure(f"{path}:{row + 1}", f"cannot read the Parquet file from this row on: {_one_line(e)}")
            return
    if not row:
        yield InputFailure(path, "the Parquet file has no rows")


class DuplicateIds:
    """Documents sharing an id, as they stream past: a warning for each (where it is, which id, where
    that id came first; at most `shown`, then a count), or a refusal (BadInput) with `refuse`."""

    def __init__(self, refuse: bool = False, shown: int = 20):
        self.refuse, self.shown = refuse, shown
        self.first_at: dict[str, str] = {}
        self.count = 0

    def check(self, doc: Document) -> str | None:
        """A warning when `doc`'s id was seen before (raises BadInput instead with `refuse`), else None."""
        first = self.first_at.get(doc.id)
        if first is None:
            self.first_at[doc.id] = doc.origin
            return None
        if self.refuse:
            from .errors import BadInput

            raise BadInput(f"{doc.origin}: id {doc.id!r} is also the id of {first}; ids must be unique "
                           "(--duplicate-ids apart keeps such documents as separate articles)")
        self.count += 1
        if self.count > self.shown:
            return None
        return (f"{doc.origin}: id {doc.id!r} is also the id of {first}; written as a separate record "
                "(--duplicate-ids refuse to stop instead)")

    def summary(self) -> str | None:
        """The count of documents past the warnings shown, if any."""
        if self.count <= self.shown:
            return None
        return f"... and {self.count - self.shown} more documents whose id an earlier one has"
