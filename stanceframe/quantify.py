"""Outlet-level stance shares from sentence probabilities: five counting methods.

Classify-and-count (cc) and probabilistic counting (pcc) are biased toward the training
distribution; adjusted counts (acc, pacc) undo the classifier's measured misclassification rates
(Forman 2005, 2008; Bella et al. 2010). emq re-estimates the class
priors of the new set by expectation maximisation (Saerens, Latinne & Decaestecker 2002) from
probabilities recalibrated by bias-corrected temperature scaling (Alexandari, Kundaje &
Shrikumar 2020, who found that pair hard to beat under label shift). The calibration is fitted
on out-of-fold predictions of the training data. Which method a model uses is chosen inside its
training data (`model.fit_quantifier`). numpy only, so scoring does not import
scikit-learn (fitting the calibration imports scipy; only training does that).
"""

from __future__ import annotations

import numpy as np

QUANTIFIERS = ("cc", "pcc", "acc", "pacc", "emq")
# The method used when the training data has too few groups to choose one (see model.fit_quantifier,
# which chooses inside the training folds); emq for its record in the literature above.
QUANTIFIER = "emq"
_EM_TOL, _EM_MAX_ITER = 1e-4, 1000
_MIN_PRIOR = 1e-3  # a class absent from the training data must not divide by zero
WEIGHTS_PER_BLOCK = 2_000_000  # bootstrap replicates' weights are built in blocks of at most this many


def misclassification(P_oof: np.ndarray, y_idx: np.ndarray, k: int):
    """M_hard[i, j] = P(predicted i | true j); M_soft[i, j] = E[p_i | true j], from out-of-fold predictions."""
    hard = np.zeros((k, k))
    soft = np.zeros((k, k))
    pred = P_oof.argmax(1)
    for j in range(k):
        m = y_idx == j
        if m.any():
            hard[:, j] = np.bincount(pred[m], minlength=k) / m.sum()
            soft[:, j] = P_oof[m].mean(0)
        else:
            hard[j, j] = soft[j, j] = 1.0
    return hard, soft


def calibrate(P: np.ndarray, temperature: float, bias: np.ndarray) -> np.ndarray:
    """softmax(log P / temperature + bias), row by row."""
    Z = np.log(np.clip(P, 1e-12, 1.0)) / temperature + bias
    Z = np.exp(Z - Z.max(1, keepdims=True))
    return Z / Z.sum(1, keepdims=True)


def fit_calibration(P_oof: np.ndarray, y_idx: np.ndarray) -> tuple[float, np.ndarray]:
    """Bias-corrected temperature scaling: the temperature and class biases that minimise the
    log loss of out-of-fold probabilities. Bounded, so a class missing from y cannot run off."""
    from scipy.optimize import minimize

    k = P_oof.shape[1]
    L = np.log(np.clip(P_oof, 1e-12, 1.0))
    rows = np.arange(len(y_idx))

    def nll(w):
        Z = L / np.exp(w[0]) + np.r_[0.0, w[1:]]
        Z = Z - Z.max(1, keepdims=True)
        return -(Z[rows, y_idx] - np.log(np.exp(Z).sum(1))).mean()

    w = minimize(nll, np.zeros(k), method="L-BFGS-B", bounds=[(-3.0, 3.0)] + [(-10.0, 10.0)] * (k - 1)).x
    return float(np.exp(w[0])), np.r_[0.0, w[1:]]


