"""Scored output as summary input: the sentence rows `score --format jsonl|csv|parquet` writes (a file,
a folder of them, or a Parquet dataset folder such as `score --engine dask` writes), recognised by
their columns and never rescored.

Rows are read in column batches (only the columns a summary needs) into `groups.GroupBuilder`, so
memory holds arrays per group, not the corpus. A document is the rows of one `doc_id` in one file; a
run of its rows starting again at sentence `index` 0 is another document under the same id (`score`
keeps such duplicates apart, and so does this). The zero-sentence record of an empty document is
skipped, as the summaries of a rescored corpus skip it.
"""

from __future__ import annotations

import csv
import json
import os
import re

import numpy as np
import pandas as pd

from .errors import BadInput
from .output import MODEL_METADATA
from .summary import PROB_COLUMNS

NEEDED = ("doc_id", "text", "frame", *PROB_COLUMNS)
BATCH_ROWS = 16_384  # rows per batch: the batch's texts are the memory that is not per-group arrays
_EXTENSIONS = (".parquet", ".csv", ".jsonl", ".ndjson")


def _natural(path: str):
    # numbers as numbers (file10 after file9): files of a folder are read in the order they were numbered
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def _files(arg: str) -> list[str]:
    if not os.path.isdir(arg):
        return [arg]
    found = []
    for dirpath, dirnames, names in os.walk(arg):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        found += [os.path.join(dirpath, n) for n in names if not n.startswith((".", "_"))]
    return sorted(found, key=_natural)


def _header(path: str) -> list[str] | None:
    """The column names of a corpus file, or None (not a corpus file, or unreadable: the rescoring
    path reports those)."""
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_schema(path).names
        if ext == ".csv":
            with open(path, newline="", encoding="utf-8-sig") as fh:
                return next(csv.reader(fh), [])
        if ext in (".jsonl", ".ndjson"):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        row = json.loads(line)
                        return list(row) if isinstance(row, dict) else None
    except (OSError, ValueError, UnicodeDecodeError):  # pyarrow's ArrowInvalid is a ValueError
        return None
    return None


def scored_files(inputs) -> list[str] | None:
    """The files of `inputs` when they are scored output; None when they are corpora to score.
    Refuses a mix of the two."""
    scored, unscored = [], []
    for arg in inputs:
        if arg == "-" or not os.path.exists(arg):
            unscored.append(arg)
            continue
        for path in _files(arg):
            if not path.lower().endswith(_EXTENSIONS):
                if os.path.splitext(path)[1].lower() in (".txt", ".md", ".markdown", ".html", ".htm"):
                    unscored.append(path)
                continue
            cols = _header(path)
            (scored if cols is not None and set(NEEDED) <= set(cols) else unscored).append(path)
    if scored and unscored:
        raise BadInput(f"{unscored[0]} is a corpus to score but {scored[0]} is scored output (columns "
                       f"{', '.join(NEEDED)}); give either scored output or corpora, not both")
    return scored or None


UNCHECKED_NOTE = ("note: {files}: no scoring model recorded (JSONL and CSV output record none, Parquet does), so "
                  "the scoring model cannot be checked against --model")


def check_model(path: str, recorded: str | None, expected: str) -> bool:
    """Rows scored by another model are refused: the shares come from `expected`'s quantifier. False when
    `path` records no model (JSONL and CSV output), so that cannot be checked."""
    if recorded is None:
        return False
    if recorded != expected:
        raise BadInput(f"scored with model {recorded}, but the shares would be estimated with model {expected}'s "
                       "quantifier; pass the scoring model with --model", where=path)
    return True


def _batches(path: str, wanted: list[str], expected_model: str, unchecked: list):
    """(first row number, DataFrame) batches of the `wanted` columns that `path` has; `path` appended to
    `unchecked` when it does not record its scoring model."""
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            if pa.default_memory_pool().backend_name != "system":  # see readers._read_parquet: Arrow's
                pa.set_memory_pool(pa.system_memory_pool())  # own pool keeps freed batches
            f = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
            recorded = (f.schema_arrow.metadata or {}).get(MODEL_METADATA)
            if not check_model(path, recorded.decode() if recorded else None, expected_model):
                unchecked.append(path)
            cols = [c for c in wanted if c in f.schema_arrow.names]
            start = 1
            for batch in f.iter_batches(batch_size=BATCH_ROWS, columns=cols):
                yield start, batch.to_pandas()
                start += batch.num_rows
        elif ext == ".csv":
            unchecked.append(path)
            chunks = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=BATCH_ROWS,
                                 usecols=lambda c: c in wanted, encoding="utf-8-sig")
            start = 2  # record 1 is the header
            for df in chunks:
                for c in (*PROB_COLUMNS, "index"):
                    if c in df.columns:
                        text = df[c]
                        df[c] = pd.to_numeric(text.replace("", np.nan), errors="coerce")
                        bad = (text != "").to_numpy() & df[c].isna().to_numpy()
                        if bad.any():
                            lines = csv_lines(path, start, len(df))[bad][:5]
                            raise BadInput(f"column {c!r} holds values that are not numbers (e.g. "
                                           f"{text[bad].iloc[0]!r}) on line(s) {', '.join(map(str, lines))}",
                                           where=path)
                if "uncertain" in df.columns:
                    df["uncertain"] = df["uncertain"].map({"True": True, "False": False, "true": True,
                                                           "false": False})
                yield start, df
                start += len(df)
        else:
            unchecked.append(path)
            start = 1
            for df in pd.read_json(path, lines=True, chunksize=BATCH_ROWS, dtype=False, precise_float=True):
                yield start, df[[c for c in wanted if c in df.columns]]
                start += len(df)
    except BadInput:
        raise
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot be read as scored output ({' '.join(str(exc).split())[:200]})", where=path) from None


