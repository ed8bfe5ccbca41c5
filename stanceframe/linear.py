"""The fitted pipelines' arithmetic, exported to plain JSON, for fast and safe scoring.

Scoring only needs TF-IDF weights and logistic-regression coefficients. Unpickling the sklearn
pipelines costs the import of scikit-learn (about 1.5 s here, most of a one-article run) and
trusts a pickle; the same numbers in JSON load in milliseconds with numpy and scipy.sparse and
cannot run code. `export` writes them from the fitted pipelines; tests check that
`LinearModel.predict_proba` equals the pipelines' own `predict_proba`.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np

from . import features as F

FORMAT = 1
_PREPROCESSORS = {"clean": F.clean, "concepts": F.concepts}


def _vectorizer_spec(name: str, v) -> dict:
    pre = v.preprocessor.__name__ if v.preprocessor is not None else None
    if pre not in _PREPROCESSORS or v.analyzer != "word" or v.stop_words is not None or v.tokenizer is not None:
        raise ValueError(f"cannot export vectorizer {name!r}: only word analyzers with clean/concepts preprocessing")
    return {
        "name": name, "preprocessor": pre, "token_pattern": v.token_pattern, "ngram_range": list(v.ngram_range),
        "binary": bool(v.binary), "sublinear_tf": bool(v.sublinear_tf), "norm": v.norm,
        "idf": v.idf_.tolist() if v.use_idf else None,
        "vocabulary": {t: int(i) for t, i in sorted(v.vocabulary_.items(), key=lambda kv: kv[1])},
    }


def export(stance, frame) -> str:
    """JSON text holding both pipelines' features (shared) and classifiers."""
    union = stance.named_steps["features"]
    if repr(union.get_params()) != repr(frame.named_steps["features"].get_params()) or any(
        a.vocabulary_ != b.vocabulary_ for (_, a), (_, b) in
        zip(union.transformer_list, frame.named_steps["features"].transformer_list)
    ):
        raise ValueError("stance and frame pipelines must share their features to be exported together")
    weights = union.transformer_weights or {}
    spec = {
        "format": FORMAT,
        "features": [{**_vectorizer_spec(n, v), "weight": float(weights.get(n, 1.0))}
                     for n, v in union.transformer_list if v != "drop"],
        "classifiers": {
            t: {"classes": [str(c) for c in p[-1].classes_], "coef": p[-1].coef_.tolist(),
                "intercept": p[-1].intercept_.tolist()}
            for t, p in (("stance", stance), ("frame", frame))
        },
    }
    return json.dumps(spec, separators=(",", ":"))


