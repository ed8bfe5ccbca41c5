"""Loading labels validates them: each problem names the file and line, and the CLI exits 2."""

import csv
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import train  # noqa: E402
from fixture_corpus import write_corpus  # noqa: E402

from stanceframe.labels import FRAMES, STANCES, LabelError, load_labels, load_sources  # noqa: E402

runner = CliRunner()


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus")


def check(labels, sources):
    return runner.invoke(train.app, ["--check", "--labels", str(labels), "--sources", str(sources), "--no-written"])


def write_rows(path: Path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def rewrite(path: Path, edit):
    """Apply edit(rows) to the CSV rows (header first) and write them back."""
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    edit(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def test_the_repo_labels_pass_validation():
    result = runner.invoke(train.app, ["--check", "--labels", str(ROOT / "labels/sentences.csv"),
                                       "--written", str(ROOT / "labels/written.csv"),
                                       "--sources", str(ROOT / "seeds/sources.csv")])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output and "(231 seed, " in result.output


def test_repo_labels_cover_every_seed_sentence_with_known_labels():
    sources = load_sources(ROOT / "seeds/sources.csv")
    df = load_labels([ROOT / "labels/sentences.csv"], sources)
    assert set(df["stance"]) <= set(STANCES) and set(df["frame"]) <= set(FRAMES)
    assert df["sentence_id"].is_unique
    assert sorted(df["source"].unique()) == ["000", "001", "002", "003", "004"]


def test_fixture_corpus_passes(corpus):
    result = check(corpus["labels"], corpus["sources"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("edit, expected", [
    (lambda rows: rows[3].__setitem__(5, "pro_russia"),
     ["labels.csv:4: unknown stance 'pro_russia'; accepted: pro_ukraine, russia_accommodating, balancing, none"]),
    (lambda rows: rows[2].__setitem__(6, "diplomacy"), ["labels.csv:3: unknown frame 'diplomacy'; accepted: economic"]),
    (lambda rows: rows[5].__setitem__(0, rows[4][0]), ["labels.csv:6: duplicate sentence_id 't01-003'",
                                                       "(first at", "labels.csv:5)"]),
    (lambda rows: rows[2].__setitem__(4, rows[2][4].replace("Azerbaijan", "Armenia")),
     ["labels.csv:3: text does not match t01.txt[", "text must be the page's characters at start:end"]),
    (lambda rows: rows[2].__setitem__(4, "  "), ["labels.csv:3: empty text"]),
    (lambda rows: rows[7].__setitem__(1, "t99"), ["labels.csv:8: source 't99' is not in sources.csv"]),
    (lambda rows: rows[2].__setitem__(2, "twelve"), ["labels.csv:3: start and end must be whole numbers"]),
    (lambda rows: [r.pop(6) for r in rows], ["labels.csv:1: missing column(s) frame; expected:"]),
    (lambda rows: rows[0].__setitem__(7, "comment"), ["labels.csv:1: unknown column(s) comment; accepted:"]),
    (lambda rows: rows[4].pop(), ["labels.csv:5: row has 7 fields, the header has 8"]),
])
def test_each_problem_is_reported_with_file_line_and_exit_2(corpus, edit, expected):
    rewrite(corpus["labels"], edit)
    result = check(corpus["labels"], corpus["sources"])
    assert result.exit_code == 2
    for part in expected:
        assert part in result.output
    assert "Traceback" not in result.output


def test_all_problems_are_listed_not_just_the_first(corpus):
    def edit(rows):
        rows[2][5] = "pro_russia"
        rows[9][6] = "diplomacy"

    rewrite(corpus["labels"], edit)
    with pytest.raises(LabelError) as err:
        load_labels([corpus["labels"]], load_sources(corpus["sources"]))
    assert len(err.value.problems) == 2
    assert err.value.exit_code == 2


def test_missing_labels_file_and_unknown_glob(corpus, tmp_path):
    result = check(tmp_path / "nope.csv", corpus["sources"])
    assert result.exit_code == 2 and "nope.csv: no such file" in result.output
    result = check(tmp_path / "*.nothing", corpus["sources"])
    assert result.exit_code == 2 and "no labels file matches" in result.output


def test_sources_file_problems(corpus):
    rewrite(corpus["sources"], lambda rows: rows[2].__setitem__(1, "missing.txt"))
    result = check(corpus["labels"], corpus["sources"])
    assert result.exit_code == 2
    assert "sources.csv:3: file 'missing.txt' of source 't02' not found" in result.output


def test_values_are_stored_stripped_as_they_were_checked(corpus):
    def edit(rows):
        rows[1][5] = rows[1][5] + " "
        rows[2][1] = " " + rows[2][1]

    rewrite(corpus["labels"], edit)
    df = load_labels([corpus["labels"]], load_sources(corpus["sources"]))
    assert set(df["stance"]) == set(STANCES)
    assert sorted(df["source"].unique()) == ["t01", "t02", "t03"]


WRITTEN_HEADER = ["sentence_id", "voice", "register", "year", "text", "stance", "frame", "note"]


@pytest.mark.parametrize("row, message", [
    (["w-0002", "v", "news", "2021", "Baku sent aid.", "pro-ukraine", "health_safety", ""], "unknown stance 'pro-ukraine'"),
    (["w-0002", "v", "news", "2019", "Baku sent aid.", "pro_ukraine", "health_safety", ""], "year must be 2020-2026"),
    (["w-0002", "v", "blog", "2021", "Baku sent aid.", "pro_ukraine", "health_safety", ""], "unknown register 'blog'"),
    (["w-0002", "", "news", "2021", "Baku sent aid.", "pro_ukraine", "health_safety", ""], "empty voice"),
    (["w-0002", "v", "news", "2021", "  ", "pro_ukraine", "health_safety", ""], "empty text"),
    (["w-0001", "v", "news", "2021", "Baku sent aid.", "pro_ukraine", "health_safety", ""], "duplicate sentence_id 'w-0001'"),
    (["w-0002", "v", "news", "2021", "Baku  sent aid to Kyiv.", "pro_ukraine", "health_safety", ""], "the same text as"),
])
def test_written_corpus_is_validated_with_file_and_line(tmp_path, row, message):
    from stanceframe.labels import load_written

    path = tmp_path / "written.csv"
    write_rows(path, [WRITTEN_HEADER, ["w-0001", "v", "news", "2021", "Baku sent aid to Kyiv.", "pro_ukraine",
                                       "health_safety", ""], row])
    with pytest.raises(LabelError) as err:
        load_written([path])
    assert f"{path}:3: {message}" in str(err.value)


def test_repo_written_corpus_loads_and_is_declared_invented():
    from stanceframe.labels import load_written

    df = load_written([ROOT / "labels/written.csv"])
    assert len(df) >= 2000 and df["voice"].nunique() >= 10
    assert set(df["stance"]) == set(STANCES) and set(df["frame"]) == set(FRAMES)
    assert "invented" in (ROOT / "labels/README.md").read_text(encoding="utf-8")
