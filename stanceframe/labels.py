"""The label schema and the loader that validates labelled sentence files.

Loading is validation: a labels file is used only when every row is well formed, every label is
one of the codebook's and every text is exactly the seed's characters at ``start:end``. All
problems are collected and reported together, each with its file and line.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadInput

STANCES = ("pro_ukraine", "russia_accommodating", "balancing", "none")
FRAMES = (
    "economic",
    "capacity_resources",
    "morality",
    "fairness_equality",
    "legality",
    "policy_prescription",
    "crime_punishment",
    "security_defense",
    "health_safety",
    "quality_of_life",
    "cultural_identity",
    "public_opinion",
    "political",
    "external_regulation",
    "other",
)
TARGETS = {"stance": STANCES, "frame": FRAMES}
LABEL_COLUMNS = ("sentence_id", "source", "start", "end", "text", "stance", "frame", "note")
# labels of a corpus the tool reads: doc_id as `predict.py score` reports it, source the outlet,
# start:end into the document's text as the tool extracted it (for HTML, trafilatura's text)
CORPUS_COLUMNS = ("doc_id", "source", "start", "end", "text", "stance", "frame", "note")
# written by `predict.py suggest` and the annotation tools' tasks beside the labels; read and ignored
CORPUS_EXTRAS = ("title", "date", "sample", "suggested_stance", "suggested_frame", "sentence_id")
CORPUS_PREFIXES = ("p_stance_", "p_frame_")
SOURCE_COLUMNS = ("source", "file", "outlet", "title", "kind", "published", "author", "url")
SOURCE_KINDS = ("news", "opinion", "analysis", "explainer", "interview")
# labels/written.csv: sentences the team invented for training (see labels/README.md), no offsets
WRITTEN_COLUMNS = ("sentence_id", "voice", "register", "year", "text", "stance", "frame", "note")
REGISTERS = ("news", "analysis", "opinion", "interview", "headline")
WRITTEN_YEARS = range(2020, 2027)
MAX_REPORTED = 20  # more problems than this are counted, not listed


class LabelError(BadInput):
    """One or more problems in labels or sources files; each is 'file:line: what is wrong'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more problems" if more else "")
        super().__init__(text)


