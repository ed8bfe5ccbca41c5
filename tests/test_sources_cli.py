"""`predict.py sources` and `predict.py compare` end to end through typer's CliRunner.

Exit codes and messages, on the gold labels of the seed outlets and on small corpora written here
(made-up sentences about Azerbaijan, Russia and Ukraine). The library behind these commands
(stanceframe.summary) has its own tests in test_summary.py; these check what the CLI adds: loading
the gold labels and corpora, grouping, the output formats, the chart files and the errors.
"""

from __future__ import annotations

import csv
import io
import json
import os
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

import predict
from stanceframe.labels import STANCES

ROOT = Path(predict.__file__).resolve().parent
N_BOOT = "200"  # where the exact replicate count does not matter; the default is 1000

runner = CliRunner()


# --- helpers --------------------------------------------------------------------------------------


def invoke(*args):
    """Run predict.py with `args`; fail on an uncaught exception or traceback text in any output."""
    result = runner.invoke(predict.app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("uncaught exception (a traceback for the user):\n"
                    + "".join(traceback.format_exception(*result.exc_info)))
    for text in (result.output, result.stdout, result.stderr):
        assert "Traceback" not in text
    return result


def ok(result):
    assert result.exit_code == 0, f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def failed(result, code: int = 2):
    assert result.exit_code == code, f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "error:" in result.stderr
    return result


def gold_sentence_counts() -> Counter:
    """Sentences per source id, straight from labels/sentences.csv."""
    with open(ROOT / "labels" / "sentences.csv", newline="", encoding="utf-8") as fh:
        return Counter(row["source"] for row in csv.DictReader(fh))


def seed_sources() -> list[dict]:
    with open(ROOT / "seeds" / "sources.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def assert_consistent_shares(record: dict) -> None:
    shares = record["stance_shares"]
    assert set(shares) == set(STANCES)
    assert sum(d["share"] for d in shares.values()) == pytest.approx(1.0, abs=1e-9)
    for d in shares.values():
        assert d["lo"] <= d["share"] <= d["hi"]
    lean = record["lean"]
    assert lean["value"] == pytest.approx(shares["pro_ukraine"]["share"] - shares["russia_accommodating"]["share"],
                                          abs=1e-12)
    assert lean["lo"] <= lean["value"] <= lean["hi"]


# --- corpus texts (made up for these tests) -------------------------------------------------------

# outlet -> articles; each article a few short sentences
OUTLETS = {
    "dnipro_daily": [
        "Baku shipped new transformers to the power grid of Ukraine last month. "
        "Officials in Azerbaijan repeated that the borders of Ukraine must be respected.",
        "Volunteers in Ganja collected warm clothes for families displaced in Ukraine. "
        "Azerbaijan condemned the shelling of Ukrainian cities.",
        "The Azerbaijani oil company kept fuelling Ukrainian ambulances free of charge.",
    ],
    "volga_herald": [
        "Azerbaijan refused to join the Western sanctions against Russia. "
        "Baku called Moscow its most dependable partner in the region.",
        "The Kremlin welcomed the new trade corridor through Azerbaijan. "
        "Putin thanked Aliyev for the warm reception in Moscow.",
    ],
    "caspian_ledger": [
        "Azerbaijan keeps equal distance from Moscow and Kyiv. "
        "Baku talks to both Russia and Ukraine and takes no side.",
        "The government says its foreign policy stays balanced between the two neighbours. "
        "Rain closed the mountain roads near Sheki for two days.",
    ],
}


def corpus_rows(outlets=OUTLETS) -> list[tuple[str, str, str]]:
    """(id, outlet, text) for every article."""
    return [(f"{outlet}-{i}", outlet, text) for outlet, texts in outlets.items() for i, text in enumerate(texts)]


def write_folder_corpus(folder: Path, outlets=OUTLETS) -> Path:
    for outlet, texts in outlets.items():
        for i, text in enumerate(texts):
            write(folder / outlet / f"article_{i}.txt", text + "\n")
    return folder


# --- sources on the gold labels -------------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_records() -> list[dict]:
    result = ok(invoke("sources", "--format", "json", "--n-boot", N_BOOT))
    return json.loads(result.stdout)


def test_gold_table_default():
    result = ok(invoke("sources", "--n-boot", N_BOOT))
    for source in seed_sources():
        assert source["source"] in result.stdout
    assert "gold labels" in result.stderr


def test_gold_json_one_record_per_seed_outlet(gold_records):
    expected = gold_sentence_counts()
    assert len(gold_records) == 5 == len(expected)
    ids = [r["source"].split()[0] for r in gold_records]
    assert sorted(ids) == sorted(expected)
    for r in gold_records:
        source_id = r["source"].split()[0]
        assert r["n_sentences"] == expected[source_id], r["source"]
        assert r["n_articles"] == 1
        assert r["n_uncertain"] == 0


def test_gold_json_shares_intervals_and_lean(gold_records):
    for r in gold_records:
        assert_consistent_shares(r)


def test_gold_json_sorted_by_lean_most_pro_ukraine_first(gold_records):
    leans = [r["lean"]["value"] for r in gold_records]
    assert leans == sorted(leans, reverse=True)
    assert leans[0] > leans[-1]  # the seeds do differ


def test_gold_json_labels_name_the_outlet_where_there_is_one(gold_records):
    outlets = {s["source"]: s["outlet"] for s in seed_sources()}
    for r in gold_records:
        source_id = r["source"].split()[0]
        assert r["source"] == f"{source_id} {outlets[source_id]}".strip()


def test_gold_csv_one_row_per_source(gold_records):
    result = ok(invoke("sources", "--format", "csv", "--n-boot", N_BOOT))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5
    assert [row["source"] for row in rows] == [r["source"] for r in gold_records]  # same order as JSON
    counts = gold_sentence_counts()
    for row in rows:
        assert int(row["n_sentences"]) == counts[row["source"].split()[0]]
        assert float(row["lean"]) == pytest.approx(  # the CSV rounds to 4 places
            float(row["share_pro_ukraine"]) - float(row["share_russia_accommodating"]), abs=2e-4)


def test_gold_by_kind_groups_by_the_kind_column():
    kinds = {s["kind"] for s in seed_sources()}
    sentences_per_kind = Counter()
    counts = gold_sentence_counts()
    for s in seed_sources():
        sentences_per_kind[s["kind"]] += counts[s["source"]]
    articles_per_kind = Counter(s["kind"] for s in seed_sources())

    records = json.loads(ok(invoke("sources", "--by", "kind", "-f", "json", "--n-boot", N_BOOT)).stdout)
    assert {r["source"] for r in records} == kinds
    assert len(records) == len(kinds)
    for r in records:
        assert r["n_sentences"] == sentences_per_kind[r["source"]]
        assert r["n_articles"] == articles_per_kind[r["source"]]
        assert_consistent_shares(r)

    rows = list(csv.DictReader(io.StringIO(ok(invoke("sources", "--by", "kind", "-f", "csv",
                                                      "--n-boot", N_BOOT)).stdout)))
    assert {row["kind"] for row in rows} == kinds  # the first column is named after --by


def test_gold_by_unknown_column_names_the_accepted_ones():
    result = failed(invoke("sources", "--by", "nonexistent", "--n-boot", N_BOOT))
    assert "nonexistent" in result.stderr
    for column in ("source", "outlet", "kind", "author", "published"):
        assert column in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("by, named, unnamed", [
    ("outlet", {"Caliber.az", "Aze.Media", "commonspace.eu"}, {"002 (no outlet)", "004 (no outlet)"}),
    ("author", {"Wilder Alejandro Sanchez", "Vasif Huseynov"}, {"000 (no author)", "002 (no author)", "004 (no author)"}),
    ("published", {"2023-06-02", "2022-05-06"}, {"002 (no published)", "003 (no published)", "004 (no published)"}),
])
def test_gold_by_a_column_with_gaps_has_no_nameless_group(by, named, unnamed):
    # seeds/sources.csv leaves some of these cells empty: each such seed is a group of its own
    result = ok(invoke("sources", "--by", by, "-f", "json", "--n-boot", N_BOOT))
    assert {r["source"] for r in json.loads(result.stdout)} == named | unnamed


def test_unknown_format():
    result = failed(invoke("sources", "--format", "xml"))
    assert "table, json, csv" in result.stderr


def test_json_to_an_output_file(tmp_path, gold_records):
    out = tmp_path / "summary.json"
    result = ok(invoke("sources", "-f", "json", "--n-boot", N_BOOT, "--output", out))
    assert result.stdout == ""
    assert str(out) in result.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == gold_records


# --- charts ---------------------------------------------------------------------------------------


def test_png_chart(tmp_path):
    out = tmp_path / "out.png"
    result = ok(invoke("sources", "--chart", out, "--n-boot", N_BOOT))
    assert "wrote chart" in result.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    image = matplotlib.image.imread(out)
    height, width = image.shape[:2]
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    assert 300 <= height <= 5000 and 600 <= width <= 5000
    assert image.std() > 0  # not a blank page
    assert sorted(os.listdir(tmp_path)) == ["out.png"]  # no temporary file left next to it


def test_svg_chart_names_the_sources(tmp_path, gold_records):
    out = tmp_path / "out.svg"
    ok(invoke("sources", "--chart", out, "--n-boot", N_BOOT, "-f", "json"))
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    for r in gold_records:
        assert r["source"] in text
    assert sorted(os.listdir(tmp_path)) == ["out.svg"]


def test_chart_uppercase_suffix(tmp_path):
    out = tmp_path / "OUT.PNG"
    ok(invoke("sources", "--chart", out, "--n-boot", "50"))
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("name, words", [
    ("out.gif", (".png", ".svg", ".gif")),
    ("out", (".png", ".svg", "no suffix")),
    ("missing/out.png", ("folder does not exist",)),
])
def test_bad_chart_path_exits_2_and_leaves_nothing(tmp_path, name, words):
    result = failed(invoke("sources", "--chart", tmp_path / name, "--n-boot", "50", "-f", "json"))
    for w in words:
        assert w in result.stderr
    assert os.listdir(tmp_path) == []
    assert result.stdout == ""  # no half-done output either


def test_bad_chart_path_does_not_write_the_output_file(tmp_path):
    result = failed(invoke("sources", "--chart", tmp_path / "out.gif", "--n-boot", "50", "-f", "csv",
                           "-o", tmp_path / "summary.csv"))
    assert ".png" in result.stderr
    assert os.listdir(tmp_path) == []


# --- sources on a corpus --------------------------------------------------------------------------


def test_folder_corpus_one_record_per_outlet_folder(tmp_path):
    folder = write_folder_corpus(tmp_path / "corpus")
    result = ok(invoke("sources", folder, "-f", "json", "--n-boot", N_BOOT))
    records = json.loads(result.stdout)
    assert {r["source"] for r in records} == set(OUTLETS)
    assert len(records) == len(OUTLETS)
    for r in records:
        assert r["n_articles"] == len(OUTLETS[r["source"]])
        assert r["n_sentences"] >= r["n_articles"]
        assert_consistent_shares(r)
        assert r["distinctive_terms"], r["source"]  # three groups: each has words of its own
    leans = [r["lean"]["value"] for r in records]
    assert leans == sorted(leans, reverse=True)
    assert "distinctive terms need" not in result.stderr


def test_folder_corpus_table_and_chart(tmp_path):
    folder = write_folder_corpus(tmp_path / "corpus")
    chart = tmp_path / "outlets.svg"
    result = ok(invoke("sources", folder, "--chart", chart, "--n-boot", "50"))
    for outlet in OUTLETS:
        assert outlet in result.stdout
        assert outlet in chart.read_text(encoding="utf-8")
    assert "model predictions" in result.stderr


def test_csv_corpus_with_a_source_column(tmp_path):
    rows = corpus_rows()
    path = write_csv(tmp_path / "corpus.csv", ["id", "source", "text"], [list(r) for r in rows])
    records = json.loads(ok(invoke("sources", path, "-f", "json", "--n-boot", N_BOOT)).stdout)
    articles = Counter(outlet for _, outlet, _ in rows)
    assert {r["source"]: r["n_articles"] for r in records} == dict(articles)
    for r in records:
        assert_consistent_shares(r)


def test_csv_corpus_with_a_differently_named_source_column(tmp_path):
    rows = corpus_rows()
    path = write_csv(tmp_path / "corpus.csv", ["id", "outlet", "text"], [list(r) for r in rows])
    result = ok(invoke("sources", path, "--source-column", "outlet", "-f", "csv", "--n-boot", N_BOOT))
    got = {row["source"]: int(row["n_articles"]) for row in csv.DictReader(io.StringIO(result.stdout))}
    assert got == dict(Counter(outlet for _, outlet, _ in rows))


def test_folder_and_csv_corpora_agree(tmp_path):
    """The same articles as a folder per outlet and as CSV rows give the same summary."""
    folder = write_folder_corpus(tmp_path / "corpus")
    path = write_csv(tmp_path / "corpus.csv", ["id", "source", "text"], [list(r) for r in corpus_rows()])
    from_folder = json.loads(ok(invoke("sources", folder, "-f", "json", "--n-boot", "100")).stdout)
    from_csv = json.loads(ok(invoke("sources", path, "-f", "json", "--n-boot", "100")).stdout)
    key = ("source", "n_articles", "n_sentences", "n_uncertain")
    assert [{k: r[k] for k in key} for r in from_folder] == [{k: r[k] for k in key} for r in from_csv]
    for a, b in zip(from_folder, from_csv):
        assert a["lean"]["value"] == pytest.approx(b["lean"]["value"])


@pytest.mark.parametrize("make", ["csv_without_source_column", "csv_with_empty_sources", "folder_without_subfolders",
                                  "csv_with_the_other_column_name"])
def test_corpus_without_sources_names_the_option(tmp_path, make):
    rows = corpus_rows()
    if make == "csv_without_source_column":
        path = write_csv(tmp_path / "c.csv", ["id", "text"], [[i, t] for i, _, t in rows])
    elif make == "csv_with_empty_sources":
        path = write_csv(tmp_path / "c.csv", ["id", "source", "text"], [[i, "", t] for i, _, t in rows])
    elif make == "csv_with_the_other_column_name":  # outlet column, but no --source-column outlet
        path = write_csv(tmp_path / "c.csv", ["id", "outlet", "text"], [list(r) for r in rows])
    else:
        path = tmp_path / "flat"
        for i, _, text in rows:
            write(path / f"{i}.txt", text)
    result = failed(invoke("sources", path, "--n-boot", "50"))
    assert "--source-column" in result.stderr
    assert "no source" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("make, reason", [
    ("header_only_csv", "header but no rows"),
    ("empty_folder", "no files to score"),
])
def test_empty_corpus(tmp_path, make, reason):
    if make == "header_only_csv":
        path = write_csv(tmp_path / "empty.csv", ["id", "source", "text"], [])
    else:
        path = tmp_path / "empty"
        path.mkdir()
    result = failed(invoke("sources", path, "--n-boot", "50"))
    assert "nothing could be scored" in result.stderr
    assert str(path) in result.stderr
    assert reason in result.stderr
    assert result.stdout == ""


def test_missing_corpus_path(tmp_path):
    result = failed(invoke("sources", tmp_path / "gone.csv", "--n-boot", "50"))
    assert "gone.csv" in result.stderr


def test_single_source_works_and_warns_about_distinctive_terms(tmp_path):
    only = {"dnipro_daily": OUTLETS["dnipro_daily"]}
    folder = write_folder_corpus(tmp_path / "corpus", only)
    result = ok(invoke("sources", folder, "-f", "json", "--n-boot", N_BOOT))
    records = json.loads(result.stdout)
    assert len(records) == 1
    (r,) = records
    assert r["source"] == "dnipro_daily"
    assert r["n_articles"] == 3
    assert r["distinctive_terms"] == []
    assert_consistent_shares(r)
    warnings = [line for line in result.stderr.splitlines() if "distinctive terms" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning:")
    assert "two groups" in warnings[0] and "dnipro_daily" in warnings[0]


def test_single_source_csv_corpus(tmp_path):
    rows = [r for r in corpus_rows() if r[1] == "volga_herald"]
    path = write_csv(tmp_path / "one.csv", ["id", "source", "text"], [list(r) for r in rows])
    result = ok(invoke("sources", path, "-f", "csv", "--n-boot", "50"))
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 1
    assert "two groups" in result.stderr


def test_corpus_by_unknown_column(tmp_path):
    folder = write_folder_corpus(tmp_path / "corpus")
    result = failed(invoke("sources", folder, "--by", "nonexistent", "--n-boot", "50"))
    assert "nonexistent" in result.stderr
    assert "source" in result.stderr


# --- compare --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_compare() -> dict:
    return json.loads(ok(invoke("compare", "000", "004", "--format", "json", "--n-boot", N_BOOT)).stdout)


def test_compare_gold_json(gold_compare):
    out = gold_compare
    assert {"a", "b", "diff_a_minus_b"} <= set(out)
    assert out["a"]["label"] == "000 Caliber.az" and out["b"]["label"] == "004"  # the names `sources` uses
    counts = gold_sentence_counts()
    assert out["a"]["n_sentences"] == counts["000"]
    assert out["b"]["n_sentences"] == counts["004"]
    for side in ("a", "b"):
        assert_consistent_shares(out[side])
        terms = out[side]["distinctive_terms"]
        assert isinstance(terms, list) and terms
        assert all(z > 0 and n > 0 for _, z, n in terms)
    assert not {t for t, _, _ in out["a"]["distinctive_terms"]} & {t for t, _, _ in out["b"]["distinctive_terms"]}


def test_compare_gold_diff_is_a_minus_b_with_an_interval(gold_compare):
    out = gold_compare
    diff = out["diff_a_minus_b"]
    lean = diff["lean"]
    assert lean["value"] == pytest.approx(out["a"]["lean"]["value"] - out["b"]["lean"]["value"], abs=1e-9)
    assert lean["lo"] <= lean["value"] <= lean["hi"]
    assert lean["lo"] < lean["hi"]
    for stance in STANCES:
        d = diff["stance_shares"][stance]
        assert d["value"] == pytest.approx(
            out["a"]["stance_shares"][stance]["share"] - out["b"]["stance_shares"][stance]["share"], abs=1e-9)
        assert d["lo"] <= d["value"] <= d["hi"]
    assert sum(d["value"] for d in diff["stance_shares"].values()) == pytest.approx(0.0, abs=1e-9)


def test_compare_gold_matches_sources(gold_compare, gold_records):
    """The point estimates of a compared source are those `sources` prints for it."""
    by_id = {r["source"].split()[0]: r for r in gold_records}
    for side, source_id in (("a", "000"), ("b", "004")):
        assert gold_compare[side]["lean"]["value"] == pytest.approx(by_id[source_id]["lean"]["value"])
        assert gold_compare[side]["n_sentences"] == by_id[source_id]["n_sentences"]


def test_compare_gold_table():
    result = ok(invoke("compare", "000", "004", "--n-boot", "50"))
    assert "000 Caliber.az vs 004" in result.stdout
    assert "words typical of 000" in result.stdout and "words typical of 004" in result.stdout


def test_compare_by_outlet_name():
    out = json.loads(ok(invoke("compare", "caliber.az", "004", "-f", "json", "--n-boot", "50")).stdout)
    assert out["a"]["n_sentences"] == gold_sentence_counts()["000"]


def test_compare_unknown_source_lists_the_known_ones():
    result = failed(invoke("compare", "000", "nope", "--n-boot", "50"))
    assert "'nope'" in result.stderr
    for s in seed_sources():
        assert s["source"] in result.stderr
    assert result.stdout == ""


def test_compare_the_same_source_twice():
    result = failed(invoke("compare", "000", "000", "--n-boot", "50"))
    assert "two different" in result.stderr


def test_compare_unknown_format():
    result = failed(invoke("compare", "000", "004", "--format", "csv"))
    assert "table, json" in result.stderr


def test_compare_a_source_with_itself_under_another_name():
    result = invoke("compare", "000", "Caliber.az", "--n-boot", "50")
    failed(result)
    assert "two different" in result.stderr


def test_compare_gold_intervals_match_sources(gold_compare, gold_records):
    by_id = {r["source"].split()[0]: r for r in gold_records}
    for side, source_id in (("a", "000"), ("b", "004")):
        assert gold_compare[side]["lean"] == by_id[source_id]["lean"], source_id
        assert gold_compare[side]["stance_shares"] == by_id[source_id]["stance_shares"], source_id


def test_compare_two_corpus_files_labels_sides_by_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    header = ["id", "source", "text"]
    write_csv(tmp_path / "pro.csv", header, [list(r) for r in corpus_rows() if r[1] == "dnipro_daily"])
    write_csv(tmp_path / "rus.csv", header, [list(r) for r in corpus_rows() if r[1] == "volga_herald"])
    out = json.loads(ok(invoke("compare", "pro.csv", "rus.csv", "-f", "json", "--n-boot", N_BOOT)).stdout)
    assert out["a"]["label"] == "pro.csv" and out["b"]["label"] == "rus.csv"
    assert out["a"]["n_articles"] == 3 and out["b"]["n_articles"] == 2
    for side in ("a", "b"):
        assert_consistent_shares(out[side])
        assert out[side]["distinctive_terms"]
    lean = out["diff_a_minus_b"]["lean"]
    assert lean["value"] == pytest.approx(out["a"]["lean"]["value"] - out["b"]["lean"]["value"], abs=1e-9)
    assert lean["lo"] <= lean["value"] <= lean["hi"]

    table = ok(invoke("compare", "pro.csv", "rus.csv", "--n-boot", "50"))
    assert "pro.csv vs rus.csv" in table.stdout


def test_compare_two_corpus_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_folder_corpus(tmp_path / "left", {"dnipro_daily": OUTLETS["dnipro_daily"]})
    write_folder_corpus(tmp_path / "right", {"caspian_ledger": OUTLETS["caspian_ledger"]})
    out = json.loads(ok(invoke("compare", "left", "right", "-f", "json", "--n-boot", "50")).stdout)
    assert (out["a"]["label"], out["b"]["label"]) == ("left", "right")
    assert (out["a"]["n_articles"], out["b"]["n_articles"]) == (3, 2)


def test_compare_two_corpus_files_without_a_source_column(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = corpus_rows()
    write_csv(tmp_path / "pro.csv", ["id", "text"], [[i, t] for i, o, t in rows if o == "dnipro_daily"])
    write_csv(tmp_path / "rus.csv", ["id", "text"], [[i, t] for i, o, t in rows if o == "volga_herald"])
    result = invoke("compare", "pro.csv", "rus.csv", "-f", "json", "--n-boot", "50")
    ok(result)
    out = json.loads(result.stdout)
    assert (out["a"]["label"], out["b"]["label"]) == ("pro.csv", "rus.csv")


def test_compare_corpus_with_a_missing_path_blames_the_missing_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "pro.csv", ["id", "source", "text"], [list(r) for r in corpus_rows()])
    result = failed(invoke("compare", "pro.csv", "gone.csv", "--n-boot", "50"))
    assert "gone.csv" in result.stderr
    assert "'pro.csv' is neither" not in result.stderr


def test_compare_empty_corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "pro.csv", ["id", "source", "text"], [list(r) for r in corpus_rows()])
    write_csv(tmp_path / "empty.csv", ["id", "source", "text"], [])
    result = failed(invoke("compare", "pro.csv", "empty.csv", "--n-boot", "50"))
    assert "empty.csv" in result.stderr
    assert "nothing could be scored" in result.stderr


def test_long_source_names_are_shown_whole_and_no_column_is_cropped(tmp_path):
    long_names = {f"The Weekly Review of Caspian Affairs and Regional Diplomacy, edition {k}": texts
                  for k, texts in zip("AB", OUTLETS.values())}
    rows = corpus_rows(long_names)
    path = write_csv(tmp_path / "corpus.csv", ["id", "source", "text"], [list(r) for r in rows])
    out = ok(invoke("sources", path, "--n-boot", N_BOOT)).stdout
    table_rows = [ln.rstrip() for ln in out.splitlines() if ln[:1] in "┏┃┡│└"]
    assert table_rows and all(r[-1] in "┓┃┩│┘" for r in table_rows)  # every row keeps its right border
    assert "…" not in out
    flat = " ".join(" ".join(c.strip() for c in ln.split("│")[1:2]) for ln in out.splitlines() if ln.startswith("│"))
    for name in long_names:
        assert name in flat  # the name column, read top to bottom, holds each name whole


DATED = [  # invented for this test: two outlets, three months, one article without a date
    {"id": "a1", "source": "A", "date": "2024-03-05", "text": "Baku sent aid to Ukraine. Azerbaijan backs Ukraine's territorial integrity."},
    {"id": "a2", "source": "A", "date": "2024-01-07", "text": "Baku praised its alliance with Moscow. Azerbaijan did not join the sanctions against Russia."},
    {"id": "a3", "source": "A", "date": "2024-01-20T08:00:00Z", "text": "Lavrov thanked Baku for its friendly position."},
    {"id": "b1", "source": "B", "date": "2024-02-09", "text": "The harvest was larger than last year. Baku keeps a balanced policy between Moscow and Kyiv."},
    {"id": "b2", "source": "B", "date": "", "text": "A new metro station opened in Baku on Monday."},
]


def write_dated(path):
    path.write_text("".join(json.dumps(r) + "\n" for r in DATED), encoding="utf-8")
    return path


def test_sources_over_month_gives_one_row_per_outlet_and_month_in_time_order(tmp_path):
    corpus = write_dated(tmp_path / "dated.jsonl")
    result = ok(invoke("sources", str(corpus), "--over", "month", "-f", "json", "--n-boot", N_BOOT))
    rows = json.loads(result.stdout)
    assert [(r["group"], r["period"]) for r in rows] == [("A", "2024-01"), ("A", "2024-03"), ("B", "2024-02")]
    assert [r["n_articles"] for r in rows] == [2, 1, 1]  # a3's timestamp falls in January
    assert all(r["basis"].startswith("model predictions") for r in rows)
    assert "1 sentence of 1 article have no readable date in 'date'" in result.stderr


def test_sources_over_draws_a_line_chart_and_refuses_an_unknown_period(tmp_path):
    corpus = write_dated(tmp_path / "dated.jsonl")
    chart = tmp_path / "lean.png"
    ok(invoke("sources", str(corpus), "--over", "year", "--chart", str(chart), "--n-boot", N_BOOT))
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = failed(invoke("sources", str(corpus), "--over", "fortnight", "--n-boot", N_BOOT))
    assert "unknown period 'fortnight'; accepted: day, week, month, year" in bad.stderr


def test_sources_over_reads_dates_from_another_column(tmp_path):
    rows = [{**r, "published_at": r["date"]} for r in DATED]
    for r in rows:
        del r["date"]
    corpus = tmp_path / "dated.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = ok(invoke("sources", str(corpus), "--over", "month", "--date-column", "published_at", "-f", "json",
                       "--n-boot", N_BOOT))
    assert [r["period"] for r in json.loads(result.stdout)] == ["2024-01", "2024-03", "2024-02"]


def test_compare_and_sources_never_write_over_what_they_read(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Baku sent aid to Kyiv. The Kremlin objected.\n", encoding="utf-8")
    b.write_text("Azerbaijan kept buying Russian grain. Trade with Moscow grew.\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("doc_id,source,start,end,text,stance,frame,note\n", encoding="utf-8")
    listing = tmp_path / "sources.csv"
    listing.write_text("source,file,outlet\nx,a.txt,Outlet X\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in (a, b, labels, listing)}
    for args in (["compare", str(a), str(b), "--labels", str(labels), "-f", "json", "-o", str(labels)],
                 ["compare", str(a), str(b), "-f", "json", "-o", str(b)],
                 ["sources", str(tmp_path), "--sources", str(listing), "-f", "csv", "-o", str(listing)]):
        result = runner.invoke(predict.app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "would be overwritten" in result.output
    assert {p: p.read_bytes() for p in before} == before
