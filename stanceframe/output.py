"""Record writers for predict.py: csv, json, jsonl, parquet, written atomically when to a file.

Records stream in and are written as they come, so memory stays flat on large corpora; a file
output is assembled beside its target and moved into place only when complete, so an interrupted
run never leaves half a file where a good one was.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import tempfile
from pathlib import Path

from .errors import BadInput

FORMATS = ("table", "json", "jsonl", "csv", "parquet")


def _plain(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


class RecordWriter:
    def __init__(self, fmt: str, path: Path | None, fields: list[str]):
        if fmt == "parquet" and path is None:
            raise BadInput("parquet output needs a file: add --output FILE.parquet")
        self.fmt, self.path, self.fields = fmt, path, fields
        self.count = 0
        if path is None:
            self._tmp = None
            self._fh = sys.stdout
        else:
            path.parent.mkdir(parents=True, exist_ok=True) if path.parent != Path("") else None
            if not path.parent.is_dir():
                raise BadInput(f"{path}: the folder does not exist")
            fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            self._fh = os.fdopen(fd, "wb" if fmt == "parquet" else "w", encoding=None if fmt == "parquet" else "utf-8",
                                 newline="" if fmt == "csv" else None)
        if fmt == "csv":
            self._csv = csv.DictWriter(self._fh, fieldnames=fields, extrasaction="ignore")
            self._csv.writeheader()
        elif fmt == "parquet":
            self._batch: list[dict] = []
            self._pq = None

    def write(self, rec: dict) -> None:
        rec = {k: _plain(rec.get(k)) for k in self.fields}
        if self.fmt == "csv":
            self._csv.writerow(rec)
        elif self.fmt == "jsonl":
            self._fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            self._fh.write(("[\n" if self.count == 0 else ",\n") + json.dumps(rec, ensure_ascii=False))
        elif self.fmt == "parquet":
            self._batch.append(rec)
            if len(self._batch) >= 50_000:
                self._flush_parquet()
        self.count += 1

    def _flush_parquet(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._batch:
            return
        table = pa.Table.from_pylist(self._batch)
        if self._pq is None:
            self._schema = table.schema
            self._pq = pq.ParquetWriter(self._fh, self._schema)
        self._pq.write_table(table.cast(self._schema))
        self._batch = []

    def close(self) -> None:
        if self.fmt == "json":
            self._fh.write("[]\n" if self.count == 0 else "\n]\n")
        if self.fmt == "parquet":
            self._flush_parquet()
            if self._pq is None:  # no rows: still a valid, empty file with the columns
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({f: pa.array([], pa.string()) for f in self.fields}), self._fh)
            else:
                self._pq.close()
        if self._tmp is None:
            self._fh.flush()
            return
        self._fh.close()
        os.chmod(self._tmp, 0o644)
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if self._tmp is not None:
            try:
                self._fh.close()
            finally:
                Path(self._tmp).unlink(missing_ok=True)


def write_records(records, fmt: str, path: Path | None, fields: list[str]) -> int:
    w = RecordWriter(fmt, path, fields)
    try:
        for r in records:
            w.write(r)
    except BaseException:
        w.abort()
        raise
    w.close()
    return w.count


def csv_text(records: list[dict], fields: list[str]) -> str:
    buf = io.StringIO()
    wr = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    wr.writeheader()
    wr.writerows(records)
    return buf.getvalue()
