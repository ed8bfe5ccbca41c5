"""Prediction-powered inference (stanceframe.ppi) against ppi-python and a hand computation, and
`sources --labels` / `compare --labels` end to end on a tiny corpus written here."""

from __future__ import annotations

import csv
import json
import traceback
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import predict
from stanceframe.ppi import ppi_mean, prediction_vectors

runner = CliRunner()


# --- the estimator ----------------------------------------------------------------------------------


def test_ppi_mean_matches_ppi_python_on_a_fixed_random_case():
    ppi_py = pytest.importorskip("ppi_py")  # the test extra installs it (ppi-python)
    rng = np.random.default_rng(7)
    n, N = 60, 500
    Y = rng.integers(0, 2, (n, 3)).astype(float)
    # weak predictions, so lambda is tuned strictly inside (0, 1) and the tuning is what is tested
    Yhat = 0.15 * Y + 0.85 * rng.random((n, 3))
    Yhat_unl = 0.15 * rng.integers(0, 2, (N, 3)) + 0.85 * rng.random((N, 3))
    ours = ppi_mean(Y, Yhat, Yhat_unl, finite=False)
    assert ((0 < ours["lam"]) & (ours["lam"] < 1)).all()
    point = ppi_py.ppi_mean_pointestimate(Y, Yhat, Yhat_unl, lam_optim_mode="element")
    lo, hi = ppi_py.ppi_mean_ci(Y, Yhat, Yhat_unl, alpha=0.05, lam_optim_mode="element")
    np.testing.assert_allclose(ours["value"], point, rtol=1e-10)
    np.testing.assert_allclose(ours["lo"], lo, rtol=1e-10)
    np.testing.assert_allclose(ours["hi"], hi, rtol=1e-10)
    overall = ppi_mean(Y, Yhat, Yhat_unl, finite=False, overall=True)  # one lambda: ppi-python's default
    assert 0 < overall["lam"][0] < 1 and np.ptp(overall["lam"]) == 0
    lo_o, hi_o = ppi_py.ppi_mean_ci(Y, Yhat, Yhat_unl, alpha=0.05)
    np.testing.assert_allclose(overall["value"], ppi_py.ppi_mean_pointestimate(Y, Yhat, Yhat_unl), rtol=1e-10)
    np.testing.assert_allclose(np.r_[overall["lo"], overall["hi"]], np.r_[lo_o, hi_o], rtol=1e-10)
    one = ppi_mean(Y[:, 0], Yhat[:, 0], Yhat_unl[:, 0], finite=False)  # 1-d: ppi-python's default mode
    lo1, hi1 = ppi_py.ppi_mean_ci(Y[:, 0], Yhat[:, 0], Yhat_unl[:, 0], alpha=0.05)
    assert one["lo"] == pytest.approx(float(lo1[0]), rel=1e-10)
    assert one["hi"] == pytest.approx(float(hi1[0]), rel=1e-10)


T2 = 4.302652729911275  # Student's t, 97.5% quantile, 2 degrees of freedom (tables: 4.303)


