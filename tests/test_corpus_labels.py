"""Labels for any corpus: offsets into the text the tool extracted (HTML too), checked with --corpus;
a stance, a frame or both per row; folds by outlet; untrainable sets said in one line."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import predict  # noqa: E402
import train  # noqa: E402
from fixture_corpus import ARTICLES, write_corpus  # noqa: E402

from stanceframe import training  # noqa: E402

runner = CliRunner()
GOLD = {text: (stance, frame) for items in ARTICLES.values() for stance, frame, text in items}
HEADLINE = "Baku between two capitals"
COLUMNS = ["doc_id", "source", "start", "end", "text", "stance", "frame", "note", "sample", "suggested_stance",
           "p_stance_none", "sentence_id"]


def _html(sentences) -> str:
    body = "\n".join(f"<p>{s}</p>" for s in sentences)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Araz Post</title></head><body>"
            f"<header><nav><a href=\"/\">Home</a> | <a href=\"/world\">World</a></nav></header><main><article>"
            f"<h1>{HEADLINE}</h1>\n{body}\n</article></main><footer><p>Copyright 2024 Araz Post.</p></footer>"
            "</body></html>\n")


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """A corpus folder of three outlets (one of them two articles, one an HTML page) and the sentence
    rows `predict.py score --format csv` writes for it."""
    base = tmp_path_factory.mktemp("corpuslabels")
    corpus = base / "corpus"
    texts = {k: [t for _, _, t in v] for k, v in ARTICLES.items()}
    for outlet, name, text in [("Volga Wire", "a1.txt", " ".join(texts["t01"][:7])),
                               ("Volga Wire", "a2.txt", " ".join(texts["t01"][7:])),
                               ("Kura Daily", "k.txt", " ".join(texts["t02"])),
                               ("Araz Post", "page.html", _html(texts["t03"]))]:
        (corpus / outlet).mkdir(parents=True, exist_ok=True)
        (corpus / outlet / name).write_text(text + "\n", encoding="utf-8")
    out = base / "scored.csv"
    result = runner.invoke(predict.app, ["score", str(corpus), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(out, newline="", encoding="utf-8")))
    assert {r["text"] for r in rows} == set(GOLD) | {HEADLINE}
    return corpus, rows


def write_labels(path: Path, rows, edit=lambda i, row: row) -> Path:
    """Corpus labels from score's rows, labelled by hand (GOLD); the headline left unlabelled."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        for i, r in enumerate(rows):
            stance, frame = GOLD.get(r["text"], ("", ""))
            row = {**{c: r[c] for c in ("doc_id", "source", "start", "end", "text")}, "stance": stance,
                   "frame": frame, "note": "", "sample": "random", "suggested_stance": r["stance"],
                   "p_stance_none": r["p_none"], "sentence_id": f"s{i}"}
            w.writerow(edit(i, row))
    return path


def check(*args):
    return runner.invoke(train.app, ["--check", "--no-written", "--no-seeds", *map(str, args)])


def test_html_offsets_are_those_score_prints_and_are_checked_against_the_extracted_text(scored, tmp_path):
    from stanceframe.readers import iter_documents

    corpus, rows = scored
    page = next(d for d in iter_documents([str(corpus / "Araz Post" / "page.html")]))
    html_rows = [r for r in rows if r["doc_id"].endswith("page.html")]
    assert len(html_rows) == len(ARTICLES["t03"]) + 1
    for r in html_rows:  # score's offsets index the trafilatura text, not the page's markup
        assert page.text[int(r["start"]):int(r["end"])] == r["text"]
    assert "<p>" not in page.text and "<p>" in (corpus / "Araz Post" / "page.html").read_text()
    labels = write_labels(tmp_path / "mine.csv", rows)
    result = check("--labels", labels, "--corpus", corpus)
    assert result.exit_code == 0, result.output
    assert f"ok: {len(GOLD)} labelled sentences (0 seed, 0 written, {len(GOLD)} corpus) in 3 sources" in result.stdout
    assert "1 corpus label rows have neither a stance nor a frame" in result.stderr
    assert "not checked" not in result.stderr
    with_seeds = runner.invoke(train.app, ["--check", "--no-written", "--labels", str(labels), "--corpus", str(corpus)])
    assert with_seeds.exit_code == 0, with_seeds.output  # corpus labels are added to the bundled seed labels
    assert f"(231 seed, 0 written, {len(GOLD)} corpus) in 8 sources" in with_seeds.stdout

    line = next(i for i, r in enumerate(rows) if r["doc_id"].endswith("page.html") and r["text"] != HEADLINE)
    shifted = write_labels(tmp_path / "shifted.csv", rows,
                           lambda i, row: {**row, "start": int(row["start"]) + 1} if i == line else row)
    result = check("--labels", shifted, "--corpus", corpus)
    assert result.exit_code == 2 and "Traceback" not in result.output
    want = rows[line]["text"][1:]
    assert (f"{shifted}:{line + 2}: text does not match {page.origin}[{int(rows[line]['start']) + 1}:"
            f"{rows[line]['end']}], which is {(want[:60] + '...') if len(want) > 60 else want!r}") in result.stderr