def csv_lines(path: str, first: int, n: int) -> np.ndarray:
    """The file line on which each of CSV records first..first+n-1 starts (record 1 is the header), as
    pandas counts records: blank lines skipped, a quoted value may span lines. Read only to explain an
    error, so the batches need not count lines."""
    out = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        record, line = 0, 1
        for row in reader:
            if row:
                record += 1
                if record >= first:
                    out.append(line)
                    if len(out) == n:
                        break
            line = reader.line_num + 1
    return np.array(out, dtype=np.int64)


def release_freed_memory() -> None:
    """Hand freed heap memory back to the system (glibc's malloc_trim; elsewhere nothing). A batch's
    texts are thousands of small blocks freed between long-lived ones (the vocabulary's strings),
    which glibc would otherwise keep as the process's own: peak memory grew by a third."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class _Articles:
    """Article codes for the rows of one file, batch after batch (see the module's docstring)."""

    def __init__(self, first_code: int):
        self.next = first_code
        self.latest: dict[str, int] = {}
        self.last: tuple[str, float] | None = None

    def codes(self, doc: np.ndarray, index: np.ndarray | None) -> np.ndarray:
        n = len(doc)
        start = np.ones(n, dtype=bool)
        start[1:] = doc[1:] != doc[:-1]
        if index is not None:
            start[1:] |= index[1:] <= index[:-1]
        if n and self.last is not None:
            same_doc = doc[0] == self.last[0]
            start[0] = not same_doc or (index is not None and index[0] <= self.last[1])
        out = np.empty(n, dtype=np.int64)
        bounds = [*np.flatnonzero(start), n]
        if bounds[0] != 0:  # the first rows continue the previous batch's article
            out[:bounds[0]] = self.latest[doc[0]]
        for s, e in zip(bounds, bounds[1:]):
            d = doc[s]
            if d in self.latest and (index is None or index[s] != 0):
                code = self.latest[d]  # rows of an article that are not together in the file
            else:
                code = self.latest[d] = self.next
                self.next += 1
            out[s:e] = code
        if n:
            self.last = (doc[-1], index[-1] if index is not None else 0.0)
        return out


def add_scored(builder, files: list[str], by: str, expected_model: str, label: str | None = None,
               over: str | None = None, date_column: str = "date") -> tuple[int, int, list[str]]:
    """Add the sentence rows of scored `files` to `builder`, grouped by column `by` (or all under
    `label`), per period of `date_column` with `over`. Returns the sentences and articles left out for
    having no readable date, and the files that do not record their scoring model."""
    from . import summary as S

    wanted = [*NEEDED, "index", "uncertain", "uncertain_reason"]
    wanted += [c for c in (by, date_column if over else None) if c and c not in wanted]
    missing_rows, missing_docs, next_code, unchecked = 0, set(), 0, []
    for path in files:
        articles = _Articles(next_code)
        for start, df in _batches(path, wanted, expected_model, unchecked):
            df.index = pd.RangeIndex(start, start + len(df))
            if "uncertain_reason" in df.columns:
                empty = (df["uncertain_reason"] == "no_sentences").to_numpy()
            else:
                empty = (df["text"].astype(str) == "").to_numpy() & df[list(PROB_COLUMNS)].isna().all(axis=1).to_numpy()
            df = df[~empty]
            if df.empty:
                continue
            group_by = None if label is not None else by
            try:
                S._check_columns(df, group_by)
                S._check_values(df, group_by)
            except BadInput as exc:
                if not path.lower().endswith(".csv"):
                    raise BadInput(f"{exc} (rows numbered from 1)", where=path) from None
                lines = csv_lines(path, start, len(empty))  # what the rows are to the reader of the file
                df.index = lines[df.index.to_numpy() - start]
                try:
                    S._check_columns(df, group_by)
                    S._check_values(df, group_by)
                except BadInput as again:
                    exc = again
                raise BadInput(f"{exc} (rows given by their line in the file)", where=path) from None
            if group_by == "source" and (df["source"].astype(str) == "").any():
                raise BadInput("sentences without a source: score the corpus with --source-column, or from a "
                               "folder per outlet", where=path)
            index = df["index"].to_numpy(dtype=float) if "index" in df.columns else None
            codes = articles.codes(df["doc_id"].astype(str).to_numpy(dtype=object), index)
            keys = np.full(len(df), label, dtype=object) if label is not None else df[by].astype(str).to_numpy(
                dtype=object)
            if over:
                if date_column not in df.columns:
                    raise BadInput(f"scored rows have no {date_column!r} column, so --over has no dates (score "
                                   "--format writes none: add each row's article date as a column)", where=path)
                keys, no_date = S.period_keys(df.assign(_key=keys), over, date_column, "_key")
                missing_rows += int(no_date.sum())
                missing_docs.update(codes[no_date].tolist())
                df, codes = df[~no_date], codes[~no_date]
            builder.add(keys, codes, df[list(PROB_COLUMNS)].to_numpy(dtype=float),
                        df["frame"].astype(str).to_numpy(dtype=object), S._uncertain_mask(df),
                        df["text"].to_numpy(dtype=object))
        next_code = articles.next
        release_freed_memory()
    return missing_rows, len(missing_docs), unchecked
