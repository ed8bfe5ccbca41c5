"""Corpus labels: sentences of any corpus the tool reads, labelled by their user.

A row names its document (`doc_id`, as `predict.py score` reports it), its outlet (`source`) and
its span (`start`:`end` into the text the tool extracted: for HTML, trafilatura's text, not the
markup), with the `text` and a stance, a frame or both (labels.CORPUS_COLUMNS). Rows come from a
corpus labels CSV (here) or an annotation tool's export (stanceframe.annotations). Given the corpus,
every text is checked against its document as seed labels are checked against their pages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .labels import CORPUS_COLUMNS, LabelError, _read_rows, _target_problems, csv_header

CSV_REQUIRED = ("doc_id", "start", "end", "text")


def read_corpus_labels(path: str | Path) -> list[tuple[str, dict]]:
    """(file:line, row) of a corpus labels CSV: the one reader of the format, for training, PPI,
    `suggest --exclude`, `label` and `test`. Header names and cells are stripped (the text is kept as
    it is, without the ' score's CSV puts before = + - @); every CORPUS_COLUMNS key is in each row (a
    missing stance, frame, source or note column reads as empty cells), and columns of the user's own
    are kept as they are. Line numbers are the CSV reader's, so a cell spanning lines does not shift
    them; a row with another number of fields than the header, start or end that are not whole
    numbers and a class that is not the codebook's are errors, all reported together."""
    path = Path(path)
    header = csv_header(path)
    if header and not {"stance", "frame"} & set(header):
        raise LabelError([f"{path}:1: a stance and/or a frame column is needed; columns: {','.join(header)}"])
    out, problems = [], []
    for line, row in _read_rows(path, CSV_REQUIRED, None):
        where = f"{path}:{line}"
        if "__error__" in row:
            problems.append(f"{where}: row {row['__error__']}")
            continue
        row = {c: "" for c in CORPUS_COLUMNS} | {k: v if k == "text" else v.strip() for k, v in row.items()}
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            problems.append(f"{where}: start and end must be whole numbers, got {row['start']!r}, {row['end']!r}")
        else:
            row["text"] = _plain_text(row["text"], start, end)
        problems += _target_problems(row, where)
        out.append((where, row))
    if problems:
        raise LabelError(problems)
    return out


def read_labels_file(path: str | Path):
    """(rows, imported) of a corpus labels CSV (imported None) or of an annotation tool's export
    (stanceframe.annotations; `imported.summary` says what it held): rows are (where, row) in the
    corpus labels format either way."""
    from . import annotations

    if annotations.sniff(path) == "csv":
        return read_corpus_labels(path), None
    imported = annotations.read(path)
    return imported.rows, imported


def _file_key(doc_id: str) -> str | None:
    """The real path a document id names if it is a file's path (a NUL is in no path: a repeated id)."""
    return os.path.realpath(doc_id) if doc_id and "\x00" not in doc_id else None


class DocIndex:
    """The documents of one reading of a corpus, found by a label's doc_id: the same id, or for a whole
    file another spelling of its path (./A/x.html, an absolute path), as the corpus may be given to
    `sources`, `train --corpus` or `label --corpus` otherwise than to `suggest` or `score`."""

    def __init__(self):
        self.by_id: dict[str, list] = {}
        self.by_file: dict[str, list] = {}

    def add(self, doc_id: str, value, whole_file: bool) -> None:
        self.by_id.setdefault(doc_id, []).append(value)
        key = _file_key(doc_id) if whole_file else None
        if key:
            self.by_file.setdefault(key, []).append(value)

    def get(self, doc_id: str) -> list:
        return self.by_id.get(doc_id) or self.by_file.get(_file_key(doc_id) or "", [])


def same_text(label_text: str, start: int, end: int, text: str) -> bool:
    """Whether a label's text is the document's `text` at start:end (exactly, but for score's ')."""
    return _plain_text(label_text, start, end) == text


@dataclass
class CorpusTexts:
    """The documents of a corpus that labels point into, as the tool extracted their text."""

    found: DocIndex  # a label's doc id -> [(origin, text)], more than one: a shared id
    n_documents: int
    examples: list[str]  # a few ids, for a message about an id that is not there
    failed: list[str]  # inputs that could not be read, one line each

    def get(self, doc_id: str):
        """The documents of `doc_id` (see DocIndex)."""
        return self.found.get(doc_id)


