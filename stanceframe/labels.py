"""The label schema and the loader that validates labelled sentence files.

Loading is validation: a labels file is used only when every row is well formed, every label is
one of the codebook's and every text is exactly the seed's characters at ``start:end``. All
problems are collected and reported together, each with its file and line.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
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


def _read_rows(path: Path, required: tuple[str, ...], allowed: tuple[str, ...] | None,
               prefixes: tuple[str, ...] = ()):
    """Yield (line, row dict) from a CSV file after checking its header (a column is one of `allowed`
    or starts with one of `prefixes`; `allowed` None: any column); raise LabelError early. A row of
    another length than the header is {"__error__": why}."""
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
            unknown = [c for c in header if allowed is not None and c not in allowed and not c.startswith(prefixes)]
            problems = []
            if missing:
                problems.append(f"{path}:1: missing column(s) {', '.join(missing)}; expected: "
                                f"{','.join(allowed or required)}")
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