@dataclass(frozen=True)
class Source:
    source: str
    file: Path
    outlet: str
    title: str
    kind: str
    published: str
    author: str
    url: str

    @property
    def name(self) -> str:
        """What to call the source in tables: its outlet, else its id."""
        return self.outlet or self.source


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_rows(path: Path, required: tuple[str, ...], allowed: tuple[str, ...], prefixes: tuple[str, ...] = ()):
    """Yield (line, row dict) from a CSV file after checking its header (a column is one of `allowed`
    or starts with one of `prefixes`); raise LabelError early."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelError([f"{path}: no such file"]) from None
    except OSError as exc:
        raise LabelError([f"{path}: cannot be read ({exc.strerror})"]) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise LabelError([f"{path}:1: file is empty; expected a header row: {','.join(required)}"])
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            unknown = [c for c in header if c not in allowed and not c.startswith(prefixes)]
            problems = []
            if missing:
                problems.append(f"{path}:1: missing column(s) {', '.join(missing)}; expected: {','.join(allowed)}")
            if unknown:
                problems.append(f"{path}:1: unknown column(s) {', '.join(unknown)}; accepted: {','.join(allowed)}"
                                + "".join(f",{p}<class>" for p in prefixes))
            if problems:
                raise LabelError(problems)
            line = reader.line_num + 1
            for fields in reader:
                if fields and any(f.strip() for f in fields):
                    if len(fields) != len(header):
                        yield line, {"__error__": f"has {len(fields)} fields, the header has {len(header)}"}
                    else:
                        yield line, dict(zip(header, fields))
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise LabelError([f"{path}: not UTF-8 text; save the file as UTF-8 CSV"]) from None
        except csv.Error as exc:
            raise LabelError([f"{path}:{reader.line_num}: broken CSV ({exc})"]) from None


def _rows(paths, columns: tuple[str, ...], problems: list[str]):
    """(file:line, row) of every well-formed row of the files; a row of the wrong length is a problem.
    The last of `columns` (note) may be missing from a file."""
    for path in map(Path, paths):
        for line, row in _read_rows(path, columns[:-1], columns):
            where = f"{path}:{line}"
            if "__error__" in row:
                problems.append(f"{where}: row {row['__error__']}")
                continue
            yield where, row


def load_sources(path: str | Path) -> dict[str, Source]:
    """Read sources.csv; `file` is resolved relative to the folder of sources.csv."""
    path = Path(path)
    sources: dict[str, Source] = {}
    problems = []
    for line, row in _read_rows(path, ("source", "file"), SOURCE_COLUMNS):
        where = f"{path}:{line}"
        if "__error__" in row:
            problems.append(f"{where}: row {row['__error__']}")
            continue
        sid = row["source"].strip()
        if not sid:
            problems.append(f"{where}: empty source id")
            continue
        if sid in sources:
            problems.append(f"{where}: duplicate source {sid!r}")
            continue
        kind = row.get("kind", "").strip()
        if kind and kind not in SOURCE_KINDS:
            problems.append(f"{where}: unknown kind {kind!r}; accepted: {', '.join(SOURCE_KINDS)} or empty")
        file = Path(row["file"].strip())
        file = file if file.is_absolute() else path.parent / file
        if not file.is_file():
            problems.append(f"{where}: file {row['file']!r} of source {sid!r} not found")
        fields = {c: row.get(c, "").strip() for c in SOURCE_COLUMNS if c not in ("source", "file")}
        sources[sid] = Source(source=sid, file=file, **fields)
    if problems:
        raise LabelError(problems)
    if not sources:
        raise LabelError([f"{path}: no sources listed"])
    return sources


def load_labels(paths, sources: dict[str, Source]):
    """Read and validate labels files into one DataFrame (columns LABEL_COLUMNS)."""
    import pandas as pd

    rows, problems, seen = [], [], {}
    pages: dict[str, str] = {}
    unlabelled = 0
    for where, row in _rows(paths, LABEL_COLUMNS, problems):
        if not (row["stance"].strip() or row["frame"].strip()):
            unlabelled += 1  # an empty cell is "not labelled for that target"; both empty: not labelled
            continue
        bad = _check_row(row, where, sources, pages, seen)
        if bad:
            problems.extend(bad)
            continue
        row = {**row, **{c: row[c].strip() for c in ("sentence_id", "source", "stance", "frame")}}
        seen[row["sentence_id"]] = where
        rows.append({**row, "start": int(row["start"]), "end": int(row["end"]), "note": row.get("note", "")})
    if problems:
        raise LabelError(problems)
    if not rows:
        raise LabelError([f"{', '.join(map(str, paths))}: no labelled sentences"])
    df = pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
    df.attrs["unlabelled"] = unlabelled
    return df


def _check_row(row, where, sources, pages, seen) -> list[str]:
    out = []
    sid = row["sentence_id"].strip()
    if not sid:
        out.append(f"{where}: empty sentence_id")
    elif sid in seen:
        out.append(f"{where}: duplicate sentence_id {sid!r} (first at {seen[sid]})")
    out += _target_problems(row, where)
    text = row["text"]
    if not text.strip():
        out.append(f"{where}: empty text")
    source = row["source"].strip()
    if source not in sources:
        out.append(f"{where}: source {source!r} is not in sources.csv (known: {', '.join(sorted(sources))})")
        return out
    try:
        start, end = int(row["start"]), int(row["end"])
    except ValueError:
        out.append(f"{where}: start and end must be whole numbers, got {row['start']!r}, {row['end']!r}")
        return out
    if start < 0 or end < start:  # Python's negative slicing would find the text all the same
        out.append(f"{where}: start and end must satisfy 0 <= start <= end, got {start}, {end}")
        return out
    if source not in pages:
        try:
            pages[source] = sources[source].file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            out.append(f"{where}: cannot read the page of source {source!r} ({exc})")
            return out
    page = pages[source]
    if text and page[start:end] != text:
        found = page[start:end]
        shown = (found[:60] + "...") if len(found) > 60 else found
        out.append(
            f"{where}: text does not match {sources[source].file.name}[{start}:{end}], which is {shown!r}; "
            "text must be the page's characters at start:end"
        )
    return out


def _target_problems(row: dict, where: str) -> list[str]:
    return [f"{where}: unknown {t} {row[t].strip()!r}; accepted: {', '.join(allowed)} or empty (not labelled)"
            for t, allowed in TARGETS.items() if row[t].strip() and row[t].strip() not in allowed]


def csv_header(path: str | Path) -> list[str]:
    """The column names of a CSV file (empty for an empty file)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return [h.strip() for h in next(csv.reader(fh), [])]
    except FileNotFoundError:
        raise LabelError([f"{path}: no such file"]) from None
    except OSError as exc:
        raise LabelError([f"{path}: cannot be read ({exc.strerror})"]) from None
    except (UnicodeDecodeError, csv.Error):
        raise LabelError([f"{path}: not a UTF-8 CSV file; save the file as UTF-8 CSV"]) from None


