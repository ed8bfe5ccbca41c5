"""`score --engine dask`: a corpus scored in `dask.dataframe` partitions on a `distributed` cluster (a
LocalCluster on this machine unless a scheduler address is given), written as a Parquet dataset.

A partition is a part of the input that a worker reads itself (a Parquet row group, a stretch of
JSON Lines cut at line ends, or a batch of files), with the readers' own functions, so documents,
their ids and origins are those of a single-process run; the client only lists the parts. The
model is scattered to every worker once (broadcast): a worker need not see the model folder (cloud
or Slurm nodes without the checkout), and the 6 MB go over the network once per worker instead of
once per task. `score_frame` is the one place where a partition's documents become sentence rows.
"""

from __future__ import annotations

import glob
import os
import shutil
from dataclasses import asdict, fields
from functools import partial
from itertools import chain, repeat
from pathlib import Path

from .errors import BadInput

INSTALL = "--engine dask needs Dask: pip install 'stanceframe[dask]' (dask[dataframe] and distributed)"
JSONL_PART_BYTES = 8 << 20  # a JSON Lines file is cut into parts of about this size, at line ends
ROW_GROUP_ROWS = 32_768  # rows per Parquet row group written: what `sources` decodes at a time
FILES_PER_PART = 200  # text, Markdown, HTML and CSV files: this many to a part
FAILURE = "_failure"  # a part's rows: documents, or an input that could not be read (its message)
EMPTY = "_empty"  # the origin of a document without sentences, on its zero-sentence record


def _require_dask():
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise BadInput(INSTALL) from None


def expand(inputs) -> list[str]:
    """Files, folders and glob patterns (`'corpus/*.jsonl'`, quoted so the shell leaves it) as paths."""
    out = []
    for arg in inputs:
        if arg == "-":
            raise BadInput("--engine dask reads files, not standard input")
        if not os.path.exists(arg) and glob.has_magic(arg):
            found = sorted(glob.glob(arg, recursive=True))
            if not found:
                raise BadInput(f"{arg}: the pattern matches no file")
            out += found
        elif not os.path.exists(arg):
            raise BadInput(f"{arg}: no such file or folder")
        else:
            out.append(arg)
    return out


def parts(inputs) -> list[tuple]:
    """The partitions of `inputs`, in input order: ("parquet", path, row group, first row, outlet),
    ("jsonl", path, start byte, end byte, first line, outlet) or ("files", [(path, outlet), ...])."""
    from .readers import scan_folder

    listed = []
    for arg in expand(inputs):
        if os.path.isdir(arg):
            files, _ = scan_folder(arg)
            if not files:
                raise BadInput("no files to score in the folder", where=arg)
            for rel in files:
                bits = rel.split(os.sep)
                listed.append((os.path.join(arg, rel), bits[0] if len(bits) > 1 else ""))
        else:
            listed.append((arg, ""))
    out, batch = [], []
    for path, outlet in listed:
        ext = os.path.splitext(path)[1].lower()
        if ext == ".parquet" or (ext in (".jsonl", ".ndjson") and os.path.getsize(path) > JSONL_PART_BYTES):
            if batch:
                out.append(("files", batch))
                batch = []
            out += _parquet_parts(path, outlet) if ext == ".parquet" else _jsonl_parts(path, outlet)
        else:
            batch.append((path, outlet))
            if len(batch) == FILES_PER_PART:
                out.append(("files", batch))
                batch = []
    if batch:
        out.append(("files", batch))
    return out


def _parquet_parts(path: str, outlet: str) -> list[tuple]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, ValueError):  # not Parquet: the readers say so, as a failure of this file
        return [("files", [(path, outlet)])]
    out, row = [], 1
    for i in range(meta.num_row_groups):
        out.append(("parquet", path, i, row, outlet))
        row += meta.row_group(i).num_rows
    return out or [("files", [(path, outlet)])]


def _jsonl_parts(path: str, outlet: str) -> list[tuple]:
    """Byte ranges of about JSONL_PART_BYTES ending at a line end, with the number of their first line."""
    out, start, line = [], 0, 1
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        while start < size:
            fh.seek(min(start + JSONL_PART_BYTES, size))
            fh.readline()  # to the end of the line the cut falls in
            end = min(fh.tell(), size)
            out.append(("jsonl", path, start, end, line, outlet))
            fh.seek(start)
            line += fh.read(end - start).count(b"\n")
            start = end
    return out


def _part_documents(part, columns, furniture):
    """The documents (and failures) of one part, as the readers give them."""
    from . import readers

    kind = part[0]
    if kind == "files":
        items = chain.from_iterable(readers.read_path(path, columns, outlet) for path, outlet in part[1])
    elif kind == "parquet":
        items = _parquet_documents(*part[1:], columns)
    else:
        _, path, start, end, line, outlet = part
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read(end - start)
        text = data.decode("utf-8-sig" if start == 0 else "utf-8", readers.MARK_ERRORS)
        # blank lines before the part: read_jsonl skips them but counts them, so lines keep their numbers
        lines = chain(repeat("\n", line - 1), text.splitlines(keepends=True))
        items = (d for d in readers.read_jsonl(lines, path, columns, outlet, "utf-8")
                 if start == 0 or not (isinstance(d, readers.InputFailure) and d.message == "file is empty"))
    for item in items:
        if isinstance(item, readers.Document):
            readers.apply_furniture(item, furniture)
        yield item


