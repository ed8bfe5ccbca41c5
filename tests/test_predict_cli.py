"""predict.py end to end through typer's CliRunner: every input kind, every output format, the
messages and exit codes for bad input; plus property tests of the scorer and the segmenter.

The fixture articles are short texts written for these tests. The model is the one shipped in
model/; CliRunner runs the app in this process, so after the first invocation each one loads the
(small) model from disk in a few milliseconds.
"""

from __future__ import annotations

import csv
import io
import json
import os
import traceback
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import predict
from stanceframe.labels import STANCES
from stanceframe.project import load_model
from stanceframe.readers import Document, iter_documents
from stanceframe.scoring import Scorer
from stanceframe.segment import page_sentences

# --- fixture texts (written for these tests) ------------------------------------------------------

ART_A = (
    "Azerbaijan has kept buying grain from Russia while its diplomats speak warmly of Ukraine. "
    "President Aliyev said in Baku that the sovereignty of Ukraine must be respected. "
    "Moscow, for its part, calls Baku a strategic partner on the Caspian."
)
ART_A_SENTENCES = [
    "Azerbaijan has kept buying grain from Russia while its diplomats speak warmly of Ukraine.",
    "President Aliyev said in Baku that the sovereignty of Ukraine must be respected.",
    "Moscow, for its part, calls Baku a strategic partner on the Caspian.",
]
# two paragraphs, Windows line endings
ART_B = (
    "Baku sent two shipments of generators to Kyiv this winter.\r\n\r\n"
    "The Azerbaijani foreign ministry declined to comment on the new sanctions against Russia.\r\n"
)
ART_B_SENTENCES = [
    "Baku sent two shipments of generators to Kyiv this winter.",
    "The Azerbaijani foreign ministry declined to comment on the new sanctions against Russia.",
]
MARKDOWN = (
    "# Baku between two capitals\n\n"
    "Azerbaijan sold more oil to European buyers after the invasion of Ukraine began.\n\n"
    "- Officials in Baku avoided any public criticism of the Kremlin.\n"
    "- Trade across the Russian border kept growing through the year.\n"
)
MARKDOWN_SENTENCES = [
    ("Baku between two capitals", "headline"),
    ("Azerbaijan sold more oil to European buyers after the invasion of Ukraine began.", "body"),
    ("Officials in Baku avoided any public criticism of the Kremlin.", "body"),
    ("Trade across the Russian border kept growing through the year.", "body"),
]
HTML_SENTENCES = [
    "Officials in Baku have repeated their support for the territorial integrity of Ukraine during a "
    "meeting with foreign diplomats this week.",
    "The same officials stressed that trade with Russia along the north-south transport corridor will "
    "continue to grow next year.",
    "Analysts in the Azerbaijani capital describe the policy as a careful balance between two neighbours "
    "that both matter to the economy.",
]
HTML = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Caspian Notes</title></head>
<body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/contact">Contact</a></nav></header>
<main>
<article>
<h1>Baku weighs its words on the war</h1>
<p>{HTML_SENTENCES[0]}</p>
<p>{HTML_SENTENCES[1]}</p>
<p>{HTML_SENTENCES[2]}</p>
</article>
</main>
<footer><p>Copyright 2024 Caspian Notes. All rights reserved.</p></footer>
</body></html>
"""
HTML_WITHOUT_ARTICLE = (
    "<html><head><title>Caspian Notes</title><style>body { color: navy; }</style></head>"
    "<body><div id=\"app\"></div><script>window.region = 'caspian';</script></body></html>"
)
RUSSIAN_SENTENCES = [
    "Официальный Баку продолжает отправлять гуманитарную помощь Украине и не признаёт аннексию её территорий.",
    "Одновременно правительство Азербайджана расширяет торговлю с Россией через Каспийское море.",
]
RUSSIAN = " ".join(RUSSIAN_SENTENCES)
ENGLISH_PART = (
    "Azerbaijan signed a new gas agreement with European partners this spring. "
    "The deal was welcomed in Kyiv as a step away from Russian energy."
)
MIXED = ENGLISH_PART + "\n\n" + RUSSIAN + "\n"

runner = CliRunner()


# --- helpers --------------------------------------------------------------------------------------


def invoke(*args, input=None, env=None):
    """Run predict.py with `args`; fail on any uncaught exception or traceback text."""
    result = runner.invoke(predict.app, [str(a) for a in args], input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("uncaught exception (a traceback for the user):\n"
                    + "".join(traceback.format_exception(*result.exc_info)))
    assert "Traceback" not in result.output
    return result


def err_lines(result) -> list[str]:
    """stderr lines, without staleness warnings about the shipped model (not what is tested here)."""
    return [line for line in result.stderr.splitlines() if not line.startswith("warning: the model was")]


def jsonl(text: str) -> list[dict]:
    lines = text.splitlines()
    assert all(line.strip() for line in lines), "blank line in JSON Lines output"
    return [json.loads(line) for line in lines]


def by_doc(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["doc_id"], []).append(r)
    return out


def no_temp_files(folder: Path) -> bool:
    return not [n for n in os.listdir(folder) if n.endswith(".tmp")]


def write(path: Path, text: str, newline: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)
    return path


def read_exact(path: Path) -> str:
    """A file's text exactly as the scorer decodes it: no newline translation."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def scorer(model):
    return Scorer(model, n_boot=200)  # score's --n-boot default