def read_corpus_labels(path: str | Path) -> list[tuple[str, dict]]:
    """(file:line, row) of a corpus labels CSV (CORPUS_COLUMNS; stance or frame may be left out,
    CORPUS_EXTRAS and p_stance_*/p_frame_* are accepted and ignored)."""
    path = Path(path)
    header = csv_header(path)
    if header and not {"stance", "frame"} & set(header):
        raise LabelError([f"{path}:1: a stance and/or a frame column is needed; columns: {','.join(header)}"])
    out, problems = [], []
    required = tuple(c for c in CORPUS_COLUMNS if c not in ("stance", "frame", "note"))
    columns = (*CORPUS_COLUMNS, *CORPUS_EXTRAS)
    for line, row in _read_rows(path, required, columns, CORPUS_PREFIXES):
        if "__error__" in row:
            problems.append(f"{path}:{line}: row {row['__error__']}")
        else:
            out.append((f"{path}:{line}", {c: row.get(c, "") for c in columns}))
    if problems:
        raise LabelError(problems)
    return out


@dataclass
class CorpusTexts:
    """The documents of a corpus that labels point into, as the tool extracted their text."""

    found: dict[str, list[tuple[str, str]]]  # doc id -> [(origin, text)], more than one: a shared id
    n_documents: int
    examples: list[str]  # a few ids, for a message about an id that is not there
    failed: list[str]  # inputs that could not be read, one line each
    files: dict[str, str] = field(default_factory=dict)  # a whole file's real path -> its doc id

    def get(self, doc_id: str):
        """The documents of `doc_id`; a file's also by another spelling of its path (./pages/a.html,
        an absolute path), as --corpus may be given otherwise than to `score`."""
        return self.found.get(doc_id) or self.found.get(self.files.get(os.path.realpath(doc_id), ""))


def corpus_texts(inputs, ids, columns=None) -> CorpusTexts:
    """Read the corpus as `predict.py score` does (HTML through trafilatura, corpus rows as they
    are, `columns` a readers.Columns) and keep the text of each document whose id is in `ids`."""
    from .readers import Columns, Document, InputFailure, iter_documents

    wanted = set(ids)
    paths = {os.path.realpath(i) for i in wanted}
    out = CorpusTexts({}, 0, [], [])
    for doc in iter_documents([str(p) for p in inputs], columns or Columns()):
        if isinstance(doc, Document):
            out.n_documents += 1
            if len(out.examples) < 3:
                out.examples.append(doc.id)
            real = os.path.realpath(doc.id) if doc.id == doc.origin else None  # a whole file, not a corpus row
            if doc.id in wanted or real in paths:
                out.found.setdefault(doc.id, []).append((doc.origin, doc.text))
                if real:
                    out.files.setdefault(real, doc.id)
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
    if page[start:end] != text:
        got = page[start:end]
        shown = (got[:60] + "...") if len(got) > 60 else got
        return [f"{where}: text does not match {origin}[{start}:{end}], which is {shown!r}; text must be the "
                "document's characters at start:end, as `predict.py score --format csv` prints them"]
    return []


def load_written(paths):
    """Read and validate written-corpus files (columns WRITTEN_COLUMNS) into one DataFrame.

    As strict as `load_labels`: unknown labels, registers or years, empty text or voice, duplicate
    ids and duplicate texts are errors with their file and line; there are no offsets to check.
    """
    import pandas as pd

    rows, problems, seen_id, seen_text = [], [], {}, {}
    for where, row in _rows(paths, WRITTEN_COLUMNS, problems):
        row = {c: row.get(c, "").strip() for c in WRITTEN_COLUMNS}
        bad = []
        if not row["sentence_id"]:
            bad.append(f"{where}: empty sentence_id")
        elif row["sentence_id"] in seen_id:
            bad.append(f"{where}: duplicate sentence_id {row['sentence_id']!r} (first at {seen_id[row['sentence_id']]})")
        if not row["voice"]:
            bad.append(f"{where}: empty voice")
        if row["register"] not in REGISTERS:
            bad.append(f"{where}: unknown register {row['register']!r}; accepted: {', '.join(REGISTERS)}")
        if not (row["year"].isdigit() and int(row["year"]) in WRITTEN_YEARS):
            bad.append(f"{where}: year must be {WRITTEN_YEARS.start}-{WRITTEN_YEARS.stop - 1}, got {row['year']!r}")
        for target, allowed in TARGETS.items():
            if row[target] not in allowed:
                bad.append(f"{where}: unknown {target} {row[target]!r}; accepted: {', '.join(allowed)}")
        key = " ".join(row["text"].lower().split())
        if not key:
            bad.append(f"{where}: empty text")
        elif key in seen_text:
            bad.append(f"{where}: the same text as {seen_text[key]}")
        if bad:
            problems.extend(bad)
            continue
        seen_id[row["sentence_id"]] = seen_text[key] = where
        rows.append({**row, "year": int(row["year"])})
    if problems:
        raise LabelError(problems)
    if not rows:
        raise LabelError([f"{', '.join(map(str, paths))}: no written sentences"])
    return pd.DataFrame(rows, columns=list(WRITTEN_COLUMNS))
