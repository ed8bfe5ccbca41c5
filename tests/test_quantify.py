"""Outlet shares from sentence probabilities: each counting method on cases whose answer is known."""

import numpy as np
import pytest

from stanceframe.quantify import QUANTIFIERS, Quantifier, calibrate, fit_calibration


def shifted_sample(n=4000, share0=0.8, seed=0):
    """Two classes whose score x is N(+1, 1) or N(-1, 1): with equal priors the calibrated
    posterior of class 0 is sigmoid(2x). The sample has class 0 at `share0`, not at 0.5."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) >= share0).astype(int)
    x = rng.normal(np.where(y == 0, 1.0, -1.0), 1.0)
    p0 = 1 / (1 + np.exp(-2 * x))
    return np.c_[p0, 1 - p0], y


def test_every_method_recovers_shares_when_the_classifier_is_perfect():
    P = np.eye(3)[[0, 0, 1, 2]]
    for method in QUANTIFIERS:
        q = Quantifier(method, ["a", "b", "c"], np.eye(3), np.eye(3))
        assert q(P) == pytest.approx([0.5, 0.25, 0.25], abs=1e-6), method


def test_adjusted_count_undoes_a_known_misclassification():
    # true shares (0.5, 0.5); class 0 is predicted as 1 a fifth of the time
    hard = np.array([[0.8, 0.0], [0.2, 1.0]])
    P = np.eye(2)[[0] * 40 + [1] * 60]  # what such a classifier outputs on 50/50 data
    assert Quantifier("cc", ["a", "b"], hard, hard)(P) == pytest.approx([0.4, 0.6])
    assert Quantifier("acc", ["a", "b"], hard, hard)(P) == pytest.approx([0.5, 0.5])


def test_em_recovers_a_shifted_prior_that_probabilistic_counting_shrinks():
    P, y = shifted_sample(share0=0.8)
    true = np.bincount(y) / len(y)
    pcc = Quantifier("pcc", ["a", "b"], np.eye(2), np.eye(2))(P)
    emq = Quantifier("emq", ["a", "b"], np.eye(2), np.eye(2), prior=[0.5, 0.5])(P)
    assert abs(pcc[0] - true[0]) > 0.1  # pulled toward the training prior of 0.5
    assert emq[0] == pytest.approx(true[0], abs=0.03)


def test_calibration_finds_the_temperature_of_an_overconfident_model():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 1.5, size=(5000, 3))
    true_p = calibrate(np.exp(z) / np.exp(z).sum(1, keepdims=True), 1.0, np.zeros(3))
    y = np.array([rng.choice(3, p=p) for p in true_p])
    overconfident = calibrate(true_p, 0.5, np.zeros(3))  # logits doubled
    temperature, bias = fit_calibration(overconfident, y)
    assert temperature == pytest.approx(2.0, rel=0.1)
    assert np.abs(bias).max() < 0.15


def test_calibration_survives_a_class_that_never_occurs():
    P = np.array([[0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    temperature, bias = fit_calibration(P, np.array([0, 1, 0]))
    assert np.isfinite(temperature) and np.isfinite(bias).all()
    q = Quantifier("emq", ["a", "b", "c"], np.eye(3), np.eye(3), temperature, bias, [2 / 3, 1 / 3, 0.0])
    shares = q(P)
    assert np.isfinite(shares).all() and shares.sum() == pytest.approx(1)


@pytest.mark.parametrize("method", QUANTIFIERS)
def test_weighted_rows_equal_the_resampled_sentences(method):
    P, _ = shifted_sample(n=40, seed=2)
    q = Quantifier(method, ["a", "b"], np.array([[0.8, 0.1], [0.2, 0.9]]), np.array([[0.7, 0.2], [0.3, 0.8]]),
                   1.3, np.array([0.0, 0.2]), np.array([0.6, 0.4]))
    rng = np.random.default_rng(3)
    draws = [np.bincount(rng.integers(0, 40, 40), minlength=40) for _ in range(5)]
    batch = q.batch(np.array(draws) / 40, P)
    for row, counts in zip(batch, draws):
        assert row == pytest.approx(q(np.repeat(P, counts, axis=0)), abs=1e-5)


def test_a_saved_quantifier_counts_as_the_original():
    P, _ = shifted_sample(n=60, seed=4)
    q = Quantifier("emq", ["a", "b"], np.eye(2), np.eye(2), 0.7, np.array([0.0, -0.3]), np.array([0.3, 0.7]))
    again = Quantifier.from_dict(q.to_dict())
    assert again(P).tolist() == q(P).tolist()


def test_shares_of_a_class_the_quantifier_does_not_know_are_zero():
    q = Quantifier("acc", ["a", "b"], np.eye(2), np.eye(2))
    P = np.array([[0.9, 0.0, 0.1], [0.2, 0.0, 0.8]])  # columns in ("a", "c", "b") order
    shares = q.shares_in(P, ["a", "c", "b"])[0]
    assert shares.tolist() == pytest.approx([0.5, 0.0, 0.5])


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown quantifier"):
        Quantifier("median", ["a", "b"], np.eye(2), np.eye(2))



@pytest.mark.parametrize("change", [{"bias": [0.0]}, {"prior": [1.0, 0.0, 0.0]}, {"temperature": 0.0},
                                    {"hard": [[1.0]]}])
def test_a_quantifier_of_the_wrong_shape_is_refused(change):
    fields = {"method": "emq", "classes": ["a", "b"], "hard": np.eye(2).tolist(), "soft": np.eye(2).tolist(),
              "temperature": 1.0, "bias": [0.0, 0.0], "prior": [0.5, 0.5], **change}
    with pytest.raises(ValueError, match="wrong shape"):
        Quantifier.from_dict(fields)