def library_records(scorer, inputs: list[str], level: str) -> list[dict]:
    """What `score` should write, computed through the library (fields as in predict.py)."""
    fields = predict.SENTENCE_FIELDS if level == "sentence" else predict.ARTICLE_FIELDS
    out = []
    for doc, sentences, article in scorer.score(iter_documents(inputs)):
        records = sentences if level == "sentence" else [article]
        out.extend({k: r.get(k) for k in fields} for r in records)
    return out


@pytest.fixture
def two_articles(tmp_path, monkeypatch):
    """a.txt (three sentences, LF) and b.txt (two paragraphs, CRLF) in the working directory."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    write(tmp_path / "b.txt", ART_B, newline="")
    return ["a.txt", "b.txt"]


# --- input kinds ----------------------------------------------------------------------------------


def test_txt_one_row_per_sentence_in_order_with_offsets(two_articles, tmp_path):
    result = invoke("score", *two_articles, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert err_lines(result) == []
    rows = jsonl(result.stdout)
    assert [r["doc_id"] for r in rows] == ["a.txt"] * 3 + ["b.txt"] * 2
    docs = by_doc(rows)
    for name, expected in (("a.txt", ART_A_SENTENCES), ("b.txt", ART_B_SENTENCES)):
        file_text = read_exact(tmp_path / name)
        got = docs[name]
        assert [r["text"] for r in got] == expected
        assert [r["index"] for r in got] == list(range(len(expected)))
        for r in got:
            assert file_text[r["start"]:r["end"]] == r["text"]
        assert [r["start"] for r in got] == sorted(r["start"] for r in got)
    assert "\r\n" in read_exact(tmp_path / "b.txt")  # the offsets above were into CRLF text


def test_markdown_markers_are_not_part_of_sentences(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "note.md", MARKDOWN)
    result = invoke("score", "note.md", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert [(r["text"], r["kind"]) for r in rows] == MARKDOWN_SENTENCES
    assert all(MARKDOWN[r["start"]:r["end"]] == r["text"] for r in rows)
    assert {r["doc_id"] for r in rows} == {"note.md"}


def test_html_page_gives_the_article_sentences(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "page.html", HTML)
    result = invoke("score", "page.html", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    texts = [r["text"] for r in rows]
    assert texts == ["Baku weighs its words on the war", *HTML_SENTENCES]
    assert rows[0]["kind"] == "headline"
    assert not any(w in " ".join(texts) for w in ("Home", "Contact", "Copyright", "rights reserved"))
    assert {r["doc_id"] for r in rows} == {"page.html"}


def test_stdin(tmp_path):
    result = invoke("score", "-", "-f", "jsonl", input=ART_A)
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert [r["text"] for r in rows] == ART_A_SENTENCES
    assert {r["doc_id"] for r in rows} == {"-"}
    assert all(ART_A[r["start"]:r["end"]] == r["text"] for r in rows)


def test_folder_is_read_recursively_in_path_order(tmp_path):
    root = tmp_path / "corpus"
    write(root / "trend" / "deep" / "two.md", MARKDOWN)
    write(root / "apa" / "one.txt", ART_A)
    write(root / ".drafts" / "skipped.txt", ART_A)  # hidden folder
    (root / "scan.pdf").write_bytes(b"%PDF-1.4\n")  # not an accepted extension
    result = invoke("score", root, "-f", "jsonl")
    assert result.exit_code == 0, result.output
    assert err_lines(result) == []
    rows = jsonl(result.stdout)
    one, two = str(root / "apa" / "one.txt"), str(root / "trend" / "deep" / "two.md")
    assert [r["doc_id"] for r in rows] == [one] * 3 + [two] * 4
    assert [r["source"] for r in rows] == ["apa"] * 3 + ["trend"] * 4  # outlet: the first sub-folder
    assert [r["text"] for r in rows] == ART_A_SENTENCES + [t for t, _ in MARKDOWN_SENTENCES]


def test_csv_and_jsonl_corpora(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quoted = 'The minister said "we stand with Ukraine" during a visit to Kyiv.\nAid convoys left Baku, officials said.'
    with open(tmp_path / "rows.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "source", "text"])
        w.writerow(["r1", "APA", ART_A])
        w.writerow(["r2", "Trend", quoted])
    write(tmp_path / "rows.jsonl", json.dumps({"id": "j1", "source": "Report", "text": ART_B}) + "\n")
    result = invoke("score", "rows.csv", "rows.jsonl", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert [(r["doc_id"], r["source"]) for r in rows] == (
        [("r1", "APA")] * 3 + [("r2", "Trend")] * 2 + [("j1", "Report")] * 2)
    docs = by_doc(rows)
    assert [r["text"] for r in docs["r2"]] == [
        'The minister said "we stand with Ukraine" during a visit to Kyiv.', "Aid convoys left Baku, officials said."]
    assert [r["text"] for r in docs["j1"]] == ART_B_SENTENCES
    for doc_id, text in (("r1", ART_A), ("r2", quoted), ("j1", ART_B)):
        assert all(text[r["start"]:r["end"]] == r["text"] for r in docs[doc_id])


def test_parquet_corpus_with_named_columns(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"key": ["p1", "p2"], "body": [ART_A, MARKDOWN], "outlet": ["Day", "Report"],
                  "text": ["decoy", "decoy"]}).to_parquet(tmp_path / "rows.parquet")
    result = invoke("score", "rows.parquet", "--text-column", "body", "--id-column", "key",
                    "--source-column", "outlet", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert [(r["doc_id"], r["source"]) for r in rows] == [("p1", "Day")] * 3 + [("p2", "Report")] * 4
    assert [r["text"] for r in rows] == ART_A_SENTENCES + [t for t, _ in MARKDOWN_SENTENCES]


# --- output formats -------------------------------------------------------------------------------


def _parse(fmt: str, text: str) -> list[dict]:
    if fmt == "json":
        data = json.loads(text)
        assert isinstance(data, list)
        return data
    if fmt == "jsonl":
        return jsonl(text)
    return list(csv.DictReader(io.StringIO(text)))


def _as_csv(rec: dict) -> dict:
    return {k: "" if v is None else str(v) for k, v in rec.items()}


@pytest.mark.parametrize("fmt, level", [("json", "sentence"), ("json", "article"), ("jsonl", "article"),
                                        ("csv", "sentence"), ("csv", "article")])
def test_formats_on_stdout(two_articles, scorer, fmt, level):
    result = invoke("score", *two_articles, "--format", fmt, "--level", level)
    assert result.exit_code == 0, result.output
    assert err_lines(result) == []
    fields = predict.SENTENCE_FIELDS if level == "sentence" else predict.ARTICLE_FIELDS
    if fmt == "csv":
        assert result.stdout.splitlines()[0] == ",".join(fields)
    got = _parse(fmt, result.stdout)
    expected = library_records(scorer, two_articles, level)
    assert len(got) == (5 if level == "sentence" else 2)
    assert all(list(r) == fields for r in got)
    assert got == ([_as_csv(r) for r in expected] if fmt == "csv" else expected)


@pytest.mark.parametrize("level", ["sentence", "article"])
def test_parquet_output_file(two_articles, tmp_path, scorer, level):
    pd = pytest.importorskip("pandas")
    pq = pytest.importorskip("pyarrow.parquet")
    result = invoke("score", *two_articles, "-f", "parquet", "--level", level, "--output", "out/scored.parquet")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    n = 5 if level == "sentence" else 2
    assert err_lines(result) == [f"wrote {n} {level} records to out/scored.parquet"]
    df = pd.read_parquet(tmp_path / "out" / "scored.parquet")
    fields = predict.SENTENCE_FIELDS if level == "sentence" else predict.ARTICLE_FIELDS
    assert list(df.columns) == fields and len(df) == n
    assert pq.read_table(tmp_path / "out" / "scored.parquet").to_pylist() == library_records(
        scorer, two_articles, level)
    assert os.listdir(tmp_path / "out") == ["scored.parquet"]


def lean_text(a: dict) -> str:
    """An article's lean as the tables print it."""
    def two(x):  # as a reader expects it: a value that rounds to zero is +0.00, never -0.00
        return f"{round(x, 2) + 0.0:+.2f}"

    return "-" if a["lean"] is None else f"{two(a['lean'])} [{two(a['lean_lo'])}, {two(a['lean_hi'])}]"


