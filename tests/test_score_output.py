"""`score` output, byte for byte, against files written by the code before the columnar rewrite.

tests/data/score_expected/ was written ONCE by `predict.py score` at commit a5bef88 (the dict-per-
sentence scorer and writer), before the scoring path was rewritten for speed, with:

    cd tests/data && python ../../predict.py score speed_corpus.jsonl speed_page.txt \
        --level LEVEL --format FORMAT --output score_expected/LEVELs.EXT --allow-empty --jobs 1

(and `--format csv --csv-raw` for sentences_raw.csv). The inputs are sentences written for these
tests: formula-like cells, a document without text, a duplicate id, non-English text, unknown words,
a low-confidence sentence, URLs, an outlet name, curly quotes, a no-break space, an emoji, page
furniture. Never regenerate these files from the code under test: they are the old code's answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import predict

DATA = Path(__file__).resolve().parent / "data"
EXPECTED = DATA / "score_expected"
INPUTS = ["speed_corpus.jsonl", "speed_page.txt"]
CASES = [(level, fmt) for level in ("sentence", "article") for fmt in ("jsonl", "csv", "json", "parquet", "table")]


def _score(tmp_path, monkeypatch, *args) -> Path:
    monkeypatch.chdir(DATA)  # document ids and origins are the paths as given
    monkeypatch.setattr("sys.argv", ["predict.py"])  # tables name the command as it was called
    out = tmp_path / "out"
    result = CliRunner().invoke(predict.app, ["score", *INPUTS, *args, "--output", str(out), "--allow-empty"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("level,fmt", CASES)
def test_output_is_byte_identical_to_the_old_scorer(tmp_path, monkeypatch, level, fmt):
    out = _score(tmp_path, monkeypatch, "--level", level, "--format", fmt, "--jobs", "1")
    expected = EXPECTED / f"{level}s.{'txt' if fmt == 'table' else fmt}"
    if fmt != "parquet":
        assert out.read_bytes() == expected.read_bytes()
        return
    # Parquet now also records the scoring model in its schema metadata (the old scorer wrote none), so
    # the bytes differ there: the same table (types, values, row groups) plus exactly that one key
    import pyarrow.parquet as pq

    got, old = pq.ParquetFile(out), pq.ParquetFile(expected)
    assert got.read().equals(old.read())
    assert [got.metadata.row_group(i).num_rows for i in range(got.num_row_groups)] == \
           [old.metadata.row_group(i).num_rows for i in range(old.num_row_groups)]
    assert got.schema_arrow.metadata == {**(old.schema_arrow.metadata or {}), b"stanceframe.model": scoring_id()}


def scoring_id() -> bytes:
    """The model's id as the README gives it: the start of model/scoring.json's sha256."""
    import hashlib

    return hashlib.sha256((DATA.parent.parent / "model" / "scoring.json").read_bytes()).hexdigest()[:12].encode()


def test_raw_csv_is_byte_identical_to_the_old_scorer(tmp_path, monkeypatch):
    out = _score(tmp_path, monkeypatch, "--format", "csv", "--csv-raw", "--jobs", "1")
    assert out.read_bytes() == (EXPECTED / "sentences_raw.csv").read_bytes()


def _expected_rows() -> list[dict]:
    import json

    return [json.loads(line) for line in (EXPECTED / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_parquet_dataset_folder_holds_the_rows_of_the_single_file(tmp_path, monkeypatch):
    import pandas as pd
    import pyarrow.dataset as ds

    from stanceframe import output

    monkeypatch.setattr(output, "PART_ROWS", 10)  # 36 rows: four parts
    out = _score(tmp_path, monkeypatch, "--format", "parquet", "--jobs", "1")
    folder = tmp_path / "set"
    out.rename(folder)  # the single file, for comparison, is not needed; the dataset goes to a folder
    result = CliRunner().invoke(predict.app, ["score", *INPUTS, "--format", "parquet", "--output", f"{folder}/",
                                              "--allow-empty", "--jobs", "1"])
    assert result.exit_code == 2 and "is a file" in result.stderr  # a file is never replaced by a folder
    result = CliRunner().invoke(predict.app, ["score", *INPUTS, "--format", "parquet", "--output", f"{tmp_path}/d/",
                                              "--allow-empty", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    parts = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert parts == [f"part-0000{i}.parquet" for i in range(4)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    expected = pd.read_parquet(EXPECTED / "sentences.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "d"), expected)
    assert ds.dataset(tmp_path / "d").to_table().equals(ds.dataset(EXPECTED / "sentences.parquet").to_table())
    import pyarrow.parquet as pq

    assert {pq.read_schema(tmp_path / "d" / p).metadata[b"stanceframe.model"] for p in parts} == {scoring_id()}


def test_a_dataset_replaces_an_earlier_one_but_never_a_folder_of_other_files(tmp_path, monkeypatch):
    monkeypatch.chdir(DATA)
    target = tmp_path / "d"
    target.mkdir()
    (target / "part-00007.parquet").write_bytes(b"an earlier dataset's part")
    run = lambda: CliRunner().invoke(predict.app, ["score", *INPUTS, "-f", "parquet", "-o", str(target),  # noqa: E731
                                                   "--allow-empty", "--jobs", "1"])
    assert run().exit_code == 0
    assert sorted(p.name for p in target.iterdir()) == ["part-00000.parquet"]
    (target / "notes.txt").write_text("mine")
    result = run()
    assert result.exit_code == 2 and "holds other files (notes.txt)" in result.stderr
    assert (target / "notes.txt").read_text() == "mine"


def test_the_shards_together_are_the_unsharded_output(tmp_path, monkeypatch):
    monkeypatch.chdir(DATA)
    lines = []
    for i in (1, 2, 3):
        out = tmp_path / f"{i}.jsonl"
        result = CliRunner().invoke(predict.app, ["score", *INPUTS, "-f", "jsonl", "-o", str(out), "--shard", f"{i}/3",
                                                  "--allow-empty", "--jobs", "1"])
        assert result.exit_code == 0, result.output
        shard = out.read_text(encoding="utf-8").splitlines()
        assert 0 < len(shard) < 36
        lines += shard
    assert sorted(lines) == sorted((EXPECTED / "sentences.jsonl").read_text(encoding="utf-8").splitlines())
    result = CliRunner().invoke(predict.app, ["score", *INPUTS, "--shard", "4/3"])
    assert result.exit_code == 2 and "expected I/N with 1 <= I <= N" in result.stderr


def test_two_workers_write_the_same_bytes(monkeypatch):
    from stanceframe.project import load_model
    from stanceframe.readers import Document, iter_documents
    from stanceframe.scoring import Scorer

    monkeypatch.chdir(DATA)
    docs = [d for d in iter_documents(INPUTS, furniture=None) if isinstance(d, Document)]
    batches = list(Scorer(load_model(None), n_boot=0, records=False).encoded(iter(docs), "jsonl", chunk=4, jobs=2))
    assert len(batches) > 3  # several chunks: the workers did the scoring
    assert "".join(rows.data for _, _, rows in batches).encode() == (EXPECTED / "sentences.jsonl").read_bytes()


def test_a_dataframe_partition_gives_the_rows_of_the_cli():
    import pandas as pd

    from stanceframe.project import load_model
    from stanceframe.scoring import score_frame

    frame = pd.read_json(DATA / "speed_corpus.jsonl", lines=True, dtype=False)
    table = score_frame(frame, load_model(None))
    assert table.column_names == predict.SENTENCE_FIELDS
    expected = [r for r in _expected_rows() if r["doc_id"] != "speed_page.txt"]
    assert table.to_pylist() == expected