def test_an_unknown_doc_id_and_no_corpus_are_each_said_in_one_line(scored, tmp_path):
    corpus, rows = scored
    renamed = write_labels(tmp_path / "renamed.csv", rows,
                           lambda i, row: {**row, "doc_id": "corpus/elsewhere.html"} if i == 3 else row)
    result = check("--labels", renamed, "--corpus", corpus)
    assert result.exit_code == 2
    assert f"{renamed}:5: doc_id 'corpus/elsewhere.html' is not in the corpus (4 documents: " in result.stderr
    result = check("--labels", renamed)  # without the corpus the text is trusted, and said so
    assert result.exit_code == 0, result.output
    assert [ln for ln in result.stderr.splitlines() if "not checked against their documents" in ln] == [
        f"note: {len(GOLD)} corpus labels are not checked against their documents (no --corpus given): their text is "
        "trusted as written"]


def test_a_formula_guard_before_a_text_is_not_part_of_it(scored, tmp_path):
    corpus, rows = scored
    doc = tmp_path / "corpus" / "Dash"
    doc.mkdir(parents=True)
    (doc / "d.txt").write_text("-Baku sent aid to Kyiv.\n", encoding="utf-8")
    guarded = [{"doc_id": str(doc / "d.txt"), "source": "Dash", "start": "0", "end": "23",
                "text": "'-Baku sent aid to Kyiv.", "stance": "pro_ukraine", "frame": ""}]
    from stanceframe.corpuslabels import corpus_texts, load_corpus_labels

    df, _ = load_corpus_labels([("x:2", guarded[0])], corpus_texts([doc], {str(doc / "d.txt")}), {})
    assert df["text"].tolist() == ["-Baku sent aid to Kyiv."]


def _mixed(i, row):
    """Every third row stance only, every third frame only: each target has its own rows."""
    if row["stance"] and i % 3 == 1:
        return {**row, "frame": ""}
    if row["stance"] and i % 3 == 2:
        return {**row, "stance": ""}
    return row


def test_stance_only_and_frame_only_rows_train_each_target_on_its_own_rows_with_folds_by_outlet(scored, tmp_path):
    corpus, rows = scored
    labels = write_labels(tmp_path / "mixed.csv", rows, _mixed)
    out = tmp_path / "m"
    result = runner.invoke(train.app, ["--labels", str(labels), "--corpus", str(corpus), "--no-written", "--no-seeds",
                                       "--no-compare", "--out", str(out), "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    labelled = [_mixed(i, {"text": r["text"], "stance": GOLD.get(r["text"], ("", ""))[0],
                           "frame": GOLD.get(r["text"], ("", ""))[1]}) for i, r in enumerate(rows)]
    for target in ("stance", "frame"):
        ev = metrics["evaluation"][target]["loso"]
        # one fold per outlet: Volga Wire's two articles are one group, held out together
        assert [f["held_out"] for f in ev["folds"]] == ["Araz Post", "Kura Daily", "Volga Wire"]
        n = sum(1 for r in labelled if r[target])
        assert sum(f["n_test"] for f in ev["folds"]) == n == metrics["data"]["n_labelled"][target]
        assert sum(c["support"] for c in ev["model"]["per_class"].values()) == n
    assert metrics["data"]["n_labelled"] == {"stance": 25, "frame": 25}
    assert metrics["data"]["n_corpus"] == len(GOLD) and metrics["data"]["corpus_groups"] == [
        "Araz Post", "Kura Daily", "Volga Wire"]
    assert metrics["data"]["per_group"]["Volga Wire"] == len(ARTICLES["t01"])
    assert "" not in metrics["data"]["per_class"]["stance"] and "" not in metrics["data"]["per_class"]["frame"]
    assert "corpus outlet" in (out / "MODEL_CARD.md").read_text()


