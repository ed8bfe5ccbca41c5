"""Outlet-level stance shares from sentence probabilities: four counting methods.

Classify-and-count (cc) and probabilistic counting (pcc) are biased toward the training
distribution; adjusted counts (acc, pacc) undo the classifier's measured misclassification rates
(Forman 2005, 2008; Bella et al. 2010). numpy only, so scoring does not import scikit-learn.
"""

from __future__ import annotations

import numpy as np

QUANTIFIERS = ("cc", "pcc", "acc", "pacc")


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


def _adjust(observed: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Solve observed = M @ true for each row's class shares (least squares, clipped, renormalised)."""
    true = np.clip(observed @ np.linalg.pinv(M).T, 0, None)
    total = true.sum(1, keepdims=True)
    return np.where(total > 0, true / np.where(total > 0, total, 1), observed)


def weighted_shares(W: np.ndarray, P: np.ndarray, method: str, hard=None, soft=None) -> np.ndarray:
    """Class shares for each row of weights W (r x n, rows sum to 1) over sentences with probabilities P."""
    if method in ("cc", "acc"):
        obs = W @ np.eye(P.shape[1])[P.argmax(1)]
    elif method in ("pcc", "pacc"):
        obs = W @ P
    else:
        raise ValueError(f"unknown quantifier {method!r}")
    if method == "acc":
        return _adjust(obs, hard)
    if method == "pacc":
        return _adjust(obs, soft)
    return obs


def estimate_shares(P: np.ndarray, method: str, hard=None, soft=None) -> np.ndarray:
    """Class shares of a set of sentences from their class probabilities P (n x k)."""
    if len(P) == 0:
        return np.full(P.shape[1], np.nan)
    return weighted_shares(np.full((1, len(P)), 1 / len(P)), P, method, hard, soft)[0]


def lean(shares: np.ndarray, classes) -> float:
    classes = list(classes)
    return float(shares[classes.index("pro_ukraine")] - shares[classes.index("russia_accommodating")])


class Quantifier:
    """Turns sentence probabilities into outlet-level stance shares with the chosen method."""

    def __init__(self, method: str, classes, hard: np.ndarray, soft: np.ndarray, inner_errors=None):
        self.method, self.classes = method, list(classes)
        self.hard, self.soft = np.asarray(hard, dtype=float), np.asarray(soft, dtype=float)
        self.inner_errors = dict(inner_errors or {})

    def to_dict(self) -> dict:
        return {"method": self.method, "classes": self.classes, "hard": self.hard.tolist(),
                "soft": self.soft.tolist(), "inner_errors": self.inner_errors}

    @classmethod
    def from_dict(cls, d: dict) -> Quantifier:
        return cls(d["method"], d["classes"], d["hard"], d["soft"], d.get("inner_errors"))

    def __call__(self, P: np.ndarray) -> np.ndarray:
        return estimate_shares(P, self.method, self.hard, self.soft)

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
        """Shares for many weightings of the same sentences at once (bootstrap replicates)."""
        return weighted_shares(W, P, self.method, self.hard, self.soft)
