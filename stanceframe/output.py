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
import re
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BadInput

FORMATS = ("table", "json", "jsonl", "csv", "parquet")


def signed(x: float) -> str:
    """A lean or difference to two places with its sign; never "-0.00" for a value that rounds to 0."""
    return f"{round(x, 2) + 0.0:+.2f}"


# C0 controls but tab and newline, DEL and C1 controls: ESC starts terminal sequences (clear screen,
# window title, hyperlinks), and C1's CSI and OSC do the same on some terminals.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with its control characters shown escaped (ESC as \\x1b), so none reaches the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if _CONTROL.search(text) else text


def plain_console(**kwargs):
    """A rich Console that shows every string as it is: no markup (a text holding "[/]" or
    "[link=...]" is data, not a style), no emoji codes, no highlighting, control characters escaped
    (see `visible`). Styles go in Text objects."""
    from rich.console import Console

    class PlainConsole(Console):
        def render_str(self, text, **kw):
            kw.update(markup=False, emoji=False, highlight=False)
            return super().render_str(encodable(visible(text), self.encoding), **kw)

        def on_broken_pipe(self):  # rich exits 1; a closed reader (| head) is no failure
            raise SystemExit(_stdout_failed(BrokenPipeError(32, "Broken pipe")))

    return PlainConsole(**kwargs)


def encodable(text: str, encoding: str) -> str:
    """`text` with what `encoding` cannot hold escaped (see `escape_unencodable`), so a table
    measures the cells it prints; unchanged for UTF encodings."""
    if encoding.lower().replace("-", "").startswith("utf") or text.isascii():
        return text
    _register_escape()
    return text.encode(encoding, _ESCAPE_ERRORS).decode(encoding)


def write_failure(exc: OSError, target=None):
    """An OSError met while writing `target` (None: standard output), disk full or a read-only
    place, as a one-line error (exit 1). A reader that stopped reading standard output (``| head``)
    is no error: the run ends silently with exit 141, as a Unix tool killed by SIGPIPE does."""
    import errno

    from .errors import StanceframeError

    if exc.errno == errno.EPIPE and target is None:
        raise SystemExit(_stdout_failed(exc))
    where = exc.filename or target
    where = f"cannot write {where}" if where else "cannot write to standard output"
    return StanceframeError(f"{where}: {exc.strerror or exc}")


def run_cli(app) -> None:
    """Run a typer app as a script: a failure to write to standard output (to /dev/full, or to a
    pipe that closed) is one line and exit 1, also when it comes at the final flush. SIGTERM and
    SIGHUP end the run as Ctrl-C does, through its cleanup (no temporary file is left)."""
    from .lifeline import terminate_as_interrupt

    terminate_as_interrupt()
    escape_unencodable()
    try:
        app()
        code = 0
    except SystemExit as exit_:
        code = exit_.code
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":  # click's sign that it met EPIPE (exit 1)
            code = _stdout_failed(BrokenPipeError(32, "Broken pipe"))
    except OSError as exc:
        code = _stdout_failed(exc)
    try:
        sys.stdout.flush()
    except OSError as exc:
        code = _stdout_failed(exc)
    sys.exit(code)


EPIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for `yes | head`


def _stdout_failed(exc: OSError) -> int:
    import errno

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's own final flush must not fail again
    if exc.errno == errno.EPIPE:  # a reader that stopped reading (| head) needs no message
        return EPIPE_EXIT
    sys.stderr.write(f"error: cannot write to standard output: {exc.strerror or exc}\n")
    return 1


_ESCAPE_ERRORS = "stanceframe-escape"


def _escape(err: UnicodeEncodeError):
    """Characters the stream cannot encode, as JSON's \\uXXXX escapes (surrogate pairs past U+FFFF):
    JSON output stays valid JSON with the same strings, tables and CSV show the code points."""
    out = []
    for c in err.object[err.start:err.end]:
        n = ord(c)
        if n > 0xFFFF:
            n -= 0x10000
            out.append(f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}")
        else:
            out.append(f"\\u{n:04x}")
    return "".join(out), err.end


def _register_escape() -> None:
    import codecs

    try:
        codecs.lookup_error(_ESCAPE_ERRORS)
    except LookupError:
        codecs.register_error(_ESCAPE_ERRORS, _escape)


def escape_unencodable() -> None:
    """Standard output and error with a strict encoding that cannot hold every character
    (PYTHONIOENCODING=ascii:strict, a C locale) write such characters escaped instead of crashing."""
    _register_escape()
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=_ESCAPE_ERRORS)


# OWASP, CSV injection: a cell starting with one of these is run as a formula by spreadsheets;
# prefixed with a single quote it is shown as text. --csv-raw writes values unchanged.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(v):
    """A CSV cell value that a spreadsheet shows as text rather than runs as a formula."""
    return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v