def test_a_corpus_outlet_cannot_take_the_name_of_a_seed_source_or_a_written_voice(scored, tmp_path):
    from fixture_corpus import WRITTEN, write_written

    _, rows = scored
    seeds = write_corpus(tmp_path / "seeds")
    voice = next(iter(WRITTEN))
    names = {1: "t02", 5: voice}  # row 0 is the page's headline, not labelled
    labels = write_labels(tmp_path / "clash.csv", rows,
                          lambda i, row: {**row, "source": names.get(i, row["source"])})
    result = runner.invoke(train.app, ["--check", "--labels", str(seeds["labels"]), "--labels", str(labels),
                                       "--sources", str(seeds["sources"]),
                                       "--written", str(write_written(tmp_path / "w.csv"))])
    assert result.exit_code == 2
    assert (f"{labels}:3: source 't02' is also the id of seed source t02 in sources.csv; a corpus outlet is a group of "
            "its own, so give it another name") in result.stderr
    assert f"{labels}:7: source {voice!r} is also a voice of the written corpus" in result.stderr


def one_outlet(i, row):
    return {**row, "source": "Volga Wire"}


def stance_only(i, row):
    return {**row, "frame": ""}


def frame_only(i, row):
    return {**row, "stance": ""}


def one_class(i, row):
    return {**row, "stance": "none"}


@pytest.mark.parametrize("edit, message", [
    (stance_only, "frame: no sentence is labelled for frame; the model has a stance and a frame classifier"),
    (frame_only, "stance: no sentence is labelled for stance"),
    (one_outlet, "held-out evaluation needs labels from at least three sources or voices; found 1"),
    (one_class, "stance: training needs at least two classes; the labels have only none"),
])
def test_untrainable_corpus_labels_are_one_line_exit_2_in_check_and_in_training(scored, tmp_path, edit, message):
    corpus, rows = scored
    labels = write_labels(tmp_path / "l.csv", rows, edit)
    for args in (["--check"], ["--out", str(tmp_path / "m"), "--quiet", "--jobs", "1"]):
        result = runner.invoke(train.app, ["--labels", str(labels), "--corpus", str(corpus), "--no-written",
                                           "--no-seeds", *args])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and message in errors[0]
    assert not (tmp_path / "m").exists()


def test_an_inner_split_with_one_class_is_found_before_fitting():
    # 'b' only in G1 and G2: holding G1 out leaves G2-G4, and the inner split training on G3 and G4 has no 'b'
    y = np.array(["a", "b", "a", "b", "a", "a", "a", "a"], dtype=object)
    groups = np.array(["G1", "G1", "G2", "G2", "G3", "G3", "G4", "G4"], dtype=object)
    problem = training._untrainable(y, groups, ["G1", "G2", "G3", "G4"], {"": np.ones(8, dtype=bool)})
    assert problem.startswith("the fold that holds 'G1' out chooses its settings on splits by outlet or voice, and "
                              "one of them has only 'a'")
    fine = np.array(["a", "b"] * 4, dtype=object)
    assert training._untrainable(fine, groups, ["G1", "G2", "G3", "G4"], {"": np.ones(8, dtype=bool)}) is None


def test_a_labels_file_of_neither_kind_is_one_line(tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text("sentence,label\nBaku sent aid.,pro_ukraine\n", encoding="utf-8")
    result = check("--labels", f)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {f}:1: a labels file has a doc_id column (corpus labels: doc_id,source,start,end,text,stance,frame,"
        "note) or a sentence_id column (seed labels: sentence_id,source,start,end,text,stance,frame,note); found: "
        "sentence,label"]


def test_the_corpus_may_be_named_otherwise_than_it_was_for_score(scored, tmp_path, monkeypatch):
    corpus, rows = scored
    labels = write_labels(tmp_path / "mine.csv", rows)  # doc_ids are absolute paths, as score was given one
    monkeypatch.chdir(corpus.parent)
    result = check("--labels", labels, "--corpus", f"./{corpus.name}")
    assert result.exit_code == 0, result.output


def test_seed_labels_may_leave_a_target_empty_too(tmp_path):
    from stanceframe.labels import load_labels, load_sources

    seeds = write_corpus(tmp_path / "seeds")
    rows = list(csv.reader(open(seeds["labels"], newline="", encoding="utf-8")))
    rows[1][6] = ""  # frame not labelled
    rows[2][5] = rows[2][6] = ""  # neither: not a label
    with open(seeds["labels"], "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    df = load_labels([seeds["labels"]], load_sources(seeds["sources"]))
    assert len(df) == len(rows) - 2 and df.attrs["unlabelled"] == 1
    assert df.loc[df["sentence_id"] == rows[1][0], "frame"].tolist() == [""]