def table_rows(out: str) -> list[list[str]]:
    """The body rows of rich tables, a row's wrapped cells joined back together."""
    rows: list[list[str]] = []
    for line in out.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0]:
            rows.append(cells)
        else:  # a continuation line: the wrapped part of some cells
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]
    return rows


def test_table_sentence_level(two_articles, scorer):
    result = invoke("score", *two_articles)
    assert result.exit_code == 0, result.output
    out = result.stdout
    expected = library_records(scorer, two_articles, "sentence")
    assert table_rows(out) == [
        [str(r["index"]), r["stance"], f"{r['p_' + r['stance']]:.2f}", r["frame"], f"{r['p_frame']:.2f}",
         r["uncertain_reason"], r["text"]] for r in expected]
    assert out.index("a.txt") < out.index("b.txt")
    assert "3 sentences" in out and "2 sentences" in out
    for a in library_records(scorer, two_articles, "article"):
        assert f"lean {lean_text(a)}" in out


def test_table_article_level_to_a_file(two_articles, tmp_path, scorer):
    result = invoke("score", *two_articles, "--level", "article", "-o", "table.txt")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    table = (tmp_path / "table.txt").read_text(encoding="utf-8")
    assert "Articles" in table and "a.txt" in table and "b.txt" in table
    for a in library_records(scorer, two_articles, "article"):
        assert lean_text(a) in table