def _plain(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def direct_target(path: Path) -> bool:
    """True when `path` must be written in place, not by a rename over it: it is (or links to) a
    device, a FIFO or a socket (/dev/null, /dev/full, /dev/stdout), or lives in /dev or /proc."""
    real = os.path.realpath(path)
    if real.startswith(("/dev/", "/proc/")):
        return True
    try:
        return not stat.S_ISREG(os.stat(real).st_mode) and not stat.S_ISDIR(os.stat(real).st_mode)
    except OSError:
        return False


def rename_target(path: Path) -> Path:
    """Where a file written beside `path` is renamed to: a symlink's target, so the link stays."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)


def refuse_inputs_as_output(output: Path | None, inputs, option: str = "--output") -> None:
    """An output naming a file that is also read (an input, or a file inside an input folder) would
    overwrite it: refuse (exit 2)."""
    if output is None or not os.path.exists(output) or direct_target(output):
        return
    real = os.path.realpath(output)
    for arg in inputs:
        if arg == "-" or not os.path.exists(arg):
            continue
        if os.path.isdir(arg):
            inside = os.path.commonpath([real, os.path.realpath(arg)]) == os.path.realpath(arg)
        else:
            inside = os.path.samefile(real, arg)
        if inside:
            what = "is one of the inputs" if not os.path.isdir(arg) else f"is inside the input folder {arg}"
            raise BadInput(f"{output}: {option} {what} and would be overwritten; name another file")


def output_folder(path: Path) -> Path:
    """The folder of an output file, created if missing; a clear error when that is impossible."""
    if path.is_dir():
        raise BadInput(f"{path}: is a folder; name a file to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"{path}: cannot create its folder ({exc.strerror})") from None
    if not path.parent.is_dir():
        raise BadInput(f"{path}: {str(path.parent)!r} is not a folder")
    return path.parent


def _remove_stale_temps(path: Path) -> None:
    """Remove the temporary files of runs writing `path` that were killed (SIGKILL leaves no time
    to clean up): their names hold the pid of a process that no longer exists."""
    pattern = re.compile(re.escape(f".{path.name}.") + r"(\d+)\.\w+\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            stale = Path(path.parent, name)
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        except OSError:
            pass


def _arrow_type(field: str):
    """Each output column's type, fixed so that batches of any content share one schema."""
    import pyarrow as pa

    if field.startswith(("p_", "share_", "lean")):
        return pa.float64()
    if field in ("index", "start", "end") or field.startswith("n_"):
        return pa.int64()
    if field == "uncertain":
        return pa.bool_()
    return pa.string()


# --- rows written from columns -------------------------------------------------------------------
# Workers encode their chunk's rows for the writer (text for csv, json and jsonl; an Arrow table for
# parquet), so the main process only writes them. The text is what json.dumps(record,
# ensure_ascii=False) and csv.DictWriter write row by row, byte for byte.

_JSON_TRUE_FALSE = {True: "true", False: "false"}


_JSON_TEXT = {str: json.encoder.encode_basestring, float: float.__repr__, int: int.__repr__,
              bool: _JSON_TRUE_FALSE.__getitem__}


def _json_values(column: list) -> list[str]:
    """Each value of a column as JSON text, as json.dumps writes it. A column holds values of one type
    (scoring.Scored.columns), or None among them (a document without sentences)."""
    text = _JSON_TEXT.get(type(column[0])) if column and None not in column else None
    if text is float and not all(map(math.isfinite, column)):
        text = None
    if text is None:
        return [json.dumps(_plain(v), ensure_ascii=False) for v in column]
    return list(map(text, column))


@dataclass
class Encoded:
    n: int  # rows
    data: object  # text (csv: rows without the header; json: rows joined by ",\n"), or a pyarrow Table


def encode(fmt: str, columns: dict[str, list], csv_raw: bool = False) -> Encoded:
    """The rows of `columns` (field -> values, in output order) as `fmt` writes them."""
    n = len(next(iter(columns.values()), []))
    if fmt in ("json", "jsonl"):
        template = "{{" + ", ".join(f"{json.dumps(f)}: {{}}" for f in columns) + "}}"
        if fmt == "jsonl":
            template += "\n"
        lines = map(template.format, *(_json_values(c) for c in columns.values()))
        return Encoded(n, (",\n" if fmt == "json" else "").join(lines))
    if fmt == "csv":
        buffer = io.StringIO()
        values = [c if csv_raw else [csv_safe(v) for v in c] for c in columns.values()]
        csv.writer(buffer).writerows(zip(*values))
        return Encoded(n, buffer.getvalue())
    if fmt == "parquet":
        import pyarrow as pa

        return Encoded(n, pa.table({f: pa.array([_plain(v) for v in c], type=_arrow_type(f))
                                    for f, c in columns.items()}))
    raise ValueError(f"cannot encode rows as {fmt!r}")


PARQUET_ROW_GROUP = 50_000


MODEL_METADATA = b"stanceframe.model"  # Parquet key-value metadata: the scoring model's id (artifact.model_id)


class RecordWriter:
    """`metadata`: key-value metadata of a Parquet file's schema (other formats have none)."""

    def __init__(self, fmt: str, path: Path | None, fields: list[str], csv_raw: bool = False,
                 metadata: dict[bytes, bytes] | None = None):
        if fmt == "parquet" and path is None:
            raise BadInput("parquet output needs a file: add --output FILE.parquet")
        self.fmt, self.path, self.fields, self.csv_raw, self.metadata = fmt, path, fields, csv_raw, metadata
        self._keys = tuple(fields)  # records already in this shape and order are written as they are
        self.count = 0
        if path is None:
            self._tmp = None
            self._fh = sys.stdout
        elif direct_target(path):  # a device or FIFO: written in place, never renamed over
            self._tmp = None
            self._fh = open(path, "wb" if fmt == "parquet" else "w", encoding=None if fmt == "parquet" else "utf-8",
                            newline="" if fmt == "csv" else None)
        else:
            self.path = path = rename_target(path)
            folder = output_folder(path)
            _remove_stale_temps(path)
            try:
                fd, self._tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
            except OSError as exc:
                raise BadInput(f"{path}: cannot write there ({exc.strerror})") from None
            self._fh = os.fdopen(fd, "wb" if fmt == "parquet" else "w", encoding=None if fmt == "parquet" else "utf-8",
                                 newline="" if fmt == "csv" else None)
        if fmt == "csv":
            self._csv = csv.DictWriter(self._fh, fieldnames=fields, extrasaction="ignore")
            self._csv.writeheader()
        elif fmt == "parquet":
            self._batch: list[dict] = []  # records written one by one, not yet a table
            self._tables: list = []  # tables waiting to fill a row group
            self._pending = 0
            self._pq = None

    def write(self, rec: dict) -> None:
        if self.fmt != "jsonl" or tuple(rec) != self._keys:
            rec = {k: _plain(rec.get(k)) for k in self.fields}
        if self.fmt == "csv":
            self._csv.writerow(rec if self.csv_raw else {k: csv_safe(v) for k, v in rec.items()})
        elif self.fmt == "jsonl":
            self._fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif self.fmt == "json":
            self._fh.write(("[\n" if self.count == 0 else ",\n") + json.dumps(rec, ensure_ascii=False))
        elif self.fmt == "parquet":
            self._batch.append(rec)
            if len(self._batch) >= PARQUET_ROW_GROUP:
                self._flush_parquet()
        self.count += 1

    def write_encoded(self, rows: Encoded) -> None:
        """Rows that `encode` made (in the same format, with this writer's fields)."""
        if not rows.n:
            return
        if self.fmt == "json":
            self._fh.write(("[\n" if self.count == 0 else ",\n") + rows.data)
        elif self.fmt == "parquet":
            self._table(self._batch_table())
            self._table(rows.data)
        else:
            self._fh.write(rows.data)
        self.count += rows.n

    def _batch_table(self):
        import pyarrow as pa

        batch, self._batch = self._batch, []
        return pa.Table.from_pylist(batch, schema=self._arrow_schema()) if batch else None

    def _arrow_schema(self):
        import pyarrow as pa

        return pa.schema([(f, _arrow_type(f)) for f in self.fields], metadata=self.metadata)

    def _table(self, table, last: bool = False) -> None:
        """Queue `table`'s rows; write them in row groups of PARQUET_ROW_GROUP rows (the rest at the end)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if table is not None and table.num_rows:
            self._tables.append(table)
            self._pending += table.num_rows
        while self._pending >= PARQUET_ROW_GROUP or (last and self._pending):
            queued = pa.concat_tables(self._tables)
            size = min(PARQUET_ROW_GROUP, self._pending)
            if self._pq is None:
                self._pq = pq.ParquetWriter(self._fh, self._arrow_schema())
            self._pq.write_table(queued.slice(0, size).combine_chunks())
            rest = queued.slice(size)
            self._tables, self._pending = ([rest] if rest.num_rows else []), rest.num_rows

    def _flush_parquet(self, last: bool = False):
        self._table(self._batch_table(), last)

    def close(self) -> None:
        if self.fmt == "json":
            self._fh.write("[]\n" if self.count == 0 else "\n]\n")
        if self.fmt == "parquet":
            self._flush_parquet(last=True)
            self._pq.close() if self._pq else self._write_empty_parquet()
        if self._tmp is None:
            self._fh.flush()
            if self._fh is not sys.stdout:
                self._fh.close()
            return
        self._fh.close()
        os.chmod(self._tmp, 0o644)
        os.replace(self._tmp, self.path)

    def _write_empty_parquet(self):
        """No rows: still a valid file with the columns and their types."""
        import pyarrow.parquet as pq

        pq.write_table(self._arrow_schema().empty_table(), self._fh)

    def abort(self) -> None:
        """Drop what was written: the target file, if any, keeps its old content."""
        if self._tmp is not None:
            try:
                if self.fmt == "parquet" and self._pq is not None:
                    self._pq.close()
                self._fh.close()
            finally:
                Path(self._tmp).unlink(missing_ok=True)



# --- a Parquet dataset: a folder of part files ------------------------------------------------------

PART_ROWS = 1_000_000  # rows per part file (20 row groups): a part stays a few tens of MB
PART_NAME = "part-{:05d}.parquet"


_PART = re.compile(r"part-\d{5}\.parquet")


def is_our_dataset(path: Path) -> bool:
    """`path` is a folder that only a dataset writer of this tool (DatasetWriter, `score --engine dask`)
    can have written, and so may replace: nothing in it but part-NNNNN.parquet files (or nothing)."""
    return os.path.isdir(path) and all(_PART.fullmatch(n) for n in os.listdir(path))


def check_dataset_target(path: Path) -> None:
    """Refuse (exit 2) a dataset target that is a file, or a folder holding what this tool did not write."""
    if not os.path.exists(path) or is_our_dataset(path):
        return
    if not os.path.isdir(path):
        raise BadInput(f"{path}: is a file; a Parquet dataset needs a folder (or a new name ending in /)")
    foreign = sorted(n for n in os.listdir(path) if not _PART.fullmatch(n))
    raise BadInput(f"{path}: the folder holds other files ({', '.join(foreign[:3])}); name a new or empty folder, "
                   "or one this tool wrote a dataset to")


def is_dataset_target(output, fmt: str) -> bool:
    """`--output DIR/` (a trailing slash) or an existing folder, with --format parquet: a dataset."""
    return fmt == "parquet" and output is not None and (str(output).endswith(("/", os.sep)) or os.path.isdir(output))


class DatasetWriter:
    """A Parquet dataset (part-00000.parquet, part-00001.parquet, ... of at most PART_ROWS rows each,
    in row groups as RecordWriter writes them), readable by pyarrow.dataset and pandas.read_parquet(DIR).

    Written atomically as a whole: the parts go into a hidden folder beside the target, which is renamed
    into place when the last part is complete; a dataset this tool wrote before at that place is then
    removed. An interrupted run leaves the target as it was (and its temporary folder is removed, or
    by the next run when the process was killed). A folder holding anything else is refused."""

    def __init__(self, path: Path, fields: list[str], metadata: dict[bytes, bytes] | None = None):
        self.path, self.fields, self.metadata, self.count = Path(path), fields, metadata, 0
        check_dataset_target(self.path)
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"{path}: cannot create its folder ({exc.strerror})") from None
        _remove_stale_temps(self.path)
        try:
            self._tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.path.name}.{os.getpid()}.", suffix=".tmp"))
        except OSError as exc:
            raise BadInput(f"{path}: cannot write there ({exc.strerror})") from None
        self._parts = 0
        self._part = self._next_part()

    def _next_part(self) -> RecordWriter:
        part = RecordWriter("parquet", self._tmp / PART_NAME.format(self._parts), self.fields, metadata=self.metadata)
        self._parts += 1
        return part

    def _room(self) -> int:
        if self._part.count >= PART_ROWS:
            self._part.close()
            self._part = self._next_part()
        return PART_ROWS - self._part.count

    def write(self, rec: dict) -> None:
        self._room()
        self._part.write(rec)
        self.count += 1

    def write_encoded(self, rows: Encoded) -> None:
        table, done = rows.data, 0
        while done < rows.n:
            size = min(self._room(), rows.n - done)
            self._part.write_encoded(Encoded(size, table.slice(done, size)))
            done += size
        self.count += rows.n

    def close(self) -> None:
        self._part.close()
        os.chmod(self._tmp, 0o755)
        old = None
        if self.path.exists():
            old = self.path.with_name(f".{self.path.name}.{os.getpid()}.old.tmp")
            os.replace(self.path, old)
        os.replace(self._tmp, self.path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Drop what was written: the target, if any, keeps its old content."""
        try:
            self._part.abort()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