def test_finite_population_hand_case():
    # population predictions f = 1, 0, 1, 0 (mean 1/2, variance 1/3); units 0-2 labelled y = 1, 0, 0.
    f_all, f_lab, y = [1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [1.0, 0.0, 0.0]
    # cross-fitted lambda, each unit's from the other two: (f, y) = (0, 0), (1, 0): cov 0 -> 0;
    # (1, 1), (1, 0): f constant -> 0; (1, 1), (0, 0): cov 1/2, / (1/3) = 3/2 -> clipped 1.
    # terms y - lambda (f - 1/2) = 1, 0, -1/2: mean 1/6, variance 7/12; se^2 = (1 - 3/4)(7/12)/3 = 7/144
    r = ppi_mean(y, f_lab, f_all)
    assert r["lam"] == pytest.approx(1 / 3)
    assert r["value"] == pytest.approx(1 / 6)
    assert r["se"] == pytest.approx(7 ** 0.5 / 12)
    assert (r["lo"], r["hi"]) == pytest.approx((1 / 6 - T2 * 7 ** 0.5 / 12, 1 / 6 + T2 * 7 ** 0.5 / 12))
    # one lambda from all three: cov(y, f) / var(f) = (1/6) / (1/3) = 1/2; terms 1 - 1/4, 0 + 1/4, 0 - 1/4:
    # mean 1/4, variance 1/4; se^2 = (1/4)(1/4)/3 = 1/48
    one = ppi_mean(y, f_lab, f_all, crossfit=False)
    assert (one["lam"], one["value"], one["se"]) == pytest.approx((0.5, 0.25, (1 / 48) ** 0.5))
    # plain PPI (lambda 1): 1/2 + mean(y - f) = 1/2 - 1/3 = 1/6; residuals 0, 0, -1: variance 1/3
    plain = ppi_mean(y, f_lab, f_all, lam=1.0)
    assert (plain["value"], plain["se"]) == pytest.approx((1 / 6, ((1 / 4) * (1 / 3) / 3) ** 0.5))
    # labels only (lambda 0): mean 1/3, variance of y 1/3, the same correction: se 1/6
    labels = ppi_mean(y, f_lab, f_all, lam=0.0)
    assert (labels["value"], labels["se"], labels["hi"]) == pytest.approx((1 / 3, 1 / 6, 1 / 3 + T2 / 6))


def test_group_estimate_shares_sum_to_one_and_the_lean_is_their_difference():
    from stanceframe.labels import STANCES
    from stanceframe.ppi import estimate_group

    rng = np.random.default_rng(5)
    F_all = rng.dirichlet(np.ones(4), size=120)
    s = rng.choice(120, 30, replace=False)
    Y = np.eye(4)[rng.integers(0, 4, 30)]
    rec = estimate_group(F_all, F_all[s], Y)
    for kind, key in (("ppi", "share"), ("labels_only", "share")):
        shares = {st: rec["stance_shares"][st][kind][key] for st in STANCES}
        assert sum(shares.values()) == pytest.approx(1.0)
        assert rec["lean"][kind]["value"] == pytest.approx(shares["pro_ukraine"] - shares["russia_accommodating"])
    # by hand: the labels-only share is the sample's own share of each stance
    assert rec["stance_shares"]["none"]["labels_only"]["share"] == pytest.approx(Y[:, 3].mean())


def test_an_estimate_outside_the_range_gives_an_interval_inside_it_and_in_order():
    from stanceframe.ppi import _bounded

    # 1.05 +- 2 * 0.01 = [1.03, 1.07]: all of it above 1, so all three are 1 (not lo 1.03 > hi 1)
    assert _bounded(1.05, 0.01, 2.0, "share", 0.0, 1.0) == pytest.approx(
        {"share": 1.0, "lo": 1.0, "hi": 1.0, "se": 0.01, "unclipped": 1.05})
    # -0.1 +- 2 * 0.2 = [-0.5, 0.3]: value and lo 0, hi 0.3
    r = _bounded(-0.1, 0.2, 2.0, "share", 0.0, 1.0)
    assert (r["share"], r["lo"], r["hi"]) == pytest.approx((0.0, 0.0, 0.3))
    # -0.4 +- 2 * 0.1 = [-0.6, -0.2]: all of it below 0
    r = _bounded(-0.4, 0.1, 2.0, "share", 0.0, 1.0)
    assert (r["share"], r["lo"], r["hi"]) == pytest.approx((0.0, 0.0, 0.0))


def test_a_group_whose_ppi_share_is_below_zero_gets_the_interval_0_0_0():
    from stanceframe.ppi import estimate_group

    # 4 labelled sentences, gold russia_accommodating, balancing, twice: none is pro_ukraine, yet the
    # model gives each 0.5 pro_ukraine against 0.2 over all 10 sentences (6 unlabelled one-hot rows).
    F_lab = np.array([[0.5, 0.5, 0, 0], [0.5, 0, 0.5, 0]] * 2)
    F_all = np.r_[F_lab, np.eye(4)[[1, 2, 3, 1, 2, 3]]]
    Y = np.eye(4)[[1, 2, 1, 2]]
    # cross-fitted lambda, by hand: without any one unit, cov sums to 1/6 + 1/6 (pro_ukraine's f is
    # constant, none's y and f 0); the column variances of F_all sum to (0.6 + 3 * 1.6) / 9 = 0.6; so 5/9.
    # pro_ukraine's terms are all 0 - 5/9 (0.5 - 0.2) = -1/6: PPI -1/6 with se 0, an interval of one point
    # outside [0, 1]; clipped it is 0, 0, 0 (it was lo 0 > hi -1/6)
    rec = estimate_group(F_all, F_lab, Y)
    pro = rec["stance_shares"]["pro_ukraine"]["ppi"]
    assert (pro["lambda"], pro["unclipped"], pro["se"]) == pytest.approx((5 / 9, -1 / 6, 0.0))
    assert (pro["lo"], pro["share"], pro["hi"]) == (0.0, 0.0, 0.0)
    # none: terms 0 - 5/9 (0 - 0.2) = 1/9, inside the range, kept
    none = rec["stance_shares"]["none"]["ppi"]
    assert (none["lo"], none["share"], none["hi"]) == pytest.approx((1 / 9, 1 / 9, 1 / 9))


def _record(share_none: float, lean: float, se: float, n: int) -> dict:
    """An estimate_group record by hand: every share's unclipped estimate `share_none`, standard error `se`."""
    from stanceframe.labels import STANCES
    from stanceframe.ppi import _bounded

    est = {k: _bounded(share_none, se, 2.0, "share", 0.0, 1.0) for k in ("ppi", "labels_only")}
    return {"n_labelled": n, "stance_shares": {st: est for st in STANCES},
            "lean": {k: _bounded(lean, se, 2.0, "value", -1.0, 1.0) for k in ("ppi", "labels_only")}}


def test_difference_is_taken_from_the_unclipped_estimates_and_clipped_into_its_range():
    from stanceframe.ppi import difference

    # A's share 1.05 is shown as 1; B's 0.95. The difference is 1.05 - 0.95 = 0.10 (not 1 - 0.95), with
    # se hypot(0.03, 0.04) = 0.05 and t(2) = 4.303: 0.10 +- 0.215 -> [-0.115, 0.315]
    d = difference(_record(1.05, 0.9, 0.03, 3), _record(0.95, -0.95, 0.04, 50))
    share = d["stance_shares"]["none"]["ppi"]
    assert (share["value"], share["se"]) == pytest.approx((0.10, 0.05))
    assert (share["lo"], share["hi"]) == pytest.approx((0.10 - T2 * 0.05, 0.10 + T2 * 0.05))
    # the lean: 0.9 - (-0.95) = 1.85 +- 0.215 -> hi clipped at 2, the most two leans can differ by
    lean = d["lean"]["labels_only"]
    assert (lean["value"], lean["lo"], lean["hi"]) == pytest.approx((1.85, 1.85 - T2 * 0.05, 2.0))
    # a share difference beyond 1: 1.2 - (-0.1), shown clipped into [-1, 1], in order
    far = difference(_record(1.2, 0.0, 0.01, 3), _record(-0.1, 0.0, 0.01, 3))["stance_shares"]["none"]["ppi"]
    assert (far["lo"], far["value"], far["hi"]) == pytest.approx((1.0, 1.0, 1.0))


def test_finite_population_approaches_ppi_python_for_a_small_sample_of_a_large_population():
    ppi_py = pytest.importorskip("ppi_py")
    rng = np.random.default_rng(3)
    N, n = 200_000, 400
    y_all = rng.integers(0, 2, N).astype(float)
    f_all = np.clip(0.6 * y_all + 0.5 * rng.random(N), 0, 1)
    s = rng.choice(N, n, replace=False)
    ours = ppi_mean(y_all[s], f_all[s], f_all)
    lo, hi = ppi_py.ppi_mean_ci(y_all[s], f_all[s], f_all, alpha=0.05)
    assert ours["value"] == pytest.approx((lo[0] + hi[0]) / 2, abs=1e-3)
    assert ours["hi"] - ours["lo"] == pytest.approx(hi[0] - lo[0], rel=0.01)


def test_too_few_labels_is_refused():
    with pytest.raises(ValueError, match="at least 3 labelled"):
        ppi_mean([1.0, 0.0], [0.5, 0.4], [0.5, 0.4, 0.1])  # a cross-fitted lambda needs three


@pytest.mark.parametrize("method", ["cc", "pcc", "acc", "pacc", "emq"])
def test_prediction_vectors_average_to_the_models_own_shares(method):
    from stanceframe.labels import STANCES
    from stanceframe.project import load_model
    from stanceframe.quantify import ShareEstimator

    estimator = ShareEstimator(load_model(None).quantifier.using(method), STANCES)
    P = np.random.default_rng(1).dirichlet(np.ones(4), size=80)
    F = prediction_vectors(estimator, P)
    unclipped = {"acc", "pacc"}  # their shares are clipped to [0, 1] after the adjustment
    if method not in unclipped or (estimator(P) > 0).all():
        np.testing.assert_allclose(F.mean(0), estimator(P), atol=2e-4)  # emq stops within 1e-4


# --- sources --labels and compare --labels ----------------------------------------------------------

OUTLETS = {
    "amber": ["Baku sent medicines to hospitals in Ukraine.", "Azerbaijan backs the territorial integrity of Ukraine.",
              "Azerbaijan did not join the sanctions against Russia.", "The harvest of cotton was larger this year."],
    "birch": ["Baku called Moscow its most dependable partner.", "The Kremlin welcomed the new trade corridor.",
              "Azerbaijan keeps equal distance from Moscow and Kyiv.", "Rain closed the mountain roads near Sheki."],
}
# (outlet, sentence index, stance, sample)
LABELS = [("amber", 0, "pro_ukraine", "random"), ("amber", 2, "russia_accommodating", "random"),
          ("amber", 3, "none", "random"), ("birch", 0, "russia_accommodating", "random"),
          ("birch", 2, "balancing", "random"), ("birch", 3, "none", "random"), ("birch", 1, "none", "uncertain")]
HEADER = ["doc_id", "source", "start", "end", "text", "stance", "frame", "note", "sample"]


def invoke(*args):
    result = runner.invoke(predict.app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(*result.exc_info)))
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("ppi")
    docs = {}
    for outlet, sentences in OUTLETS.items():
        path = root / "corpus" / outlet / "1.txt"
        path.parent.mkdir(parents=True)
        path.write_text(" ".join(sentences) + "\n", encoding="utf-8")
        docs[outlet] = (path, " ".join(sentences))
    rows = []
    for outlet, i, stance, sample in LABELS:
        path, text = docs[outlet]
        sentence = OUTLETS[outlet][i]
        start = text.index(sentence)
        rows.append([str(path), outlet, start, start + len(sentence), sentence, stance, "", "", sample])
    return root, rows