def test_failed_run_leaves_no_file_and_keeps_the_old_one(two_articles, tmp_path):
    (tmp_path / "scored.jsonl").write_text("previous run\n")
    (tmp_path / "no-model").mkdir()  # a folder without a trained model: the run fails (a missing folder is bad input)
    result = invoke("score", *two_articles, "-f", "jsonl", "-o", "scored.jsonl", "--model", tmp_path / "no-model")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = err_lines(result)
    assert line.startswith("error: ") and "no-model" in line and "no trained model" in line
    assert (tmp_path / "scored.jsonl").read_text() == "previous run\n"
    assert no_temp_files(tmp_path)


# --- what the records say -------------------------------------------------------------------------


def test_empty_corpus_row_gives_a_zero_sentence_record(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "rows.csv", f'id,text\nfull,"{ART_A}"\nhollow,\nlast,"{ART_B.strip()}"\n')
    result = invoke("score", "rows.csv", "-f", "jsonl", "--allow-empty")
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert [r["doc_id"] for r in rows] == ["full"] * 3 + ["hollow"] + ["last"] * 2
    empty = rows[3]
    assert empty["index"] is None and empty["start"] is None and empty["stance"] is None
    assert empty["uncertain"] is True and empty["uncertain_reason"] == "no_sentences"
    assert set(empty) == set(predict.SENTENCE_FIELDS)
    [warning] = err_lines(result)
    assert warning.startswith("warning: rows.csv:3: no article sentences found")
    # without --allow-empty the same records are written, and the exit code says one article was empty
    strict = invoke("score", "rows.csv", "-f", "jsonl")
    assert strict.exit_code == 1 and strict.stdout == result.stdout
    assert err_lines(strict)[0] == warning and "--allow-empty" in err_lines(strict)[-1]


def test_non_english_sentences_are_flagged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "mixed.txt", MIXED)
    result = invoke("score", "mixed.txt", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result.stdout)
    assert len(rows) == 4
    english, russian = rows[:2], rows[2:]
    assert [r["text"] for r in russian] == RUSSIAN_SENTENCES
    assert all(MIXED[r["start"]:r["end"]] == r["text"] for r in rows)
    assert all(r["uncertain"] and "not_english" in r["uncertain_reason"].split(",") for r in russian)
    assert all("not_english" not in r["uncertain_reason"] for r in english)


