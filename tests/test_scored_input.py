"""`sources` and `compare` on scored output (the rows `score --format jsonl|csv|parquet` writes): the
same numbers as rescoring the corpus, which tests/data/summary_oracle.json holds as the main code
computed them before the summaries moved to arrays; mixed or mismatched inputs refused."""

from __future__ import annotations

import json

import pytest

import scored_corpus

ORACLE = json.loads((scored_corpus.Path(__file__).parent / "data" / "summary_oracle.json").read_text())

invoke = scored_corpus.invoke


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The invented corpus and its scored output in each format, written once."""
    d = tmp_path_factory.mktemp("scored")
    scored_corpus.write(d / "corpus.jsonl")
    for fmt in ("jsonl", "csv", "parquet"):
        assert invoke("score", d / "corpus.jsonl", "--format", fmt, "-o", d / "out" / f"corpus.{fmt}").exit_code == 0
    return d


def _without_scored_note(records):
    for r in records:
        assert r["basis"].endswith(", read from scored output")
        r["basis"] = r["basis"].removesuffix(", read from scored output")
    return records


def test_rescoring_the_corpus_gives_the_oracle(scored, monkeypatch):
    monkeypatch.chdir(scored)
    result = invoke("sources", "corpus.jsonl", "--format", "json", "--n-boot", 200)
    assert result.exit_code == 0
    assert "scored output" not in result.stderr
    assert json.loads(result.stdout) == ORACLE["sources"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_sources_of_scored_output_gives_the_oracle_without_rescoring(scored, monkeypatch, fmt):
    import stanceframe.scoring

    monkeypatch.setattr(stanceframe.scoring.Scorer, "score", lambda *a, **k: pytest.fail("rescored"))
    result = invoke("sources", scored / "out" / f"corpus.{fmt}", "--format", "json", "--n-boot", 200)
    assert result.exit_code == 0, result.stderr
    assert "reading scored output (1 file(s))" in result.stderr
    records = _without_scored_note(json.loads(result.stdout))
    assert records == ORACLE["sources"]
    assert {r["source"]: r["n_articles"] for r in records}["Caspian Wire"] == 5  # the repeated id kept apart


def test_compare_of_scored_output_gives_the_oracle(tmp_path, monkeypatch):
    scored_corpus.write_two(tmp_path)
    for name in ("a", "b"):  # the same names as the corpora: each side's intervals are seeded by its name
        invoke("score", tmp_path / f"{name}.jsonl", "--format", "jsonl", "-o", tmp_path / "s" / f"{name}.jsonl")
    monkeypatch.chdir(tmp_path / "s")
    result = invoke("compare", "a.jsonl", "b.jsonl", "--format", "json", "--n-boot", 200)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == ORACLE["compare"]


def test_a_mix_of_scored_and_unscored_inputs_is_refused(scored):
    result = invoke("sources", scored / "out" / "corpus.parquet", scored / "corpus.jsonl")
    assert result.exit_code == 2
    assert "is a corpus to score but" in result.stderr and "not both" in result.stderr
    result = invoke("compare", scored / "out" / "corpus.parquet", scored / "corpus.jsonl")
    assert result.exit_code == 2
    assert "is scored output but" in result.stderr


def test_rows_scored_by_another_model_are_refused(scored, tmp_path):
    import pyarrow.parquet as pq

    table = pq.read_table(scored / "out" / "corpus.parquet")  # score's own output, recording model/'s id
    ours = table.schema.metadata[b"stanceframe.model"]
    # what `score --model other/` writes: the same columns, another model's id in the metadata
    pq.write_table(table.replace_schema_metadata({b"stanceframe.model": b"0123456789ab"}), tmp_path / "other.parquet")
    result = invoke("sources", tmp_path / "other.parquet")
    assert result.exit_code == 2
    assert "scored with model 0123456789ab" in result.stderr and "--model" in result.stderr
    result = invoke("sources", scored / "out" / "corpus.parquet", "--n-boot", 20, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert f"scoring.json {ours.decode()}," in json.loads(result.stdout)[0]["basis"]  # one id, written and checked
    assert "cannot be checked" not in result.stderr
    # the note for scored output: the --labels it would suggest is refused there
    assert "--labels, for intervals that include them, needs the corpus itself" in result.stderr
    assert "give --labels FILE" not in result.stderr


def test_rows_that_record_no_model_are_said_to_be_unchecked(scored):
    result = invoke("sources", scored / "out" / "corpus.jsonl", "--n-boot", 20)
    assert result.exit_code == 0, result.stderr
    assert "corpus.jsonl: no scoring model recorded" in result.stderr and "cannot be checked" in result.stderr
    result = invoke("compare", scored / "out" / "corpus.csv", scored / "out" / "corpus.parquet", "--n-boot", 20)
    assert result.exit_code == 0, result.stderr
    assert "corpus.csv: no scoring model recorded" in result.stderr and result.stderr.count("cannot be checked") == 1


def _edited_csv(scored, tmp_path, column, value):
    """The scored CSV with a line break inside the first row's text (its record spans lines 2-3) and
    `value` in `column` of the third row (record 4, which starts on line 5)."""
    import csv

    with open(scored / "out" / "corpus.csv", newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))
    header = records[0]
    records[1][header.index("text")] = "A sentence\nwritten over two lines."
    records[3][header.index(column)] = value
    path = tmp_path / f"edited_{column}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(records)
    return path


def test_a_bad_csv_value_is_reported_on_its_line_and_as_what_it_is(scored, tmp_path):
    result = invoke("sources", _edited_csv(scored, tmp_path, "p_pro_ukraine", "about a third"))
    assert result.exit_code == 2
    assert "column 'p_pro_ukraine' holds values that are not numbers (e.g. 'about a third') on line(s) 5" \
        in result.stderr and "empty" not in result.stderr
    result = invoke("sources", _edited_csv(scored, tmp_path, "p_balancing", ""))
    assert result.exit_code == 2
    assert "column 'p_balancing' has 1 empty value, e.g. in rows 5 (rows given by their line in the file)" \
        in result.stderr


def test_compare_with_a_missing_side_says_it_does_not_exist(scored):
    result = invoke("compare", scored / "out" / "corpus.parquet", scored / "nowhere.parquet")
    assert result.exit_code == 2
    assert f"{scored / 'nowhere.parquet'}: no such file or folder" in result.stderr and "is not" not in result.stderr
