"""`predict.py suggest`: each task format written, filled the way its tool exports it, and checked
against `predict.py score` on the same corpus; the sampling strategies on hand-made candidates.
Every text here was written for these tests."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

import predict
from stanceframe.labels import FRAMES, STANCES
from stanceframe.readers import Document, iter_documents
from stanceframe.sampling import Candidate, Pools, near_duplicate
from stanceframe.tasks import LABELS_CSV

OUTLET_A = {
    "a1.txt": "Baku sent generators to hospitals in Kharkiv this winter. Officials said more aid would follow. "
              "The Kremlin called the shipments unhelpful.\n",
    "a2.md": "# Trade on the Caspian\n\nCargo through the northern corridor grew again. "
             "Azerbaijan did not join the sanctions against Russia.\n",
}
OUTLET_B_HTML = """<html><head><title>Baku keeps both doors open</title>
<meta property="article:published_time" content="2025-02-03"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Baku keeps both doors open</h1>
<p>Azerbaijan talks to Moscow and Kyiv with equal care, its diplomats say.</p>
<p>The foreign minister met his Ukrainian colleague on Monday. A week later he was in Moscow.</p>
</article><footer>Copyright 2025 Example Post</footer></body></html>
"""


def invoke(*args):
    return CliRunner().invoke(predict.app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("suggest")
    pages = root / "pages"
    (pages / "Outlet A").mkdir(parents=True)
    (pages / "Outlet B").mkdir()
    for name, text in OUTLET_A.items():
        (pages / "Outlet A" / name).write_text(text, encoding="utf-8")
    (pages / "Outlet B" / "b1.html").write_text(OUTLET_B_HTML, encoding="utf-8")
    result = invoke("score", str(pages), "-f", "jsonl", "-o", str(root / "scored.jsonl"))
    assert result.exit_code == 0, result.output
    scored = [json.loads(line) for line in (root / "scored.jsonl").read_text().splitlines()]
    texts = {d.id: d for d in iter_documents([str(pages)]) if isinstance(d, Document)}
    return root, pages, {(r["doc_id"], r["start"], r["end"]): r for r in scored}, texts


def check_against_score(rec: dict, scored: dict, docs: dict) -> None:
    """A task's sentence is one `score` reports: same document id, offsets, text and outlet, and the
    offsets cut that text out of the document's extracted text."""
    key = (rec["doc_id"], int(rec["start"]), int(rec["end"]))
    assert key in scored
    assert rec["text"] == scored[key]["text"] == docs[key[0]].text[key[1]:key[2]]
    assert rec["source"] == scored[key]["source"]