def test_article_level_shares_lean_intervals_and_exclusions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    write(tmp_path / "b.txt", ART_B, newline="")
    write(tmp_path / "mixed.txt", MIXED)
    write(tmp_path / "english.txt", ENGLISH_PART)
    result = invoke("score", "a.txt", "b.txt", "mixed.txt", "english.txt", "-l", "article", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    recs = {r["doc_id"]: r for r in jsonl(result.stdout)}
    assert list(recs) == ["a.txt", "b.txt", "mixed.txt", "english.txt"]
    assert recs["a.txt"]["share_pro_ukraine"] is not None
    for r in recs.values():
        if r["share_pro_ukraine"] is None:  # every sentence uncertain: no profile to check
            assert r["lean"] is None and r["n_uncertain"] == r["n_sentences"]
            continue
        shares = [r[f"share_{s}"] for s in STANCES]
        assert sum(shares) == pytest.approx(1, abs=5e-4)
        assert r["lean"] == pytest.approx(r["share_pro_ukraine"] - r["share_russia_accommodating"], abs=2e-4)
        for s in STANCES:
            assert r[f"share_{s}_lo"] <= r[f"share_{s}"] <= r[f"share_{s}_hi"]
            assert 0 <= r[f"share_{s}_lo"] and r[f"share_{s}_hi"] <= 1
        assert r["lean_lo"] <= r["lean"] <= r["lean_hi"]
        assert 0 <= r["n_uncertain"] <= r["n_sentences"]
    assert (recs["a.txt"]["n_sentences"], recs["b.txt"]["n_sentences"]) == (3, 2)
    # the two Russian sentences are flagged uncertain and still counted: nothing is left out of the
    # shares silently, so the mixed article's profile is not the English part's
    mixed, eng = recs["mixed.txt"], recs["english.txt"]
    assert mixed["n_sentences"] == eng["n_sentences"] + 2
    assert mixed["n_uncertain"] == eng["n_uncertain"] + 2
    rows = jsonl(invoke("score", "mixed.txt", "-f", "jsonl").stdout)
    assert sum(r["uncertain_reason"] == "not_english" for r in rows) == 2
    from stanceframe.project import load_model

    P = np.array([[r[f"p_{s}"] for s in STANCES] for r in rows])
    every = load_model().quantifier.shares_in(P, STANCES)[0]
    assert [mixed[f"share_{s}"] for s in STANCES] == pytest.approx(every, abs=2e-3)


# --- bad input ------------------------------------------------------------------------------------


def _make_missing(tmp_path):
    return "gone.txt"


def _make_empty_folder(tmp_path):
    (tmp_path / "shelf").mkdir()
    (tmp_path / "shelf" / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "shelf" / ".hidden.txt").write_text(ART_A)
    return "shelf"


def _make_file(name, data):
    def make(tmp_path):
        (tmp_path / name).write_bytes(data)
        return name
    return make


BAD_INPUTS = [
    pytest.param(_make_missing, "no such file or folder", id="missing-path"),
    pytest.param(_make_empty_folder, "no files to score in the folder", id="folder-with-nothing-scorable"),
    pytest.param(_make_file("blank.txt", b""), "file is empty", id="empty-file"),
    pytest.param(_make_file("report.txt", b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<< /Type /Catalog >>\n"),
                 "looks like a PDF file, not text", id="pdf"),
    pytest.param(_make_file("garbled.txt", bytes(range(0xFF, 0x7F, -1)) * 3), "cannot decode the text",
                 id="undecodable"),
    pytest.param(_make_file("page.html", HTML_WITHOUT_ARTICLE.encode()), "no article text found in the HTML page",
                 id="html-without-article"),
    pytest.param(_make_file("rows.csv", f'id,body\n1,"{ART_A}"\n'.encode()), "--text-column",
                 id="csv-without-text-column"),
]


@pytest.mark.parametrize("make, fragment", BAD_INPUTS)
def test_bad_input(tmp_path, monkeypatch, make, fragment):
    monkeypatch.chdir(tmp_path)
    name = make(tmp_path)
    result = invoke("score", name)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = err_lines(result)
    assert lines[0] == "1 input(s) could not be scored:"
    [line] = [ln for ln in lines if name in ln]
    assert line.startswith(f"  {name}: ") and fragment in line
    if name == "rows.csv":
        assert "no 'text' column" in line and "id, body" in line


def test_csv_broken_row_good_rows_written(tmp_path, monkeypatch, scorer):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "rows.csv", f'id,text\none,"{ART_A}"\ntwo,Baku,an unquoted comma\nthree,"{ART_B.strip()}"\n')
    result = invoke("score", "rows.csv", "-f", "csv", "-o", "scored.csv")
    assert result.exit_code == 1, result.output
    got = list(csv.DictReader(open(tmp_path / "scored.csv", encoding="utf-8", newline="")))
    assert [r["doc_id"] for r in got] == ["one"] * 3 + ["three"] * 2
    lines = err_lines(result)
    assert lines == ["wrote 5 sentence records to scored.csv", "1 input(s) could not be scored:",
                     "  rows.csv:3: row has 3 fields but the header has 2; "
                     "a value with a comma in it must be in double quotes"]
    assert no_temp_files(tmp_path)


def test_one_input_fails_another_succeeds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    (tmp_path / "blank.txt").write_bytes(b"  \n")
    result = invoke("score", "gone.txt", "a.txt", "blank.txt", "-f", "jsonl")
    assert result.exit_code == 1, result.output
    assert [r["text"] for r in jsonl(result.stdout)] == ART_A_SENTENCES
    lines = err_lines(result)
    assert lines[-3] == "2 input(s) could not be scored:"
    assert lines[-2].startswith("  gone.txt: no such file or folder")
    assert lines[-1] == "  blank.txt: file is empty"


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "error: unknown format 'xml'; accepted: table, json, jsonl, csv, parquet"),
    (["--format", "parquet"], "error: parquet output needs a file: add --output FILE.parquet"),
])
def test_bad_options(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    result = invoke("score", "a.txt", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert err_lines(result) == [message]
    assert os.listdir(tmp_path) == ["a.txt"]


# --- explain --------------------------------------------------------------------------------------

EXPLAINED = "Baku did not join the sanctions against Moscow and kept its embassy in Kyiv open."


def test_explain_table():
    data = json.loads(invoke("explain", EXPLAINED, "--format", "json").stdout)
    result = invoke("explain", EXPLAINED)
    assert result.exit_code == 0, result.output
    for target in ("stance", "frame"):
        r = data[target]
        assert f"{target}: {r['label']} (p={r['probability']:.2f}" in result.stdout
        assert f"toward {r['label']}" in result.stdout
        assert r["toward"][0]["feature"] in result.stdout


def test_explain_json():
    result = invoke("explain", EXPLAINED, "--format", "json", "--top", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"] == EXPLAINED
    for target in ("stance", "frame"):
        r = data[target]
        assert {"label", "probability", "probabilities", "toward", "away"} <= set(r)
        assert r["probabilities"][r["label"]] == r["probability"] == max(r["probabilities"].values())
        assert sum(r["probabilities"].values()) == pytest.approx(1, abs=1e-3)
        toward = [t["contribution"] for t in r["toward"]]
        away = [a["contribution"] for a in r["away"]]
        assert toward and len(toward) <= 5 and len(away) <= 5
        assert all(c > 0 for c in toward) and toward == sorted(toward, reverse=True)
        assert all(c < 0 for c in away) and away == sorted(away)
        assert all(set(t) == {"feature", "kind", "contribution"} for t in r["toward"] + r["away"])
    assert list(data["stance"]["probabilities"]) == list(STANCES)


@pytest.mark.parametrize("args, stdin", [([""], None), (["-"], " \n\t\n")], ids=["empty-argument", "blank-stdin"])
def test_explain_empty_text(args, stdin):
    result = invoke("explain", *args, input=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert err_lines(result) == ["error: the text to explain is empty"]


# --- properties of the library the CLI is built on ------------------------------------------------

_PIECES = st.sampled_from([
    *ART_A_SENTENCES, *ART_B_SENTENCES, RUSSIAN, "\n", "\n\n", "\r\n", " ", "\t", "\u00a0", "\u2028",
    ". ", "!", "?", "...", "…", ":", "U.S. ", "Dr. ", "e.g. ", "S. ", "3.5 ", "«", "»", '"', "(", ")",
    "# ", "- ", "1. ", "> ", "Read more:", "Privacy policy", "12 March 2024", "Баку",
])
MIXED_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=25).map("".join)
ANY_TEXT = st.one_of(st.text(), MIXED_TEXT)


@settings(max_examples=60, deadline=None)
@given(text=ANY_TEXT)
def test_scoring_any_text(scorer, text):
    doc = Document(id="d", text=text, fmt="text", origin="d")
    [(got, records, article)] = list(scorer.score([doc]))
    assert got is doc
    if article["n_sentences"] == 0:
        assert [r["uncertain_reason"] for r in records] == ["no_sentences"]
        return
    assert [r["index"] for r in records] == list(range(len(records))) and len(records) == article["n_sentences"]
    for r in records:
        assert doc.text[r["start"]:r["end"]] == r["text"]
        assert sum(r[f"p_{s}"] for s in STANCES) == pytest.approx(1, abs=1e-3)  # probabilities rounded to 4 places
        assert r["stance"] in STANCES and 0 <= r["p_frame"] <= 1


@settings(max_examples=60, deadline=None)
@given(text=ANY_TEXT)
def test_page_sentences_offsets(text):
    sents = page_sentences(text, "src")
    end = 0
    for i, s in enumerate(sents):
        assert s.index == i and s.source == "src"
        assert text[s.start:s.end] == s.text
        assert s.start >= end and s.end > s.start  # increasing, never overlapping
        assert s.text and s.text == s.text.strip()
        end = s.end


# --- bugs found while writing these tests, fixed since: they stay as regression tests ------------


def test_output_below_a_file_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    result = invoke("score", "a.txt", "-f", "jsonl", "-o", "a.txt/scored.jsonl")
    assert result.exit_code == 2
    [line] = err_lines(result)
    assert line.startswith("error: ") and "a.txt" in line


def test_table_output_to_a_new_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    result = invoke("score", "a.txt", "-o", "reports/table.txt")
    assert result.exit_code == 0
    assert "Baku" in (tmp_path / "reports" / "table.txt").read_text(encoding="utf-8")


def test_nothing_scored_keeps_the_previous_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scored.jsonl").write_text("previous run\n")
    result = invoke("score", "gone.txt", "-f", "jsonl", "-o", "scored.jsonl")
    assert result.exit_code == 2
    assert (tmp_path / "scored.jsonl").read_text() == "previous run\n"


def test_n_boot_zero(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    result = invoke("score", "a.txt", "-f", "jsonl", "--n-boot", "0")
    assert result.exit_code == 2 and "--n-boot" in result.stderr and result.stdout == ""


def test_parquet_output_past_the_first_batch(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from stanceframe.output import RecordWriter

    fields = predict.SENTENCE_FIELDS
    out = tmp_path / "scored.parquet"
    hollow = {k: None for k in fields} | {"doc_id": "x", "source": "", "kind": "", "text": "", "uncertain": True,
                                          "uncertain_reason": "no_sentences"}
    real = {"doc_id": "y", "source": "", "index": 0, "start": 0, "end": 10, "kind": "body", "text": "Baku spoke.",
            "stance": "none", "p_pro_ukraine": 0.1, "p_russia_accommodating": 0.1, "p_balancing": 0.1,
            "p_none": 0.7, "frame": "political", "p_frame": 0.5, "uncertain": False, "uncertain_reason": ""}
    w = RecordWriter("parquet", out, fields)
    try:
        for _ in range(50_000):  # a corpus whose first 50,000 rows have empty text
            w.write(hollow)
        w.write(real)
        w.close()
    except Exception:
        pq_writer = getattr(w, "_pq", None)
        if pq_writer is not None:  # abort() closes only the file; close the ParquetWriter quietly first
            try:  # (else its __del__ prints "Exception ignored ... write to closed file" at exit)
                pq_writer.close()
            except Exception:
                pass
        w.abort()
        assert no_temp_files(tmp_path)
        raise
    rows = pq.read_table(out, columns=["doc_id", "index"]).to_pylist()
    assert len(rows) == 50_001 and rows[-1] == {"doc_id": "y", "index": 0}


def test_output_naming_a_folder_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", ART_A)
    (tmp_path / "outdir").mkdir()
    for args in (("-f", "csv"), ()):
        result = invoke("score", "a.txt", *args, "-o", "outdir")
        assert result.exit_code == 2, result.output
        assert "is a folder" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["score", "-"], ["explain", "Baku sent aid."], ["sources", "-"]])
def test_a_model_folder_that_does_not_exist_is_bad_input(command, tmp_path):
    result = CliRunner().invoke(predict.app, [*command, "--model", str(tmp_path / "nomodel")], input="Baku sent aid.\n")
    assert result.exit_code == 2, result.output
    assert "nomodel: no such model folder" in result.output and "Traceback" not in result.output
