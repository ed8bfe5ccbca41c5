"""`score --engine dask` on a two-worker LocalCluster: the rows of a single-process run, and `sources`
of the dataset it writes gives the summaries of the corpus itself."""

from __future__ import annotations

import json
import sys

import pyarrow.parquet as pq
import pytest

import scored_corpus


invoke = scored_corpus.invoke


@pytest.fixture(scope="module")
def cluster():
    """One two-worker cluster in this process for the tests that score on it (it takes a second to start)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as running:
        yield running


def test_dask_rows_are_those_of_a_single_process_run(tmp_path, monkeypatch, cluster):
    from stanceframe import engine_dask

    docs = scored_corpus.articles()
    for d in docs[3:6]:
        del d["id"]  # ids from the row's line number: the parts must keep their lines' numbers
    docs.append({"id": "blank", "text": "   ", "source": "Sheki Review"})  # line 14: a document without sentences
    corpus = scored_corpus.write(tmp_path / "corpus.jsonl", docs)
    monkeypatch.setattr(engine_dask, "JSONL_PART_BYTES", 1500)  # several partitions of the one file
    assert len(engine_dask.parts([str(corpus)])) > 2
    # a dataset folder written by score --format parquet (which Dask must replace), and the rows to match
    local = invoke("score", corpus, "-f", "parquet", "-o", f"{tmp_path}/scored/")
    assert local.exit_code == 1 and "pass --allow-empty" in local.stderr  # the empty document
    single = pq.read_table(tmp_path / "scored")
    model = single.schema.metadata[b"stanceframe.model"]
    dask_run = lambda *more: invoke("score", corpus, "--engine", "dask", "--scheduler",  # noqa: E731
                                    cluster.scheduler_address, "-o", tmp_path / "scored", *more)
    result = dask_run()
    assert result.exit_code == 1, result.stderr  # the same rule as the local run
    assert f"{corpus}:14: no article sentences found" in result.stderr and "pass --allow-empty" in result.stderr
    result = dask_run("--allow-empty")  # and over the dataset it wrote itself
    assert result.exit_code == 0, result.stderr
    assert "on 2 Dask worker(s)" in result.stderr
    names = sorted(p.name for p in (tmp_path / "scored").iterdir())
    assert len(names) > 2 and names == [f"part-{i:05d}.parquet" for i in range(len(names))]
    dataset = pq.read_table(tmp_path / "scored")
    assert dataset.schema.names == single.schema.names and len(single) == 45
    assert dataset.to_pylist() == single.to_pylist()
    assert single.to_pylist()[-1]["uncertain_reason"] == "no_sentences"  # the zero-sentence record, in both
    assert {pq.read_schema(tmp_path / "scored" / n).metadata[b"stanceframe.model"] for n in names} == {model}
    assert {r["doc_id"] for r in single.to_pylist()} >= {f"{corpus}:4", f"{corpus}:6"}

    by_corpus = invoke("sources", corpus, "--format", "json", "--n-boot", 100)
    by_dataset = invoke("sources", tmp_path / "scored", "--format", "json", "--n-boot", 100)
    assert by_dataset.exit_code == 0, by_dataset.stderr
    assert "reading scored output" in by_dataset.stderr
    assert [{k: v for k, v in r.items() if k != "basis"} for r in json.loads(by_dataset.stdout)] == \
           [{k: v for k, v in r.items() if k != "basis"} for r in json.loads(by_corpus.stdout)]
    again = invoke("score", corpus, "-f", "parquet", "-o", tmp_path / "scored", "--allow-empty")  # over Dask's
    assert again.exit_code == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "scored").iterdir()) == ["part-00000.parquet"]


def test_dask_engine_without_dask_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails as when not installed
    corpus = scored_corpus.write(tmp_path / "corpus.jsonl")
    result = invoke("score", corpus, "--engine", "dask", "-o", tmp_path / "scored")
    assert result.exit_code == 2
    assert "pip install 'stanceframe[dask]'" in result.stderr
    assert not (tmp_path / "scored").exists()


def test_dask_engine_needs_an_output_folder_and_scheduler_needs_dask(tmp_path):
    corpus = scored_corpus.write(tmp_path / "corpus.jsonl")
    result = invoke("score", corpus, "--engine", "dask")
    assert result.exit_code == 2 and "--output DIR/" in result.stderr
    result = invoke("score", corpus, "--scheduler", "tcp://127.0.0.1:8786", "-o", tmp_path / "x")
    assert result.exit_code == 2 and "--scheduler needs --engine dask" in result.stderr


@pytest.mark.parametrize("option", [["--duplicate-ids", "refuse"], ["--csv-raw"], ["--max-stdin-mb", "5"],
                                    ["--n-boot", "50"]])
def test_dask_refuses_options_it_would_ignore(tmp_path, option):
    pytest.importorskip("distributed")
    corpus = scored_corpus.write(tmp_path / "corpus.jsonl")
    result = invoke("score", corpus, "--engine", "dask", "-o", tmp_path / "scored", *option)
    assert result.exit_code == 2
    assert f"{option[0]}" in result.stderr and "has no meaning with --engine dask" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "scored").exists()
