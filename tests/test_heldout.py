"""`predict.py test`: figures checked against a hand computation on the model's own predictions."""

import csv
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import predict  # noqa: E402
import stanceframe  # noqa: E402

runner = CliRunner()
ROWS = [  # written for this test: (text, stance, frame, source); empty = not labelled
    ("Baku sent ambulances and medicines to Kyiv.", "pro_ukraine", "health_safety", "A"),
    ("Azerbaijan did not join the Western sanctions against Russia.", "russia_accommodating", "external_regulation", "A"),
    ("Aliyev praised the trusted alliance with Moscow.", "russia_accommodating", "", "A"),
    ("The harvest in the south was larger than last year.", "none", "economic", "B"),
    ("Baku keeps a balanced policy between Moscow and Kyiv.", "balancing", "political", "B"),
    ("Protesters in Baku waved Ukrainian flags outside the Russian embassy.", "", "public_opinion", "B"),
]


@pytest.fixture()
def labels(tmp_path):
    path = tmp_path / "labels.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "stance", "frame", "source"])
        w.writerows(ROWS)
    return path


def test_figures_match_a_hand_computation(labels):
    result = runner.invoke(predict.app, ["test", str(labels), "-f", "json", "--n-boot", "50"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    model = stanceframe.load()
    pred = {r["text"]: r for r in model.score([t for t, *_ in ROWS])}
    for target, col in (("stance", 1), ("frame", 2)):
        rows = [(r[0], r[col]) for r in ROWS if r[col]]
        right = sum(pred[t][target] == want for t, want in rows)
        assert got[target]["n"] == len(rows)
        assert got[target]["model"]["accuracy"]["value"] == pytest.approx(right / len(rows))
        # majority baseline: the commonest label of the rows tested, for every row
        labels_ = [want for _, want in rows]
        most = max(labels_.count(c) for c in labels_)
        assert got[target]["baseline_majority"]["accuracy"]["value"] == pytest.approx(most / len(rows))
    # macro-F1 of stance by hand, over the classes that occur in gold or prediction
    gold = [r[1] for r in ROWS if r[1]]
    guess = [pred[r[0]]["stance"] for r in ROWS if r[1]]
    f1 = []
    for c in set(gold) | set(guess):
        tp = sum(g == p == c for g, p in zip(gold, guess))
        f1.append(2 * tp / (gold.count(c) + guess.count(c)))
    assert got["stance"]["model"]["macro_f1"]["value"] == pytest.approx(sum(f1) / len(f1))
    # gold lean per source by hand: share pro-Ukraine minus share Russia-accommodating
    assert got["per_source"]["A"]["gold_lean"] == pytest.approx(1 / 3 - 2 / 3)
    assert got["per_source"]["B"]["gold_lean"] == pytest.approx(0.0)
    assert got["per_source"]["A"]["n"] == 3 and got["per_source"]["B"]["n"] == 2


def test_a_bad_label_is_one_line_with_file_and_line(labels):
    text = labels.read_text(encoding="utf-8").replace("balancing", "neutral")
    labels.write_text(text, encoding="utf-8")
    result = runner.invoke(predict.app, ["test", str(labels)])
    assert result.exit_code == 2
    assert f"{labels}:6: unknown stance 'neutral'" in result.output and "Traceback" not in result.output


def test_a_file_without_label_columns_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("text\nBaku sent aid.\n", encoding="utf-8")
    result = runner.invoke(predict.app, ["test", str(path)])
    assert result.exit_code == 2 and "needs a 'text' column and a 'stance' and/or 'frame' column" in result.output