def test_csv_is_the_labels_format_with_empty_answers_and_scores_offsets(corpus, tmp_path):
    root, pages, scored, docs = corpus
    out = tmp_path / "to_label.csv"
    result = invoke("suggest", str(pages), "--n", "100", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {len(scored)} sentences ({len(scored)} random, 0 uncertain)" in result.output
    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == LABELS_CSV
        rows = list(reader)
    assert len(rows) == len(scored) and len({(r["doc_id"], r["start"]) for r in rows}) == len(rows)
    assert any(r["doc_id"].endswith("b1.html") for r in rows)  # HTML offsets are into the extracted text
    for r in rows:
        check_against_score(r, scored, docs)
        assert r["stance"] == r["frame"] == r["note"] == ""
        assert r["sample"] == "random"
        s = scored[(r["doc_id"], int(r["start"]), int(r["end"]))]
        assert r["suggested_stance"] == s["stance"] and r["suggested_frame"] == s["frame"]
        assert [float(r[f"p_stance_{c}"]) for c in STANCES] == [s[f"p_{c}"] for c in STANCES]
        p_frames = {f: float(r[f"p_frame_{f}"]) for f in FRAMES if r[f"p_frame_{f}"]}
        assert abs(sum(p_frames.values()) - 1) < 0.01 and max(p_frames, key=p_frames.get) == s["frame"]
    assert {r["source"] for r in rows} == {"Outlet A", "Outlet B"}
    html = next(r for r in rows if r["doc_id"].endswith("b1.html"))
    assert html["title"] == "Baku keeps both doors open" and html["date"] == "2025-02-03"


def test_prodigy_tasks_keep_the_suggestion_out_of_the_answer(corpus, tmp_path):
    root, pages, scored, docs = corpus
    out = tmp_path / "tasks.jsonl"
    assert invoke("suggest", str(pages), "--n", "4", "--seed", "3", "-o", str(out)).exit_code == 0
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(tasks) == 4
    hashes = set()
    for t in tasks:
        assert set(t) == {"text", "meta", "options", "_input_hash", "_task_hash"}  # no accept, no answer
        assert [o["id"] for o in t["options"]][:4] == list(STANCES)
        assert all(o["id"] == o["text"] for o in t["options"])
        assert isinstance(t["_input_hash"], int) and isinstance(t["_task_hash"], int)
        hashes.add(t["_input_hash"])
        assert t["meta"]["suggested_stance"] in STANCES and t["meta"]["sample"] == "random"
        check_against_score({"text": t["text"], **t["meta"]}, scored, docs)
        # what Prodigy gives back: the task with the annotator's choices
        t.update(accept=["balancing", "political"], answer="accept")
        assert set(t["accept"]) <= {o["id"] for o in t["options"]}
    assert len(hashes) == 4


def test_label_studio_tasks_predictions_and_config(corpus, tmp_path):
    root, pages, scored, docs = corpus
    out = tmp_path / "ls.json"
    result = invoke("suggest", str(pages), "--n", "3", "-o", str(out))
    assert result.exit_code == 0 and "ls.xml" in result.output
    tasks = json.loads(out.read_text())
    view = ET.fromstring((tmp_path / "ls.xml").read_text())
    assert view.tag == "View"
    assert {t.get("name"): t.get("value") for t in view.iter("Text")}["text"] == "$text"
    choices = {c.get("name"): c for c in view.iter("Choices")}
    assert set(choices) == {"stance", "frame"}
    assert all(c.get("choice") == "single" and c.get("toName") == "text" for c in choices.values())
    assert [c.get("value") for c in choices["stance"]] == list(STANCES)
    assert len(tasks) == 3
    for t in tasks:
        data = t["data"]
        check_against_score(data, scored, docs)
        assert {"before", "after", "sample", "title", "date"} <= set(data)
        [pred] = t["predictions"]
        assert pred["model_version"].startswith("stanceframe")
        stance, frame = pred["result"]
        assert (stance["from_name"], frame["from_name"]) == ("stance", "frame")
        assert stance["value"]["choices"][0] == scored[(data["doc_id"], data["start"], data["end"])]["stance"]
        s = scored[(data["doc_id"], data["start"], data["end"])]
        assert pred["score"] == s[f"p_{stance['value']['choices'][0]}"]
        assert "annotations" not in t  # a prediction is not an annotation
        # Label Studio's export: the same data, an annotation with the same result shape
        t["annotations"] = [{"result": [dict(stance, value={"choices": ["none"]}),
                                        dict(frame, value={"choices": ["economic"]})]}]
        for r in t["annotations"][0]["result"]:
            assert r["value"]["choices"][0] in [c.get("value") for c in choices[r["from_name"]]]


def test_doccano_lines_have_empty_labels_and_metadata_on_top(corpus, tmp_path):
    root, pages, scored, docs = corpus
    out = tmp_path / "d.doccano.jsonl"
    assert invoke("suggest", str(pages), "--n", "3", "-o", str(out)).exit_code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3
    for d in lines:
        assert d["label"] == [] and d["sample"] == "random" and d["suggested_stance"] in STANCES
        check_against_score(d, scored, docs)
        d["label"] = ["pro_ukraine", "legality"]  # doccano's export: the chosen labels in `label`


def test_mixed_on_the_command_line_alternates(corpus, tmp_path):
    root, pages, scored, docs = corpus
    out = tmp_path / "m.csv"
    assert invoke("suggest", str(pages), "--n", "5", "--strategy", "mixed", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(open(out, newline="", encoding="utf-8")))
    assert [r["sample"] for r in rows] == ["random", "uncertain", "random", "uncertain", "random"]


@pytest.mark.parametrize("args, message", [
    (["--n", "2", "-o", "{pages}/Outlet A/a1.txt"], "is inside the input folder"),
    (["--n", "2", "-o", "{tmp}/x.tsv"], "accepted: .csv"),
    (["--n", "2", "--strategy", "smart", "-o", "{tmp}/x.csv"], "accepted: random, uncertain, mixed"),
])
def test_refusals(corpus, tmp_path, args, message):
    root, pages, *_ = corpus
    before = (pages / "Outlet A" / "a1.txt").read_bytes()
    result = invoke("suggest", str(pages), *[a.format(pages=pages, tmp=tmp_path) for a in args])
    assert result.exit_code == 2 and message in result.output
    assert (pages / "Outlet A" / "a1.txt").read_bytes() == before
    assert not (tmp_path / "x.csv").exists()


def test_help_has_an_example():
    result = invoke("suggest", "--help")
    assert result.exit_code == 0 and "stanceframe suggest pages/" in result.output


# --- strategies, on hand-made candidates (no model) ------------------------------------------------

def cand(i: int, text: str | None = None, p=(0.25, 0.25, 0.25, 0.25)) -> Candidate:
    tag = "q" + "".join(chr(97 + int(d)) for d in str(i))  # a word of its own for each sentence
    return Candidate(doc_id=f"d{i // 10}", source="x", start=i * 100, end=i * 100 + 50,
                     text=text or f"Report {tag} on {tag}x matters {tag}y.", p_stance=dict(zip(STANCES, p)))


def picks(strategy, items, n, seed=0):
    pools = Pools(n, strategy, seed)
    for c in items:
        pools.add(c)
    return pools.picks()


def test_random_is_reproducible_extends_and_is_uniform():
    items = [cand(i) for i in range(30)]
    first = [c.where for c in picks("random", items, 5, seed=1)]
    assert first == [c.where for c in picks("random", list(reversed(items)), 5, seed=1)]  # order-free
    assert first != [c.where for c in picks("random", items, 5, seed=2)]
    assert set(first) <= {c.where for c in picks("random", items, 12, seed=1)}  # more labels extend the sample
    # each of 10 sentences is in a sample of 3 with probability 0.3: over 400 seeds, 120 times on average
    # (binomial sd 9.2; 85..155 is more than 3.5 sd either way)
    counts = {c.where: 0 for c in items[:10]}
    for seed in range(400):
        for c in picks("random", items[:10], 3, seed=seed):
            counts[c.where] += 1
    assert all(85 <= k <= 155 for k in counts.values()), counts


def test_uncertain_takes_the_lowest_margins_then_the_highest_entropy():
    items = [cand(0, p=(0.9, 0.05, 0.03, 0.02)),   # margin 0.85
             cand(1, p=(0.4, 0.35, 0.2, 0.05)),    # margin 0.05
             cand(2, p=(0.5, 0.2, 0.2, 0.1)),      # margin 0.30
             cand(3, p=(0.3, 0.3, 0.3, 0.1)),      # margin 0, entropy 1.314
             cand(4, p=(0.45, 0.45, 0.05, 0.05))]  # margin 0, entropy 1.018
    got = picks("uncertain", items, 3)
    assert [c.start for c in got] == [300, 400, 100]
    assert {c.sample for c in got} == {"uncertain"}


def test_mixed_alternates_never_repeats_and_skips_near_duplicates():
    sure = [cand(i, p=(0.97, 0.01, 0.01, 0.01)) for i in range(20)]
    doubtful = "Baku said it would talk to both sides about the new pipeline deal"
    unsure = [cand(100 + i, text=doubtful + ("." if i % 2 else f" in {2020 + i}."), p=(0.3, 0.3, 0.2, 0.2))
              for i in range(6)]
    unsure.append(cand(200, text="A quite different sentence on grain and rail freight.", p=(0.3, 0.29, 0.21, 0.2)))
    got = picks("mixed", sure + unsure, 6)
    assert [c.sample for c in got] == ["random", "uncertain"] * 3
    assert len({c.where for c in got}) == len(got)
    uncertain = [c for c in got if c.sample == "uncertain"]
    # six near-copies of one doubtful sentence give at most one uncertain pick (none if a random pick
    # is one of them); the distinct doubtful sentence comes next
    assert sum(c.text.startswith(doubtful) for c in uncertain) <= 1
    assert any(c.start == 20000 for c in got)
    for c in uncertain:
        assert not any(near_duplicate(c.text, o.text) for o in got if o is not c)


def test_near_duplicate_by_hand():
    # 4 words + 3 bigrams each, 3 + 2 shared: cosine 5/7 = 0.714 < 0.8
    assert not near_duplicate("aa bb cc dd", "aa bb cc ee")
    # 10 words + 9 bigrams each, 9 + 8 shared: 17/19 = 0.895
    nine = "one two three four five six seven eight nine"
    assert near_duplicate(nine + " end", nine + " other")
    assert near_duplicate("Baku, 2024!", "baku 1999")  # the same normalised text


def test_a_sentence_repeated_across_the_corpus_does_not_crowd_the_uncertain_pool():
    # 2 uncertain picks keep a pool of 10; 30 copies of one doubtful sentence would fill it alone
    copies = [cand(i, text=f"Both capitals were told the same thing, copy {i}.", p=(0.3, 0.3, 0.2, 0.2))
              for i in range(30)]
    others = [cand(100 + i, p=(0.35, 0.25, 0.2, 0.2)) for i in range(3)]
    got = picks("uncertain", copies + others, 2)
    assert [c.text.startswith("Both capitals") for c in got] == [True, False]


def test_exclude_keeps_a_labelled_sample_apart_and_the_rest_is_the_same_random_sample(corpus, tmp_path):
    root, pages, scored, docs = corpus
    check, batch, whole = tmp_path / "check.csv", tmp_path / "batch.csv", tmp_path / "whole.csv"
    assert invoke("suggest", str(pages), "--n", "3", "--seed", "5", "-o", str(check)).exit_code == 0
    result = invoke("suggest", str(pages), "--n", "3", "--seed", "5", "--exclude", str(check), "-o", str(batch))
    assert result.exit_code == 0, result.output
    assert "left out 3 sentences already in --exclude files" in result.output
    assert invoke("suggest", str(pages), "--n", "6", "--seed", "5", "-o", str(whole)).exit_code == 0

    def keys(path):
        with open(path, newline="", encoding="utf-8") as fh:
            return [(r["doc_id"], r["start"], r["end"]) for r in csv.DictReader(fh)]

    # two batches of 3 never share a sentence, and together they are the 6 one run would draw
    assert len(scored) > 6 and not set(keys(check)) & set(keys(batch))
    assert sorted(keys(check) + keys(batch)) == sorted(keys(whole))
    every = tmp_path / "every.csv"
    assert invoke("suggest", str(pages), "--n", "100", "-o", str(every)).exit_code == 0
    result = invoke("suggest", str(pages), "--n", "5", "--exclude", str(every), "-o", str(tmp_path / "none.csv"))
    assert result.exit_code == 2 and "nothing is left to pick" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("text\nBaku sent aid.\n", encoding="utf-8")
    result = invoke("suggest", str(pages), "--n", "2", "--exclude", str(bad), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and "bad.csv" in result.output and "Traceback" not in result.output