def corpus_texts(inputs, ids, columns=None) -> CorpusTexts:
    """Read the corpus as `predict.py score` does (HTML through trafilatura, corpus rows as they
    are, `columns` a readers.Columns) and keep the text of each document whose id is in `ids`."""
    from .readers import Columns, Document, InputFailure, iter_documents

    wanted = DocIndex()
    for i in ids:
        wanted.add(i, i, whole_file=True)
    out = CorpusTexts(DocIndex(), 0, [], [])
    for doc in iter_documents([str(p) for p in inputs], columns or Columns()):
        if isinstance(doc, Document):
            out.n_documents += 1
            if len(out.examples) < 3:
                out.examples.append(doc.id)
            whole_file = doc.id == doc.origin  # not a corpus row
            if wanted.get(doc.id) if whole_file else doc.id in wanted.by_id:
                out.found.add(doc.id, (doc.origin, doc.text), whole_file)
        elif isinstance(doc, InputFailure):
            out.failed.append(f"{doc.origin}: {' '.join(doc.message.split())}")
    return out


def _plain_text(text: str, start: int, end: int) -> str:
    """The text without the ' a CSV writer puts before a cell a spreadsheet would run as a formula
    (output.csv_safe), when start:end says that ' is the one character too many."""
    from .output import _FORMULA_START

    if len(text) == end - start + 1 and text[:1] == "'" and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def load_corpus_labels(rows: list[tuple[str, dict]], corpus: CorpusTexts | None, reserved: dict[str, str]):
    """Validate corpus label rows ((where, row) from read_corpus_labels or stanceframe.annotations)
    into one DataFrame (CORPUS_COLUMNS and where; extra columns are dropped). With `corpus`, each text must be its
    document's characters at start:end; `reserved` names (seed source ids, written voices, each with
    what it is) cannot be a corpus outlet, so no outlet silently joins another group.

    A row with neither a stance nor a frame is not labelled and left out: (DataFrame, how many)."""
    import pandas as pd

    out, problems, seen, outlet_of = [], [], {}, {}
    unlabelled = 0
    for where, row in rows:
        row = {c: (row.get(c) or "").strip() for c in CORPUS_COLUMNS if c != "text"} | {"text": row.get("text") or ""}
        if not (row["stance"] or row["frame"]):
            unlabelled += 1
            continue
        bad = _target_problems(row, where)
        doc, source = row["doc_id"], row["source"]
        if not doc:
            bad.append(f"{where}: empty doc_id; it names the document as `predict.py score` reports it")
        if not source:
            bad.append(f"{where}: empty source; name the outlet (folds hold out one outlet at a time)")
        elif source in reserved:
            bad.append(f"{where}: source {source!r} is also {reserved[source]}; a corpus outlet is a group of its "
                       f"own, so give it another name (e.g. {source + ' (corpus)'!r})")
        elif doc and outlet_of.setdefault(doc, (source, where))[0] != source:
            first, at = outlet_of[doc]
            bad.append(f"{where}: doc_id {doc!r} has source {source!r} here but {first!r} at {at}; a document is "
                       "one outlet's")
        if not row["text"].strip():
            bad.append(f"{where}: empty text")
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            bad.append(f"{where}: start and end must be whole numbers, got {row['start']!r}, {row['end']!r}")
            start = end = None
        if start is not None and (start < 0 or end < start):  # Python's negative slicing would find a text
            bad.append(f"{where}: start and end must satisfy 0 <= start <= end, got {start}, {end}")
            start = None
        if start is not None:
            row["text"] = _plain_text(row["text"], start, end)
            if (doc, start, end) in seen:
                bad.append(f"{where}: the same sentence ({doc}[{start}:{end}]) as {seen[doc, start, end]}")
            if corpus is not None and doc:
                bad += _offset_problems(where, row["text"], doc, start, end, corpus)
        if bad:
            problems.extend(bad)
            continue
        seen[doc, start, end] = where
        out.append({**row, "start": start, "end": end, "where": where})
    if problems:
        raise LabelError(problems)
    return pd.DataFrame(out, columns=[*CORPUS_COLUMNS, "where"]), unlabelled


def _offset_problems(where, text, doc, start, end, corpus: CorpusTexts) -> list[str]:
    found = corpus.get(doc)
    if not found:
        seen = ", ".join(map(repr, corpus.examples)) + (", ..." if corpus.n_documents > len(corpus.examples) else "")
        hint = (f"; {len(corpus.failed)} corpus input(s) could not be read, the first: {corpus.failed[0]}"
                if corpus.failed else "")
        return [f"{where}: doc_id {doc!r} is not in the corpus ({corpus.n_documents} documents: {seen or 'none'}); "
                f"doc_id is the id `predict.py score` reports for the same corpus path{hint}"]
    if len(found) > 1:
        return [f"{where}: doc_id {doc!r} names {len(found)} documents of the corpus ({found[0][0]}, {found[1][0]}); "
                "its offsets cannot be checked: give the documents distinct ids"]
    origin, page = found[0]
    if not same_text(text, start, end, page[start:end]):
        got = page[start:end]
        shown = (got[:60] + "...") if len(got) > 60 else got
        return [f"{where}: text does not match {origin}[{start}:{end}], which is {shown!r}; text must be the "
                "document's characters at start:end, as `predict.py score --format csv` prints them"]
    return []
