"""One reader of the corpus labels format and one way to match a label to its sentence, whoever
reads the labels (train, PPI, suggest --exclude, label, test); tool exports give only human labels."""

import csv
import json
import re
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import predict  # noqa: E402

from stanceframe import annotations, corpuslabels, heldout, ppi, tasks  # noqa: E402
from stanceframe.commands.annotate import neighbours  # noqa: E402
from stanceframe.errors import BadInput  # noqa: E402

runner = CliRunner()
HEADER = ["doc_id", "source", "start", "end", "text", "stance", "frame", "note", "sample"]
S = ["Baku sent blankets to Odesa.", "=5 ministers met in Ganja.", "Rain closed the road to Quba."]
PAGE = " ".join(S)


def span(i):
    start = PAGE.index(S[i])
    return start, start + len(S[i])


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def invoke(*args):
    result = runner.invoke(predict.app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(*result.exc_info)))
    return result


READERS = {
    "tasks.read_labels_csv": tasks.read_labels_csv,
    "corpuslabels.read_corpus_labels": corpuslabels.read_corpus_labels,
    "ppi.read_sample": ppi.read_sample,
    "heldout.read_labels": heldout.read_labels,
}


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_every_reader_refuses_a_row_with_too_many_fields_at_its_csv_line(reader, tmp_path):
    s0, s1 = span(0), span(1)
    path = write_csv(tmp_path / "lab.csv", [
        ["A/1.txt", "amber", *s0, "Baku sent\nblankets", "none", "", "", "random"],  # a cell on two lines
        ["A/1.txt", "amber", *s1, S[1], "none", "", "", "random", "extra"],
    ])
    with pytest.raises(BadInput, match=re.escape(f"{path}:4: row has 10 fields, the header has 9")):
        reader(path)


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_every_reader_strips_the_header_and_drops_the_formula_quote(reader, tmp_path):
    s1 = span(1)
    path = write_csv(tmp_path / "lab.csv", [["A/1.txt", "amber", *s1, "'" + S[1], "balancing", "", "", "random"]],
                     [" doc_id", "source ", "start", "end", " text", "stance ", "frame", "note", "sample"])
    got = reader(path)
    row = got.checked[0] if isinstance(got, ppi.Sample) else got[0][1] if isinstance(got[0], tuple) else got[0]
    assert (row["text"], row["stance"]) == (S[1], "balancing")


def test_sources_labels_with_an_extra_field_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "1.txt").write_text(PAGE, encoding="utf-8")
    path = write_csv(tmp_path / "lab.csv", [[tmp_path / "A" / "1.txt", "amber", *span(0), S[0], "none", "", "",
                                             "random", "extra"]])
    result = invoke("sources", tmp_path / "A", "--labels", path)
    assert result.exit_code == 2
    assert f"{path}:2: row has 10 fields" in result.stderr and "Traceback" not in result.output


def label_studio_export(path, tasks_):
    path.write_text(json.dumps(tasks_), encoding="utf-8")
    return path


def ls_task(i, stance=None, frame=None, **data):
    result = [{"from_name": t, "to_name": "text", "type": "choices", "value": {"choices": [v]}}
              for t, v in (("stance", stance), ("frame", frame)) if v]
    start, end = span(i)
    return {"data": {"text": S[i], "doc_id": "A/1.txt", "source": "amber", "start": start, "end": end,
                     "sample": "random", **data},
            "annotations": [{"result": result, "was_cancelled": False}] if result else []}


def test_ppi_reads_a_label_studio_export_and_says_unanswered_tasks_are_taken_as_missing_at_random(tmp_path):
    path = label_studio_export(tmp_path / "ls.json", [ls_task(0, "pro_ukraine"), ls_task(1, "none"), ls_task(2)])
    sample = ppi.read_sample(path)
    assert [(r["start"], r["stance"]) for r in sample.rows] == [(span(0)[0], "pro_ukraine"), (span(1)[0], "none")]
    notes = "\n".join(sample.notes())
    assert "1 sentence(s) of the random sample have no stance answer" in notes
    assert "missing at random" in notes and "taken as a random sample" not in notes