def _emq(W: np.ndarray, P: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """EM re-estimation of the class shares of each row of weights W, from calibrated P.

    On a few sentences the likelihood is nearly flat and its maximum ill-determined, so where EM
    starts and stops is part of the estimator. As in QuaPy's EMQ (Moreo, Esuli & Sebastiani 2021),
    every row starts from the training prior and stops when its shares move less than 1e-4 in an
    iteration (here: no share moves that much); only rows still moving are iterated."""
    prior = np.maximum(prior, _MIN_PRIOR)
    q = np.tile(prior, (len(W), 1))
    active = np.arange(len(W))
    for _ in range(_EM_MAX_ITER):
        # E and M steps at once: posterior of class k for sentence n under row r's shares is
        # P[n, k] * ratio[r, k] / D[r, n]; the new shares are their W-weighted sums
        ratio = q[active] / prior
        D = ratio @ P.T
        q_new = ratio * ((W[active] / D) @ P)
        moving = np.abs(q_new - q[active]).max(1) >= _EM_TOL
        q[active] = q_new
        active = active[moving]
        if not len(active):
            break
    return q


def _adjust(observed: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Solve observed = M @ true for each row's class shares (least squares, clipped, renormalised)."""
    true = np.clip(observed @ np.linalg.pinv(M).T, 0, None)
    total = true.sum(1, keepdims=True)
    return np.where(total > 0, true / np.where(total > 0, total, 1), observed)


def lean_vector(classes) -> np.ndarray:
    """lean = shares @ lean_vector(classes): share(pro_ukraine) - share(russia_accommodating); a class
    the classes lack counts 0."""
    classes = list(classes)
    return np.array([{"pro_ukraine": 1.0, "russia_accommodating": -1.0}.get(c, 0.0) for c in classes])


def lean(shares: np.ndarray, classes) -> float:
    return float(np.asarray(shares) @ lean_vector(classes))


class Quantifier:
    """Turns sentence probabilities into outlet-level stance shares with one counting method.

    It carries what every method needs, all measured on out-of-fold predictions of the training
    data: the misclassification matrices (acc, pacc), the calibration and the training prior (emq).
    """

    def __init__(self, method: str, classes, hard, soft, temperature: float = 1.0, bias=None, prior=None):
        if method not in QUANTIFIERS:
            raise ValueError(f"unknown quantifier {method!r}")
        k = len(classes)
        self.method, self.classes = method, list(classes)
        self.hard, self.soft = np.asarray(hard, dtype=float), np.asarray(soft, dtype=float)
        self.temperature = float(temperature)
        self.bias = np.zeros(k) if bias is None else np.asarray(bias, dtype=float)
        self.prior = np.full(k, 1 / k) if prior is None else np.asarray(prior, dtype=float)
        shapes = (self.hard.shape, self.soft.shape, self.bias.shape, self.prior.shape)
        if shapes != ((k, k), (k, k), (k,), (k,)) or not self.temperature > 0:
            raise ValueError(f"quantifier for {k} classes has matrices, bias or prior of the wrong shape, "
                             "or a temperature that is not positive")

    def using(self, method: str) -> Quantifier:
        """The same measurements, counted another way."""
        return Quantifier(method, self.classes, self.hard, self.soft, self.temperature, self.bias, self.prior)

    def to_dict(self) -> dict:
        return {"method": self.method, "classes": self.classes, "hard": self.hard.tolist(),
                "soft": self.soft.tolist(), "temperature": self.temperature, "bias": self.bias.tolist(),
                "prior": self.prior.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> Quantifier:
        return cls(d["method"], d["classes"], d["hard"], d["soft"], d.get("temperature", 1.0), d.get("bias"),
                   d.get("prior"))

    def __call__(self, P: np.ndarray) -> np.ndarray:
        """Class shares of a set of sentences from their class probabilities P (n x k)."""
        if len(P) == 0:
            return np.full(P.shape[1], np.nan)
        return self.batch(np.full((1, len(P)), 1 / len(P)), P)[0]

    def shares_in(self, P: np.ndarray, classes, W: np.ndarray | None = None) -> np.ndarray:
        """Shares in `classes` order, from P with columns in `classes` order (one row per weighting in W,
        or a single row). A class the quantifier was not trained on gets a share of 0."""
        classes = list(classes)
        cols = [classes.index(c) for c in self.classes]
        Pq = P[:, cols]
        out = self.batch(W, Pq) if W is not None else self(Pq)[None]
        full = np.zeros((len(out), len(classes)))
        full[:, cols] = out
        return full

    def batch(self, W: np.ndarray, P: np.ndarray) -> np.ndarray:
        """Shares for each row of weights W (r x n, rows sum to 1), e.g. bootstrap replicates, at once."""
        if self.method in ("cc", "acc"):
            obs = W @ np.eye(P.shape[1])[P.argmax(1)]
        elif self.method in ("pcc", "pacc"):
            obs = W @ P
        else:
            return _emq(W, calibrate(P, self.temperature, self.bias), self.prior)
        if self.method == "acc":
            return _adjust(obs, self.hard)
        if self.method == "pacc":
            return _adjust(obs, self.soft)
        return obs


class ShareEstimator:
    """A quantifier as `summary` uses it: probabilities and shares both in `classes` order."""

    def __init__(self, quantifier: Quantifier, classes):
        self.quantifier, self.classes = quantifier, list(classes)

    def __call__(self, P) -> np.ndarray:
        return self.quantifier.shares_in(np.asarray(P), self.classes)[0]

    def batch(self, W: np.ndarray, P) -> np.ndarray:
        return self.quantifier.shares_in(np.asarray(P), self.classes, W)