class _Vectorizer:
    def __init__(self, spec: dict):
        self.name = spec["name"]
        self.pre = _PREPROCESSORS[spec["preprocessor"]]
        pattern = re.compile(spec["token_pattern"])
        self.findall = pattern.findall  # with one group findall returns it, as sklearn's tokenizer does
        self.lo, self.hi = spec["ngram_range"]
        self.binary, self.sublinear, self.norm = spec["binary"], spec["sublinear_tf"], spec["norm"]
        self.vocab = spec["vocabulary"]
        self.idf = np.asarray(spec["idf"]) if spec["idf"] is not None else None
        self.weight = spec["weight"]
        self.size = len(self.vocab)

    def transform(self, texts: list[str], coverage: list | None = None):
        """The block of this vectoriser's columns for `texts`, weighted as in the union.

        With a `coverage` list, appends each text's share of tokens that are in the vocabulary.
        """
        from scipy.sparse import csr_matrix

        indptr, indices, counts = [0], [], []
        get, findall, pre, lo, hi = self.vocab.get, self.findall, self.pre, self.lo, self.hi
        for text in texts:
            tokens = findall(pre(text))
            grams = tokens if lo == 1 else []
            for n in range(max(lo, 2), hi + 1):  # n-grams joined as sklearn joins them
                grams = grams + [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
            ids = list(map(get, grams))
            if coverage is not None:
                known = len(tokens) - ids[:len(tokens)].count(None) if lo == 1 else 0
                coverage.append(known / len(tokens) if tokens else 1.0)
            row = Counter(j for j in ids if j is not None)
            indices.extend(row)
            counts.extend(row.values())
            indptr.append(len(indices))
        vals = np.asarray(counts, dtype=float)
        cols = np.asarray(indices, dtype=np.int64)
        if self.binary:
            vals[:] = 1.0
        elif self.sublinear:
            vals = np.log(vals) + 1.0
        if self.idf is not None:
            vals = vals * self.idf[cols]
        X = csr_matrix((vals, cols, np.asarray(indptr)), shape=(len(texts), self.size))
        if self.norm:
            ord_ = 2 if self.norm == "l2" else 1
            norms = np.sqrt(X.multiply(X).sum(1)).A1 if ord_ == 2 else abs(X).sum(1).A1
            norms[norms == 0] = 1.0
            X = csr_matrix(X.multiply(1 / norms[:, None]))
        return X * self.weight if self.weight != 1.0 else X


class LinearModel:
    def __init__(self, spec: dict):
        if spec.get("format") != FORMAT:
            raise ValueError(f"unknown linear model format {spec.get('format')!r}")
        self.vectorizers = [_Vectorizer(fs) for fs in spec["features"]]
        self.classes = {t: c["classes"] for t, c in spec["classifiers"].items()}
        self.coef = {t: np.asarray(c["coef"], dtype=float).T for t, c in spec["classifiers"].items()}
        self.intercept = {t: np.asarray(c["intercept"], dtype=float) for t, c in spec["classifiers"].items()}
        self._validate()

    def _validate(self) -> None:
        """Shapes and classes that make probabilities: a file whose checksum matches can still be wrong."""
        from .labels import TARGETS

        for v in self.vectorizers:
            if v.idf is not None and v.idf.shape != (v.size,):
                raise ValueError(f"a vectoriser has {v.size} terms but {v.idf.size} idf weights")
            if sorted(v.vocab.values()) != list(range(v.size)):
                raise ValueError("a vectoriser's term indices are not 0..n-1")
        n = sum(v.size for v in self.vectorizers)
        if set(self.classes) != set(TARGETS):
            raise ValueError(f"classifiers for {sorted(self.classes)}, expected {sorted(TARGETS)}")
        for t, classes in self.classes.items():
            unknown = [c for c in classes if c not in TARGETS[t]]
            if len(classes) < 2 or len(set(classes)) != len(classes) or unknown:
                raise ValueError(f"{t} classes {classes} are not two or more distinct labels of the codebook")
            k = 1 if len(classes) == 2 else len(classes)
            if self.coef[t].shape != (n, k) or self.intercept[t].shape != (k,):
                raise ValueError(f"{t} coefficients of shape {self.coef[t].T.shape} and intercepts of shape "
                                 f"{self.intercept[t].shape}, expected ({k}, {n}) and ({k},) for {len(classes)} classes")
            if not (np.isfinite(self.coef[t]).all() and np.isfinite(self.intercept[t]).all()):
                raise ValueError(f"{t} coefficients that are not finite numbers")

    def feature_names(self) -> list[str]:
        """Column names as sklearn's FeatureUnion gives them: "<vectoriser>__<term>"."""
        return [f"{v.name}__{t}" for v in self.vectorizers for t in v.vocab]

    def transform(self, texts: list[str], coverage: list | None = None):
        """Features of `texts`; with a `coverage` list, also each text's share of known words."""
        from scipy.sparse import hstack

        blocks = [v.transform(texts, coverage if i == 0 else None) for i, v in enumerate(self.vectorizers)]
        return hstack(blocks, format="csr")

    def predict_proba(self, target: str, X) -> np.ndarray:
        """Class probabilities in self.classes[target] order, as LogisticRegression computes them."""
        logits = np.asarray(X @ self.coef[target]) + self.intercept[target]
        if logits.shape[1] == 1:  # binary: sklearn's decision function is for the second class
            p = 1 / (1 + np.exp(-logits[:, 0]))
            return np.column_stack([1 - p, p])
        logits -= logits.max(1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(1, keepdims=True)
