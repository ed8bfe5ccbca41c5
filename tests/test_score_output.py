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
    assert out.read_bytes() == expected.read_bytes()


def test_raw_csv_is_byte_identical_to_the_old_scorer(tmp_path, monkeypatch):
    out = _score(tmp_path, monkeypatch, "--format", "csv", "--csv-raw", "--jobs", "1")
    assert out.read_bytes() == (EXPECTED / "sentences_raw.csv").read_bytes()
