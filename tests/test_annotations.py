"""Imports from Label Studio, doccano and Prodigy: human labels only (never a tool's predictions),
detected by content, each problem one line with its place."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import predict  # noqa: E402
import train  # noqa: E402
from fixture_corpus import write_corpus  # noqa: E402

from stanceframe import annotations  # noqa: E402
from stanceframe.errors import BadInput  # noqa: E402
from stanceframe.corpuslabels import corpus_texts, load_corpus_labels  # noqa: E402

runner = CliRunner()
S = ["Baku sent generators to Kharkiv this winter.", "The foreign ministry praised its ties with Moscow.",
     "Grain prices fell in the spring.", "Officials in Baku spoke to both Kyiv and Moscow."]
OUTLET = "Caspian Ledger"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus" / OUTLET
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(" ".join(S) + "\n", encoding="utf-8")
    return tmp_path / "corpus", str(folder / "a.txt")


def meta(doc, i, **extra):
    page = " ".join(S)
    return {"doc_id": doc, "source": OUTLET, "start": page.index(S[i]), "end": page.index(S[i]) + len(S[i]),
            "sample": "random", **extra}


def choice(name, value):
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def label_studio(doc):
    return [
        {"id": 1, "data": {"text": S[0], **meta(doc, 0)},
         "annotations": [{"result": [choice("stance", "pro_ukraine"), choice("frame", "health_safety")],
                          "was_cancelled": False},
                         {"result": [choice("stance", "balancing"), choice("frame", "health_safety")],
                          "was_cancelled": False}],
         "predictions": [{"result": [choice("stance", "russia_accommodating")]}]},
        {"id": 2, "data": {"text": S[1], **meta(doc, 1)},
         "annotations": [{"result": [choice("stance", "russia_accommodating"), choice("frame", "political")],
                          "was_cancelled": False},
                         {"result": [choice("stance", "none")], "was_cancelled": True}],
         "predictions": []},
        {"id": 3, "data": {"text": S[2], **meta(doc, 2)}, "annotations": [],
         "predictions": [{"result": [choice("stance", "none"), choice("frame", "economic")]}]},
        {"id": 4, "data": {"text": S[3], **meta(doc, 3)},
         "annotations": [{"result": [choice("frame", "political"),
                                     {"from_name": "note", "to_name": "text", "type": "textarea",
                                      "value": {"text": ["both capitals"]}}], "was_cancelled": False}]},
    ]


def write_json(path: Path, obj) -> Path:
    path.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    return path


def write_jsonl(path: Path, objs) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def labels_of(imported):
    return [(r["text"], r["stance"], r["frame"]) for _, r in imported.rows]


def test_label_studio_takes_the_last_annotation_not_cancelled_and_never_a_prediction(tmp_path, corpus):
    _, doc = corpus
    path = write_json(tmp_path / "export.json", label_studio(doc))
    imported = annotations.read(path)
    assert labels_of(imported) == [(S[0], "balancing", "health_safety"), (S[1], "russia_accommodating", "political"),
                                   (S[3], "", "political")]
    assert imported.rows[2][1]["note"] == "both capitals" and imported.rows[0][0] == f"{path}: task 1"
    assert dict(imported.skipped) == {"without an annotation": 1}
    assert imported.summary(path) == f"{path}: Label Studio export, 3 labelled sentences; 1 tasks skipped (1 without " \
                                     "an annotation)"


def test_doccano_reads_meta_at_the_top_or_under_meta_and_one_label_per_target(tmp_path, corpus):
    _, doc = corpus
    path = write_jsonl(tmp_path / "doccano.jsonl", [
        {"id": 1, "text": S[0], "label": ["pro_ukraine", "health_safety"], **meta(doc, 0)},
        {"id": 2, "text": S[1], "label": ["political"], "meta": meta(doc, 1)},
        {"id": 3, "text": S[2], "label": [], "meta": meta(doc, 2)},
    ])
    imported = annotations.read(path)
    assert labels_of(imported) == [(S[0], "pro_ukraine", "health_safety"), (S[1], "", "political")]
    assert imported.rows[1][1]["doc_id"] == doc and imported.rows[1][1]["start"] == str(len(S[0]) + 1)
    assert dict(imported.skipped) == {"without a stance or frame": 1}


def prodigy(doc):
    options = [{"id": c, "text": c} for c in ("pro_ukraine", "russia_accommodating", "balancing", "none")]
    return [
        {"text": S[0], "meta": meta(doc, 0), "options": options, "accept": ["pro_ukraine"], "answer": "accept",
         "_task_hash": 11},
        {"text": S[1], "meta": meta(doc, 1), "options": options, "accept": ["russia_accommodating"],
         "answer": "reject", "_task_hash": 12},
        {"text": S[2], "meta": meta(doc, 2), "options": options, "accept": ["none"], "answer": "ignore",
         "_task_hash": 13},
        {"text": S[3], "meta": meta(doc, 3), "options": [{"id": 0, "text": "balancing"}, {"id": 1, "text": "political"}],
         "accept": [0, 1], "answer": "accept", "_task_hash": 14},
        {"text": S[0], "meta": meta(doc, 0), "options": options, "accept": ["balancing"], "answer": "accept",
         "_task_hash": 11},
    ]


def test_prodigy_takes_accepted_answers_only_and_a_task_answered_again_takes_its_last_answer(tmp_path, corpus):
    _, doc = corpus
    path = write_jsonl(tmp_path / "answers.csv", prodigy(doc))  # detected by content, not by the name
    imported = annotations.read(path)
    assert imported.kind == "prodigy"
    assert labels_of(imported) == [(S[3], "balancing", "political"), (S[0], "balancing", "")]
    assert dict(imported.skipped) == {"not accepted": 2, "answered again later": 1}


def test_imported_offsets_are_checked_against_the_corpus(tmp_path, corpus):
    folder, doc = corpus
    tasks = label_studio(doc)
    texts = corpus_texts([folder], {doc})
    df, _ = load_corpus_labels(annotations.read(write_json(tmp_path / "ok.json", tasks)).rows, texts, {})
    assert df["source"].tolist() == [OUTLET] * 3
    tasks[1]["data"]["start"] += 4
    path = write_json(tmp_path / "shifted.json", tasks)
    with pytest.raises(BadInput, match=rf"{path}: task 2: text does not match .*a.txt\["):
        load_corpus_labels(annotations.read(path).rows, texts, {})


def test_train_check_and_test_read_an_export_beside_the_seed_labels(tmp_path, corpus):
    folder, doc = corpus
    seeds = write_corpus(tmp_path / "seeds")
    export = write_json(tmp_path / "export.json", label_studio(doc))
    result = runner.invoke(train.app, ["--check", "--labels", str(seeds["labels"]), "--labels", str(export),
                                       "--sources", str(seeds["sources"]), "--corpus", str(folder), "--no-written"])
    assert result.exit_code == 0, result.output
    assert "(38 seed, 0 written, 3 corpus) in 4 sources and voices; 40 labelled for stance, 41 for frame" in result.stdout
    assert f"{export}: Label Studio export, 3 labelled sentences; 1 tasks skipped" in result.stderr
    result = runner.invoke(predict.app, ["test", str(export), "-f", "json", "--n-boot", "20"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert (figures["n"], figures["stance"]["n"], figures["frame"]["n"]) == (3, 2, 3)
    assert "Label Studio export, 3 labelled sentences" in result.stderr


@pytest.mark.parametrize("name, content, message", [
    ("a.json", [{"foo": 1}], ": task 1: JSON, but not a Label Studio task, doccano row or Prodigy answer (found: foo)"),
    ("a.jsonl", '{"text": "x", "label": []}\n{"text": \n', ":2: not a JSON object per line"),
    ("a.jsonl", [{"text": S[0], "label": ["pro_ukraine", "balancing"]}],
     ":1: two stance labels ('pro_ukraine', 'balancing'); a sentence has at most one stance and one frame"),
    ("a.jsonl", [{"text": S[0], "label": ["pro-ukraine"]}], ":1: unknown label 'pro-ukraine'; accepted: a stance"),
    ("a.jsonl", [{"text": S[0], "label": []}, {"text": S[1], "answer": "accept", "accept": []}],
     ":2: not a doccano row like the first one"),
    ("a.json", [{"data": {"text": S[0]}, "annotations": [{"result": [
        {"from_name": "stance", "type": "choices", "value": {"choices": ["none", "balancing"]}}]}]}],
     ": task 1: 2 stance choices (none, balancing); choose one"),
    ("a.json", [{"data": {"text": S[0]}, "annotations": [{"result": [choice("stance", "political")]}]}],
     ": task 1: unknown stance 'political'; accepted: pro_ukraine"),
])
def test_a_broken_or_foreign_export_is_one_line_with_its_place(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif name.endswith(".jsonl"):
        write_jsonl(path, content)
    else:
        write_json(path, content)
    result = runner.invoke(train.app, ["--check", "--labels", str(path), "--no-written", "--no-seeds"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and f"{path}{message}" in result.stderr


def test_tasks_nobody_labelled_yet_are_refused_not_trained_on_as_nothing(tmp_path, corpus):
    _, doc = corpus
    unlabelled = [{**t, "annotations": []} for t in label_studio(doc)]  # only the model's predictions
    path = write_json(tmp_path / "tasks.json", unlabelled)
    result = runner.invoke(train.app, ["--check", "--labels", str(path), "--no-written", "--no-seeds"])
    assert result.exit_code == 2
    assert f"{path}: Label Studio export, 0 labelled sentences; 4 tasks skipped (4 without an annotation): no human " \
           "labels in it" in result.stderr
    tasks = write_jsonl(tmp_path / "tasks.jsonl", [{k: v for k, v in t.items() if k != "answer"} for t in prodigy(doc)])
    result = runner.invoke(train.app, ["--check", "--labels", str(tasks), "--no-written", "--no-seeds"])
    assert result.exit_code == 2 and f"{tasks}:1: Prodigy tasks without answers" in result.stderr