def write_labels(path: Path, rows, header=HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def sources_json(corpus):
    root, rows = corpus
    labels = write_labels(root / "labels.csv", rows)
    result = invoke("sources", root / "corpus", "--labels", labels, "--format", "json", "--n-boot", 50)
    assert result.exit_code == 0, result.stderr
    return result, {r["source"]: r for r in json.loads(result.stdout)}


def test_sources_labels_gives_ppi_beside_model_and_labels_only(sources_json):
    result, records = sources_json
    amber = records["amber"]["labelled"]
    assert (amber["n_labelled"], amber["n_sentences"]) == (3, 4)
    # labels only, by hand: amber's random rows are pro_ukraine, russia_accommodating, none
    assert amber["stance_shares"]["pro_ukraine"]["labels_only"]["share"] == pytest.approx(1 / 3)
    assert amber["lean"]["labels_only"]["value"] == pytest.approx(0.0)
    ppi = amber["stance_shares"]["pro_ukraine"]["ppi"]
    assert ppi["lo"] <= ppi["share"] <= ppi["hi"] and 0 <= ppi["lambda"] <= 1
    assert "share" in records["amber"]["stance_shares"]["pro_ukraine"]  # the model-only figure stays
    # birch: its 'uncertain' row is left out of the intervals and counted
    assert records["birch"]["labelled"]["n_labelled"] == 3
    assert "1 sampled as 'uncertain'" in result.stderr
    assert "ignore the model's own errors" not in result.stderr


def test_sources_labels_table_shows_the_three_estimates(corpus, sources_json):
    root, _ = corpus
    result = invoke("sources", root / "corpus", "--labels", root / "labels.csv", "--n-boot", 50)
    assert result.exit_code == 0, result.stderr
    for words in ("PPI", "model only", "labels only", "3 / 4", "lambda"):
        assert words in result.stdout


def test_sources_labels_csv_has_the_ppi_columns(corpus, sources_json):
    root, _ = corpus
    result = invoke("sources", root / "corpus", "--labels", root / "labels.csv", "--n-boot", 50, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = {r["source"]: r for r in csv.DictReader(result.stdout.splitlines())}
    assert float(rows["amber"]["labels_share_pro_ukraine"]) == pytest.approx(1 / 3, abs=1e-4)
    assert rows["amber"]["n_labelled"] == "3"
    assert {"ppi_lean", "ppi_lean_lo", "ppi_lean_hi", "ppi_lean_lambda"} <= set(rows["amber"])


def test_an_unmatched_label_exits_2_with_its_line(corpus, tmp_path):
    root, rows = corpus
    bad = [*rows[:2], [rows[2][0], "amber", 1, 9, "", "none", "", "", "random"]]
    labels = write_labels(tmp_path / "bad.csv", bad)
    result = invoke("sources", root / "corpus", "--labels", labels, "--n-boot", 50)
    assert result.exit_code == 2
    assert f"{labels}:4: no sentence of the corpus" in result.stderr


def test_a_file_without_a_sample_column_is_taken_as_random_and_says_so(corpus, tmp_path):
    root, rows = corpus
    labels = write_labels(tmp_path / "plain.csv", [r[:-1] for r in rows], HEADER[:-1])
    result = invoke("sources", root / "corpus", "--labels", labels, "--n-boot", 50, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "taken as a random sample" in result.stderr
    assert {r["source"]: r["labelled"]["n_labelled"] for r in json.loads(result.stdout)} == {"amber": 3, "birch": 4}


def test_without_labels_the_output_says_the_intervals_ignore_the_models_errors(corpus):
    root, _ = corpus
    result = invoke("sources", root / "corpus", "--n-boot", 50, "--format", "json")
    assert result.exit_code == 0
    assert "intervals ignore the model's own errors" in result.stderr


def test_labels_the_model_was_trained_on_are_refused(corpus):
    root, _ = corpus
    result = invoke("sources", root / "corpus", "--labels", Path(predict.__file__).parent / "labels" / "sentences.csv")
    assert result.exit_code == 2
    assert "trained on these labels" in result.stderr


def test_compare_labels_gives_each_side_and_the_difference(corpus):
    root, rows = corpus
    result = invoke("compare", root / "corpus" / "amber", root / "corpus" / "birch", "--labels", root / "labels.csv",
                    "--n-boot", 50, "--format", "json")
    assert result.exit_code == 0, result.stderr
    lab = json.loads(result.stdout)["labelled"]
    a, b = (lab[k]["lean"]["labels_only"]["value"] for k in ("a", "b"))
    # by hand: amber 1/3 - 1/3 = 0; birch (random rows russia_accommodating, balancing, none) 0 - 1/3
    assert (a, b) == pytest.approx((0.0, -1 / 3))
    assert lab["diff_a_minus_b"]["lean"]["labels_only"]["value"] == pytest.approx(1 / 3)


def test_labels_without_a_corpus_are_refused(corpus):
    root, _ = corpus
    result = invoke("sources", "--labels", root / "labels.csv")
    assert result.exit_code == 2
    assert "--labels needs a corpus" in result.stderr


def test_labelled_estimates_find_each_groups_rows_among_interleaved_groups():
    import pandas as pd

    from stanceframe.labels import STANCES
    from stanceframe.summary import PROB_COLUMNS, labelled_estimates

    pro, rus, none = 0, 1, 3  # STANCES order
    # rows 0, 2, 4, 6 are outlet b, predicted one-hot: none, pro, russia, pro; rows 1, 3, 5, 7 outlet a
    predicted = [none, pro, pro, rus, rus, none, pro, pro]
    df = pd.DataFrame(np.eye(4)[predicted], columns=list(PROB_COLUMNS)).assign(source=list("babababa"))
    positions = np.array([6, 1, 0, 5, 2, 7])  # the labels' order, the groups mixed
    gold = np.array([pro, pro, none, rus, pro, rus])
    out = labelled_estimates(df, positions, gold, "source", None)
    assert sorted(out) == ["a", "b"] and (out["a"]["n_labelled"], out["a"]["n_sentences"]) == (3, 4)
    # a: labelled rows 1, 5, 7 with gold pro, russia, russia: labels-only 1/3, 2/3
    a = out["a"]["stance_shares"]
    assert (a["pro_ukraine"]["labels_only"]["share"], a["russia_accommodating"]["labels_only"]["share"]) \
        == pytest.approx((1 / 3, 2 / 3))
    # b: labelled rows 6, 0, 2 (gold pro, none, pro, each as predicted); mean prediction of b's four rows
    # (pro 1/2, russia 1/4, none 1/4). Cross-fitted lambda: without row 6 (or row 2) the other two differ
    # in pro and none, cov 1/2 + 1/2 = 1, over the variances 1/3 + 1/4 + 1/4 = 5/6: clipped to 1;
    # without row 0 the two left are alike: 0. Terms: the mean prediction twice and row 0's gold (none):
    # PPI pro 1/3, russia 1/6, none 1/2; lean 1/6
    b = out["b"]
    got = [b["stance_shares"][s]["ppi"]["share"] for s in STANCES]
    assert got == pytest.approx([1 / 3, 1 / 6, 0, 1 / 2])
    assert b["lean"]["ppi"]["value"] == pytest.approx(1 / 6)
    assert b["lean"]["ppi"]["lambda"] == pytest.approx(2 / 3)


def test_a_census_gives_the_gold_shares_exactly():
    from stanceframe.labels import STANCES
    from stanceframe.ppi import estimate_group

    F = np.random.default_rng(8).dirichlet(np.ones(4), size=12)
    Y = np.eye(4)[[0, 0, 0, 1, 2, 2, 3, 3, 3, 3, 1, 0]]  # every sentence labelled: 4/12 pro, 2/12 russia
    rec = estimate_group(F, F, Y)
    assert rec["lean"]["ppi"]["value"] == pytest.approx(2 / 12)
    assert rec["stance_shares"]["none"]["ppi"]["share"] == pytest.approx(4 / 12)
    assert all(rec["stance_shares"][s]["ppi"]["share"] == pytest.approx(Y[:, i].mean()) for i, s in enumerate(STANCES))


def test_compare_labels_from_a_sample_of_a_larger_corpus_leaves_the_other_outlets_out(corpus, tmp_path):
    root, rows = corpus
    third = root / "corpus_third" / "cedar" / "1.txt"
    third.parent.mkdir(parents=True, exist_ok=True)
    third.write_text("Baku thanked Kyiv for the grain.\n", encoding="utf-8")
    extra = [str(third), "cedar", 0, 32, "Baku thanked Kyiv for the grain.", "pro_ukraine", "", "", "random"]
    labels = write_labels(tmp_path / "wider.csv", [*rows, extra])
    result = invoke("compare", root / "corpus" / "amber", root / "corpus" / "birch", "--labels", labels,
                    "--n-boot", 50, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "1 of documents outside" in result.stderr
    lab = json.loads(result.stdout)["labelled"]
    assert (lab["a"]["n_labelled"], lab["b"]["n_labelled"]) == (3, 3)
    # a row of a document the corpus has must still match it
    bad = write_labels(tmp_path / "bad.csv", [*rows[:2], [rows[0][0], "amber", 1, 9, "", "none", "", "", "random"]])
    result = invoke("compare", root / "corpus" / "amber", root / "corpus" / "birch", "--labels", bad, "--n-boot", 50)
    assert result.exit_code == 2 and "no sentence of the corpus" in result.stderr
