"""Prediction-powered inference (PPI) for an outlet's stance shares and lean from a random labelled sample.

The model predicts every sentence of an outlet; a random sample of them is labelled by hand. PPI
(Angelopoulos et al., Science 2023) estimates a mean as the predictions' mean over all sentences
corrected by the mean residual (gold minus prediction) on the labelled sample; PPI++ (Angelopoulos,
Duchi & Zrnic 2023) weights the predictions by lambda, chosen from the data and clipped to [0, 1]:
lambda 1 is plain PPI, lambda 0 the labelled sample's own mean. The interval holds whatever the
model's errors, because the labels alone decide how far the predictions are trusted; it is a normal
(large-sample) interval, with two small-sample repairs that bench/ppi_coverage.py showed were needed
at tens of labels (see `ppi_mean`): lambda cross-fitted, and Student's t quantile for n - 1 degrees
of freedom (1.96 as n grows). They were chosen on the bench's seed-0 runs; the coverage the README
reports is from another seed (fresh samples of the same held-out groups). One lambda per labelled sentence serves an outlet's four shares and its
lean, so the shares sum to 1 and the lean is their difference, as in the model-only figure.

What is estimated is a finite-population mean: a share of *these* sentences of the outlet (the
sentences `sources` counts: all of them, uncertain ones included), under simple random sampling
without replacement of sentences within the outlet. A uniform random sample of the whole corpus is
one, given how many of its sentences fall in each outlet. The randomness is the draw alone, so
sentences of one article may be as alike as they like: the interval needs no independence between
sentences, and that is why it ignores the articles. It says nothing about articles the corpus does not
have (the bootstrap over articles of the model-only figure aims at those). The predictions of all
sentences are known, so they add no sampling error, and the finite-population correction (1 - n/N)
applies; `finite=False` is PPI++ for separate unlabelled data as in ppi-python (the tests check it).

The per-sentence predictions are the model's stance probabilities as its own counting method reads
them (`prediction_vectors`), so the mean over all sentences is the model-only figure `sources`
prints and PPI is that figure corrected. Probabilities, not hard predictions: they are the figure
being corrected (emq re-estimates shares from probabilities), their residuals are rarely all zero, so
a small sample does not collapse the interval to a point, and they track the gold more closely,
which is what lambda rewards (the bench runs hard predictions beside them). Any predictor keeps the
interval valid; only its width depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import BadInput
from .labels import STANCES
from .quantify import _MIN_PRIOR, _emq, calibrate, lean_vector

Z95 = 1.959963984540054  # the 97.5% normal quantile: 95% two-sided intervals
SAMPLES = ("random", "uncertain")
MIN_LABELLED = 3  # a cross-fitted lambda needs two other labelled sentences


def _t_quantile(df: int) -> float:
    from scipy.stats import t  # only `--labels` needs it

    return float(t.ppf(0.975, df))


def _loo_cov(Y: np.ndarray, Yhat: np.ndarray) -> np.ndarray:
    """cov(y, f) of the labelled units without each one (rows x columns)."""
    n = len(Y)
    sy, sf, syf = Y.sum(0), Yhat.sum(0), (Y * Yhat).sum(0)
    return (syf - Y * Yhat - (sy - Y) * (sf - Yhat) / (n - 1)) / (n - 2)


def _slope(cov: np.ndarray, var: np.ndarray, overall: bool) -> np.ndarray:
    """lambda = cov / var clipped to [0, 1]; `overall`: one for all columns, from their sums (the
    total variance's minimiser, ppi-python's "overall" mode)."""
    if overall:
        cov, var = cov.sum(-1, keepdims=True), var.sum(-1, keepdims=True)
    return np.clip(np.divide(cov, var, out=np.zeros(np.broadcast_shapes(cov.shape, var.shape)), where=var > 0), 0, 1)


def ppi_mean(Y, Yhat, Yhat_all, lam=None, finite: bool = True, crossfit: bool = True, overall: bool = False,
             combine=None, z: float | None = None) -> dict:
    """PPI++ estimate of the mean of each column of Y, with a 95% interval.

    Y, Yhat: gold and predictions of the n labelled units. `finite` (what `sources --labels` runs):
    Yhat_all holds the predictions of all N units of the population, the labelled ones included, and
    the labelled units are a simple random sample of them without replacement. lambda is cross-fitted
    (`crossfit`): each labelled unit's term y - lambda (f - mean f) takes the lambda fitted on the
    other n - 1 (the regression slope cov(y, f) / var(f), clipped to [0, 1]), so the terms' variance
    is not the in-sample minimum it would be with one lambda fitted to them all; the interval is
    value +- t(n - 1) * se with se^2 = (1 - n/N) var(terms) / n. bench/ppi_coverage.py measured both
    choices (its seed-0 runs): with in-sample lambda and the normal quantile, 10% labels of a written
    voice covered 0.90 of the shares.
    `overall`: one lambda for all columns (per unit), so shares that sum to 1 keep doing so; `combine`
    (columns x k, with `overall` or a given `lam`): k linear combinations of the columns reported after
    them, estimated with the same lambdas (the lean of the shares).
    Not `finite`: PPI++ exactly as ppi-python's `ppi_mean_ci` (`lam_optim_mode` "overall" or "element"),
    Yhat_all being separate unlabelled data, with one in-sample lambda and the normal quantile.
    `lam` given: that lambda for every unit. `z`: another quantile. Returns `value`, `lo`, `hi`, `se`
    and `lam` (the mean lambda used), arrays of one entry per column (floats for 1-d Y).
    """
    Y, Yhat, Yhat_all = (np.asarray(a, dtype=float) for a in (Y, Yhat, Yhat_all))
    flat = Y.ndim == 1
    Y, Yhat, Yhat_all = (a.reshape(len(a), -1) for a in (Y, Yhat, Yhat_all))
    n, N = len(Y), len(Yhat_all)
    least = 3 if finite and crossfit and lam is None else 2
    if n < least or N < 2:
        raise ValueError(f"PPI needs at least {least} labelled and two predicted units; got {n} and {N}")
    if combine is not None and not (finite and (overall or lam is not None)):
        raise ValueError("combine needs the finite-population estimate with one lambda for all columns")
    if finite:
        if lam is not None:
            lams = np.broadcast_to(np.asarray(lam, dtype=float), Y.shape)
        else:
            cov = _loo_cov(Y, Yhat) if crossfit else ((Y - Y.mean(0)) * (Yhat - Yhat.mean(0))).sum(0) / (n - 1)
            lams = np.broadcast_to(_slope(cov, Yhat_all.var(0, ddof=1), overall), Y.shape)
        terms = Y - lams * (Yhat - Yhat_all.mean(0))
        lam_used = lams.mean(0)
        if combine is not None:
            combine = np.asarray(combine, dtype=float).reshape(Y.shape[1], -1)
            terms = np.c_[terms, terms @ combine]
            lam_used = np.r_[lam_used, np.full(combine.shape[1], lams[:, 0].mean())]
        value = terms.mean(0)
        se = np.sqrt((1 - n / N) * terms.var(0, ddof=1) / n)
        q = _t_quantile(n - 1) if z is None else z
    else:
        if lam is None:  # ppi-python's choice for separate unlabelled data: larger n/N shrinks lambda
            cov = ((Y - Y.mean(0)) * (Yhat - Yhat.mean(0))).mean(0)
            lam = _slope(cov, (1 + n / N) * np.concatenate([Yhat, Yhat_all]).var(0, ddof=1), overall)
        lam_used = np.broadcast_to(np.asarray(lam, dtype=float), (Y.shape[1],))
        residual = Y - lam_used * Yhat
        value = lam_used * Yhat_all.mean(0) + residual.mean(0)
        se = np.sqrt(residual.var(0) / n + (lam_used * Yhat_all).var(0) / N)
        q = Z95 if z is None else z
    out = {"value": value, "lo": value - q * se, "hi": value + q * se, "se": se, "lam": np.array(lam_used)}
    return {k: float(v[0]) for k, v in out.items()} if flat else out


def prediction_vectors(estimator, P: np.ndarray) -> np.ndarray:
    """Per-sentence stance vectors (columns in STANCES order) whose mean is the model-only share estimate.

    `estimator` is the share estimator of `rows.corpus_rows` (quantify.ShareEstimator) or None (the
    column mean of P). cc: the predicted class as one-hot; pcc: P; emq: each sentence's posterior
    under the shares EM settles on (their mean is those shares); acc, pacc: the adjustment applied
    to each sentence (the mean is the adjusted shares before they are clipped to [0, 1])."""
    P = np.asarray(P, dtype=float)
    if estimator is None:
        return P
    q, classes = estimator.quantifier, list(estimator.classes)
    cols = [classes.index(c) for c in q.classes]
    Pq = P[:, cols]
    if q.method in ("cc", "acc"):
        F = np.eye(Pq.shape[1])[Pq.argmax(1)]
    else:
        F = Pq
    if q.method in ("acc", "pacc"):
        F = F @ np.linalg.pinv(q.hard if q.method == "acc" else q.soft).T
    elif q.method == "emq":
        C = calibrate(Pq, q.temperature, q.bias)
        shares = _emq(np.full((1, len(C)), 1 / len(C)), C, q.prior)[0]
        weighted = C * (shares / np.maximum(q.prior, _MIN_PRIOR))
        F = weighted / weighted.sum(1, keepdims=True)
    full = np.zeros((len(P), len(classes)))
    full[:, cols] = F
    return full


def _bounded(value: float, se: float, q: float, key: str, low: float, high: float) -> dict:
    """value +- q * se with all three clipped into [low, high].

    A share is in [0, 1], a lean in [-1, 1], so clipping loses no coverage; clipping each end into
    the range (not lo from below and hi from above only) keeps lo <= value <= hi, which an estimate
    outside the range would otherwise invert. `unclipped` is kept: differences are taken from it."""
    lo, hi = (min(max(x, low), high) for x in (value - q * se, value + q * se))
    return {key: min(max(value, low), high), "lo": lo, "hi": hi, "se": se, "unclipped": value}


def estimate_group(F_all: np.ndarray, F_lab: np.ndarray, Y_lab: np.ndarray) -> dict:
    """PPI and labels-only estimates of one group's stance shares and lean.

    F_all: prediction vectors of all N sentences; F_lab, Y_lab: prediction vectors and one-hot gold of
    the n labelled ones (rows of STANCES columns). One lambda per labelled sentence serves all four
    shares and the lean, so the shares sum to 1 and the lean is pro_ukraine minus russia_accommodating,
    as in the model-only figure (bench/ppi_coverage.py: coverage as high as with a lambda per share)."""
    v = lean_vector(STANCES)[:, None]
    n, N = len(Y_lab), len(F_all)
    out: dict = {"n_labelled": n, "n_sentences": N}
    if n < MIN_LABELLED:
        return out | {"stance_shares": None, "lean": None}
    labels = ppi_mean(Y_lab, F_lab, F_all, lam=0.0, combine=v)
    if n == N:  # a census: the gold is the answer (cross-fitted lambdas would pull it toward the model)
        ppi = labels | {"lam": np.ones(len(labels["value"]))}
    else:
        ppi = ppi_mean(Y_lab, F_lab, F_all, overall=True, combine=v)

    q = _t_quantile(n - 1)  # ppi_mean's, for the finite population

    def at(r, i, key, low):
        return _bounded(float(r["value"][i]), float(r["se"][i]), q, key, low, 1.0)

    out["stance_shares"] = {s: {"ppi": at(ppi, i, "share", 0.0) | {"lambda": float(ppi["lam"][i])},
                                "labels_only": at(labels, i, "share", 0.0)} for i, s in enumerate(STANCES)}
    k = len(STANCES)
    out["lean"] = {"ppi": at(ppi, k, "value", -1.0) | {"lambda": float(ppi["lam"][k])},
                   "labels_only": at(labels, k, "value", -1.0)}
    return out


def difference(a: dict, b: dict) -> dict:
    """A minus B of two `estimate_group` records from independent samples: differences of the unclipped
    estimates, variances added, the t quantile of the smaller sample (conservative; the lambdas stay each
    side's own), clipped into [-1, 1] for a share and [-2, 2] for the lean."""
    if a["lean"] is None or b["lean"] is None:
        return {"stance_shares": None, "lean": None}
    q = _t_quantile(min(a["n_labelled"], b["n_labelled"]) - 1)

    def diff(x, y):
        # from the unclipped estimates (their se is the unclipped one), clipped into the difference's range
        value, se = x["unclipped"] - y["unclipped"], float(np.hypot(x["se"], y["se"]))
        bound = 1.0 if "share" in x else 2.0
        return _bounded(value, se, q, "value", -bound, bound)

    pair = {s: (a["stance_shares"][s], b["stance_shares"][s]) for s in STANCES} | {"lean": (a["lean"], b["lean"])}
    out = {q_: {k: diff(x[k], y[k]) for k in ("ppi", "labels_only")} for q_, (x, y) in pair.items()}
    return {"stance_shares": {s: out[s] for s in STANCES}, "lean": out["lean"]}


# --- the labelled sample ---------------------------------------------------------------------------


@dataclass
class Sample:
    """The rows of a labels file that PPI uses (random, labelled for stance), and what was left out."""

    path: str
    rows: list[dict]  # {where (file:line), doc_id, start, end, text, stance}
    has_sample_column: bool
    left_out: dict[str, int] = field(default_factory=dict)  # why -> how many rows
    checked: list[dict] = field(default_factory=list)  # every row, for matching to the corpus
    unanswered: int = 0  # random rows (or tasks) without a stance

    def notes(self) -> list[str]:
        """What the user must know about which rows were used, one line each."""
        out = [f"labels: {len(self.rows)} random row(s) with a stance from {self.path} are used for the intervals"]
        if not self.has_sample_column:
            out.append(f"labels: {self.path} has no 'sample' column, so every row is taken as a random sample "
                       "(intervals are valid only if it is one)")
        if self.left_out:
            out.append("labels: left out of the intervals: "
                       + ", ".join(f"{k} {why}" for why, k in self.left_out.items()))
        if self.unanswered:
            out.append(f"labels: {self.unanswered} sentence(s) of the random sample have no stance answer; the intervals "
                       "assume these are missing at random, which sentences skipped for being hard to label are not")
        return out


NO_STANCE = "with no stance label"


def read_sample(path: str | Path) -> Sample:
    """The rows (doc_id, start, end, text, stance, optional sample) of a corpus labels CSV or of an
    annotation tool's export (corpuslabels.read_labels_file), with PPI's own rules on top: a stance
    column, random rows, each sentence once."""
    from .corpuslabels import read_labels_file
    from .labels import csv_header

    path = Path(path)
    found, imported = read_labels_file(path)
    if imported is None:
        header = csv_header(path)
        if "stance" not in header:
            raise BadInput(f"{path}:1: no stance column; PPI estimates stance shares, so the labels need one")
        has_sample = "sample" in header
    else:
        has_sample = any(row.get("sample") for _, row in found)
    sample = Sample(str(path), [], has_sample)
    if imported is not None:
        sample.left_out.update({f"task(s) {why}": n for why, n in sorted(imported.skipped.items())})
        # an export drops unanswered tasks with their `sample`: all are counted as random ones
        sample.unanswered = sum(imported.skipped.values()) - imported.skipped.get("answered again later", 0)
    seen: dict[tuple, str] = {}
    for where, row in found:
        try:
            start, end = int(row["start"]), int(row["end"])
        except (TypeError, ValueError):  # a CSV's are checked as it is read; a tool export's not
            raise BadInput(f"{where}: start and end must be whole numbers; got {row.get('start')!r}, "
                           f"{row.get('end')!r}") from None
        stance = (row.get("stance") or "").strip()
        kind = (row.get("sample") or "").strip() if has_sample else "random"
        if kind not in SAMPLES:
            raise BadInput(f"{where}: unknown sample {kind!r}; accepted: {', '.join(SAMPLES)}")
        doc_id = str(row["doc_id"]).strip()
        key = (doc_id, start, end)
        if key in seen:
            raise BadInput(f"{where}: the same sentence as {seen[key]} ({doc_id} {start}-{end}); a random sample "
                           "holds each sentence once")
        seen[key] = where
        rec = {"where": where, "doc_id": doc_id, "start": start, "end": end, "text": row.get("text") or "",
               "stance": stance}
        sample.checked.append(rec)
        why = "sampled as 'uncertain'" if kind == "uncertain" else NO_STANCE if not stance else None
        if why:
            sample.left_out[why] = sample.left_out.get(why, 0) + 1
            sample.unanswered += why == NO_STANCE
        else:
            sample.rows.append(rec)
    if not sample.checked:
        raise BadInput(f"{path}: no labelled rows")
    return sample


def match(sample: Sample, doc_ids, starts, ends, texts, groups=None, others: bool = False
          ) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the sample's rows among the scored sentences and their gold stance indices.
    Every row of the file must point at one sentence (doc_id as corpuslabels.DocIndex finds it, start,
    end), with the same text where it has one (corpuslabels.same_text). `groups`: each sentence's group
    (compare's sides), to name them when a label's place is a sentence of two. `others`: rows of
    documents the corpus lacks are left out and counted (compare's two outlets, labelled from a
    sample of a larger corpus), not errors; a row of a document the corpus has must still match."""
    import os

    from .corpuslabels import DocIndex, same_text

    spans: dict[str, dict] = {}
    for i, (d, s, e) in enumerate(zip(doc_ids, starts, ends)):
        spans.setdefault(str(d), {}).setdefault((int(s), int(e)), []).append(i)
    index = DocIndex()
    for d, at in spans.items():
        index.add(d, at, whole_file="\x00" not in d and os.path.isfile(d))
    found = {}
    for rec in sample.checked:
        hits = [i for at in index.get(rec["doc_id"]) for i in at.get((rec["start"], rec["end"]), [])]
        if not hits and others and not index.get(rec["doc_id"]):
            continue
        if not hits:
            unmatched = sum(not any((r["start"], r["end"]) in at for at in index.get(r["doc_id"]))
                            for r in sample.checked)
            raise BadInput(f"{rec['where']}: no sentence of the corpus at doc_id {rec['doc_id']!r}, "
                           f"start {rec['start']}, end {rec['end']} ({unmatched} of {len(sample.checked)} rows "
                           "match none); labels point at sentences as `predict.py score --format csv` prints them "
                           "(id, start, end) for the same corpus")
        if len(hits) > 1:
            names = sorted({str(groups[i]) for i in hits}) if groups is not None else []
            inside = f" (in {' and '.join(names)})" if len(names) > 1 else ""
            raise BadInput(f"{rec['where']}: doc_id {rec['doc_id']!r}, start {rec['start']}, end {rec['end']} is "
                           f"{len(hits)} sentences of the corpora{inside}: both have a document of that id, so the "
                           "label cannot say which it is; give the documents distinct ids")
        i = hits[0]
        if rec["text"] and not same_text(rec["text"], rec["start"], rec["end"], str(texts[i])):
            raise BadInput(f"{rec['where']}: the text differs from the corpus sentence at "
                           f"{rec['doc_id']} {rec['start']}-{rec['end']} ({str(texts[i])[:60]!r}); "
                           "was the corpus changed since it was labelled?")
        found[id(rec)] = i
    if others:
        elsewhere = sum(id(r) not in found for r in sample.checked)
        if elsewhere == len(sample.checked):
            raise BadInput(f"{sample.path}: none of its rows is a sentence of these corpora")
        if elsewhere:
            sample.left_out[f"of documents outside {' and '.join(sorted({str(g) for g in groups}))}"] = elsewhere
        sample.rows = [r for r in sample.rows if id(r) in found]
    positions = np.array([found[id(r)] for r in sample.rows], dtype=int)
    gold = np.array([STANCES.index(r["stance"]) for r in sample.rows], dtype=int)
    return positions, gold