def test_a_random_csv_row_without_a_stance_is_said_to_be_assumed_missing_at_random(tmp_path):
    path = write_csv(tmp_path / "lab.csv", [["A/1.txt", "amber", *span(0), S[0], "none", "", "", "random"],
                                            ["A/1.txt", "amber", *span(2), S[2], "", "", "", "random"],
                                            ["A/1.txt", "amber", *span(1), S[1], "", "", "", "uncertain"]])
    notes = ppi.read_sample(path).notes()
    assert sum("missing at random" in n for n in notes) == 1
    assert any(n.startswith("labels: 1 sentence(s) of the random sample") for n in notes)


@pytest.mark.parametrize("make, row", [
    ("label_studio", lambda: ls_task(0, frame="economic")),
    ("doccano", lambda: {"text": S[0], "label": ["economic"], "doc_id": "A/1.txt", "start": 0, "end": 5,
                         "stance": "pro_ukraine", "meta": {"frame": "political"}}),
    ("prodigy", lambda: {"text": S[0], "answer": "accept", "accept": ["economic"],
                         "meta": {"doc_id": "A/1.txt", "start": 0, "end": 5, "stance": "pro_ukraine"}}),
])
def test_a_tasks_input_data_gives_no_label_only_the_annotation_does(make, row, tmp_path):
    obj = row()
    if make == "label_studio":
        obj["data"]["stance"] = "pro_ukraine"
        path = label_studio_export(tmp_path / "x.json", [obj])
    else:
        path = tmp_path / "x.jsonl"
        path.write_text(json.dumps(obj) + "\n", encoding="utf-8")
    ((_, got),) = annotations.read(path).rows
    assert (got["stance"], got["frame"]) == ("", "economic")


def scored(doc_ids):
    """(doc_ids, starts, ends, texts) of the sentences S[0], S[1], ... of the documents doc_ids."""
    starts, ends = zip(*(span(i) for i in range(len(doc_ids))))
    return np.array(doc_ids, dtype=object), np.array(starts), np.array(ends), np.array(S[:len(doc_ids)], dtype=object)


def test_a_label_finds_its_file_under_another_spelling_of_the_path_and_with_the_formula_quote(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "1.txt").write_text(PAGE, encoding="utf-8")
    path = write_csv(tmp_path / "lab.csv", [["A/1.txt", "amber", *span(0), S[0], "pro_ukraine", "", "", "random"],
                                            ["A/1.txt", "amber", *span(1), "'" + S[1], "none", "", "", "random"]])
    sample = ppi.read_sample(path)
    for spelling in ("./A//1.txt", str(tmp_path / "A" / "1.txt")):  # `sources ./A/`, `sources /abs/A`
        positions, gold = ppi.match(sample, *scored([spelling] * 3))
        assert positions.tolist() == [0, 1] and gold.tolist() == [0, 3]


def test_a_label_text_must_be_the_sentence_exactly(tmp_path):
    path = write_csv(tmp_path / "lab.csv", [["d1", "amber", *span(0), S[0].replace(" ", "  "), "none", "", "",
                                             "random"]])
    with pytest.raises(BadInput, match="the text differs"):
        ppi.match(ppi.read_sample(path), *scored(["d1"] * 3))


def test_compare_labels_refuses_a_place_that_is_a_sentence_of_both_sides(tmp_path):
    path = write_csv(tmp_path / "lab.csv", [["7", "x", *span(0), S[0], "none", "", "", "random"]])
    doc_ids, starts, ends, texts = scored(["7"])
    both = [np.r_[a, a] for a in (doc_ids, starts, ends, texts)]
    with pytest.raises(BadInput, match=r"lab.csv:2: .*2 sentences of the corpora \(in A and B\).*distinct ids"):
        ppi.match(ppi.read_sample(path), *both, groups=np.array(["A", "B"]))


def test_label_corpus_fills_neighbours_under_another_spelling_of_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "A").mkdir()
    sentences = [S[0], "Five ministers met in Ganja.", S[2]]
    (tmp_path / "A" / "1.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
    start = len(S[0]) + 1
    queue = [tasks.candidate({"doc_id": "A/1.txt", "start": start, "end": start + len(sentences[1]),
                              "text": sentences[1]})]
    neighbours(queue, [str(tmp_path / "A")])
    assert (queue[0].before, queue[0].after) == (S[0], S[2])


def test_the_readme_loop_excludes_the_suggest_file_with_its_skipped_sentences():
    block = (ROOT / "README.md").read_text(encoding="utf-8").split("## Label your own corpus", 1)[1]
    kept_apart = re.search(r"suggest pages/ .*--seed 1 --output (\S+)", block).group(1)
    assert re.search(r"--exclude (\S+)", block).group(1) == kept_apart