def _parquet_documents(path: str, group: int, first_row: int, outlet: str, columns):
    import pyarrow.parquet as pq

    from .readers import row_document

    wanted = [columns.text, columns.id, columns.source, columns.title, columns.date, columns.url, columns.author]
    pf = pq.ParquetFile(path)
    present = list(dict.fromkeys(n for n in wanted if n in pf.schema_arrow.names))
    if columns.text not in present:
        from .readers import missing_text_column

        if group == 0:
            yield missing_text_column(path, columns, pf.schema_arrow.names)
        return
    table = pf.read_row_group(group, columns=present)
    data = {name: table.column(name).to_pylist() for name in present}
    absent = [None] * table.num_rows
    for row, values in enumerate(zip(*(data.get(name, absent) for name in wanted)), first_row):
        yield row_document(path, row, columns, *values, outlet, "utf-8")


def read_part(part, cols, furniture):
    """One partition: a row per document (the Document's fields), or per failure (FAILURE set)."""
    import pandas as pd

    from .readers import Document

    names = [f.name for f in fields(Document)]
    rows = []
    for item in _part_documents(part, cols, furniture):
        if isinstance(item, Document):
            rows.append({**asdict(item), FAILURE: None})
        else:
            rows.append({**dict.fromkeys(names), "origin": item.origin, FAILURE: item.message})
    return pd.DataFrame(rows, columns=[*names, FAILURE])


def _typed(df):
    """Sentence rows with the column types of `score --format parquet`."""
    from .output import _arrow_type

    for f in df.columns:
        t = str(_arrow_type(f)) if f not in (FAILURE, EMPTY) else "string"
        df[f] = df[f].astype({"double": "float64", "int64": "Int64", "bool": "bool"}.get(t, object))
    return df


def score_frame(docs, model):
    """The sentence rows (scoring.SENTENCE_FIELDS) of a partition's documents, as a DataFrame; a failure
    row passes through as a row with only doc_id (its origin) and FAILURE."""
    import pandas as pd

    from .readers import Document
    from .scoring import SENTENCE_FIELDS, Scorer

    names = [f.name for f in fields(Document)]
    records = []
    documents = []
    for rec in docs.to_dict("records"):
        if rec[FAILURE] is not None and rec[FAILURE] == rec[FAILURE]:
            records.append({"doc_id": rec["origin"], "uncertain": True, FAILURE: rec[FAILURE]})
        else:
            documents.append(Document(**{n: rec[n] for n in names}))
    for doc, sentences, article in Scorer(model, n_boot=0, records=True).score(documents):
        if not article["n_sentences"]:
            sentences = [{**sentences[0], EMPTY: doc.origin}]
        records += sentences
    return _typed(pd.DataFrame.from_records(records, columns=[*SENTENCE_FIELDS, FAILURE, EMPTY]))


def _meta():
    import pandas as pd

    from .scoring import SENTENCE_FIELDS

    return _typed(pd.DataFrame({f: [] for f in [*SENTENCE_FIELDS, FAILURE, EMPTY]}))


def score(inputs, output: Path, columns, model, say, scheduler: str | None = None, furniture=None,
          workers: int = 2) -> tuple[int, list[tuple[str, str]], list[str]]:
    """Score `inputs` on a Dask cluster into the Parquet dataset `output`/ (replaced only when complete).
    Returns (sentence rows written, [(origin, message) of each input that could not be read], [origin of
    each document without sentences])."""
    _require_dask()
    import dask
    import dask.dataframe as dd
    import pyarrow as pa
    from distributed import Client, LocalCluster

    from .artifact import model_id
    from .output import MODEL_METADATA, _arrow_type, check_dataset_target
    from .scoring import SENTENCE_FIELDS

    target = Path(output)
    check_dataset_target(target)
    listed = parts(inputs)
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=30)
            except (OSError, TimeoutError) as exc:
                from .errors import StanceframeError

                raise StanceframeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            client = Client(cluster)
        with client:
            say(f"note: scoring {len(listed)} partition(s) on {len(client.scheduler_info()['workers'])} Dask "
                f"worker(s) at {client.scheduler.address}")
            shared = client.scatter(model, broadcast=True)
            docs = dd.from_map(partial(read_part, cols=columns, furniture=furniture), listed, meta=_meta_docs(),
                               enforce_metadata=False)
            rows = docs.map_partitions(score_frame, shared, meta=_meta(), enforce_metadata=False)
            good = rows[rows[FAILURE].isna()].drop(columns=[FAILURE, EMPTY])
            bad = rows[~rows[FAILURE].isna()][["doc_id", FAILURE]]
            empty = rows[~rows[EMPTY].isna()][EMPTY]
            schema = pa.schema([(f, _arrow_type(f)) for f in SENTENCE_FIELDS])
            # part-00000.parquet, ...: the names `score --format parquet --output DIR/` gives its parts
            write = good.to_parquet(tmp, schema=schema, write_index=False, compute=False, row_group_size=ROW_GROUP_ROWS,
                                    name_function=lambda i: f"part-{i:05d}.parquet",
                                    custom_metadata={MODEL_METADATA: model_id(model).encode()})
            _, failed, empty = dask.compute(write, bad, empty)  # one pass: all share the scored partitions
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if cluster is not None:
            cluster.close()
    import pyarrow.parquet as pq

    n = sum(pq.ParquetFile(p).metadata.num_rows for p in tmp.glob("*.parquet"))
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    return n, list(failed.itertuples(index=False, name=None)), list(empty)


def _meta_docs():
    import pandas as pd

    from .readers import Document

    return pd.DataFrame({**{f.name: pd.Series([], dtype=object) for f in fields(Document)},
                         FAILURE: pd.Series([], dtype=object)})
