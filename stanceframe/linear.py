"""The fitted pipelines' arithmetic, exported to plain JSON, for fast and safe scoring.

Scoring only needs TF-IDF weights and logistic-regression coefficients. Unpickling the sklearn
pipelines costs the import of scikit-learn (about 1.5 s here, most of a one-article run) and
trusts a pickle; the same numbers in JSON load in milliseconds with numpy and scipy.sparse and
cannot run code. `export` writes them from the fitted pipelines; tests check that
`LinearModel.predict_proba` equals the pipelines' own `predict_proba`.
"""

from __future__ import annotations

import json
from itertools import chain

import numpy as np

from . import features as F

FORMAT = 1
_PREPROCESSORS = {"clean": F.clean, "concepts": F.concepts}


def _vectorizer_spec(name: str, v) -> dict:
    pre = v.preprocessor.__name__ if v.preprocessor is not None else None
    if pre not in _PREPROCESSORS or v.analyzer != "word" or v.stop_words is not None or v.tokenizer is not None:
        raise ValueError(f"cannot export vectorizer {name!r}: only word analyzers with clean/concepts preprocessing")
    why = _supported({"preprocessor": pre, "token_pattern": v.token_pattern, "ngram_range": list(v.ngram_range)})
    if why:
        raise ValueError(f"cannot export vectorizer {name!r}: {why}")
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


def _supported(spec: dict) -> str | None:
    """Why the vectoriser `spec` cannot be scored here, or None: scoring reads both views off the
    one tokenisation of stanceframe.features (clean text's TOKEN_PATTERN n-grams up to pairs; the
    concept tokens one by one)."""
    lo, hi = spec["ngram_range"]
    if spec["preprocessor"] == "clean" and (spec["token_pattern"] != F.TOKEN_PATTERN or not 1 <= lo <= hi <= 2):
        return f"words need token_pattern {F.TOKEN_PATTERN!r} and n-grams of 1 to 2 words"
    if spec["preprocessor"] == "concepts" and (spec["token_pattern"] != r"\S+" or (lo, hi) != (1, 1)):
        return r"concept tokens need token_pattern '\S+' and single tokens"
    return None


class _RunIds(dict):
    """Memo: a run of cleaned text -> the term numbers of its TOKEN_PATTERN tokens (-1: unknown)."""

    def __init__(self, terms: dict[str, int]):
        super().__init__({sep: (_SEP,) for sep in F.SEPARATORS})
        self.terms = terms

    def __missing__(self, run: str) -> tuple[int, ...]:
        ids = tuple(self.terms.get(w, -1) for w in F.run_words(run))
        if len(self) > 200_000:
            self.clear()
            self.update({sep: (_SEP,) for sep in F.SEPARATORS})
        self[run] = ids
        return ids


_SEP = -2


class _MaskColumns(dict):
    """Memo: a concept mask -> the columns of its tokens, part by part (all parts but the shape)."""

    def __init__(self, parts: list):
        super().__init__()
        self.parts = parts

    def __missing__(self, mask: int) -> tuple[int, ...]:
        subs = F.row_parts(np.array([mask << 3]))[:-1]
        cols = tuple(chain.from_iterable(self.parts[part][int(sub[0])] for part, sub in subs))
        if len(self) > 200_000:
            self.clear()
        self[mask] = cols
        return cols


class _PartColumns(dict):
    """Memo: a sub-key of one part of concept rows -> the columns of its tokens in the vocabulary."""

    def __init__(self, part: int, vocab: dict[str, int]):
        super().__init__()
        self.part, self.vocab = part, vocab

    def __missing__(self, sub: int) -> tuple[int, ...]:
        cols = tuple(j for j in map(self.vocab.get, F.part_tokens(self.part, sub)) if j is not None)
        if len(self) > 200_000:
            self.clear()
        self[sub] = cols
        return cols


class _Vectorizer:
    def __init__(self, spec: dict):
        self.name = spec["name"]
        self.concepts = spec["preprocessor"] == "concepts"
        self.lo, self.hi = spec["ngram_range"]
        self.binary, self.sublinear, self.norm = spec["binary"], spec["sublinear_tf"], spec["norm"]
        self.vocab = spec["vocabulary"]
        self.idf = np.asarray(spec["idf"]) if spec["idf"] is not None else None
        self.weight = spec["weight"]
        self.size = len(self.vocab)
        if self.concepts:
            self._parts = [_PartColumns(part, self.vocab) for part in range(5)]  # see features.row_parts
            self._masks = _MaskColumns(self._parts)
            shapes = [self._parts[4][shape] for shape in range(6)]  # 3 length classes x final punctuation
            self._shape_cols = np.array([[*cols, *[-1] * (2 - len(cols))] for cols in shapes], dtype=np.int64)
            return
        # words: every word of a term numbered once; unigram and word-pair terms by those numbers
        words: dict[str, int] = {}
        for term in self.vocab:
            for w in term.split(" "):
                words.setdefault(w, len(words))
        self.n_words = len(words)
        self.unigram = np.full(len(words), -1, dtype=np.int64)
        pairs = []
        for term, col in self.vocab.items():
            parts = term.split(" ")
            if len(parts) == 1:
                self.unigram[words[term]] = col
            else:
                pairs.append((words[parts[0]] * self.n_words + words[parts[1]], col))
        pairs.sort()
        self.pair_keys = np.array([k for k, _ in pairs], dtype=np.int64)
        self.pair_cols = np.array([c for _, c in pairs], dtype=np.int64)
        self._ids = _RunIds(words)

    def transform(self, chunk: "Chunk", coverage: list | None = None):
        """The block of this vectoriser's columns for the chunk's texts, weighted as in the union.

        With a `coverage` list, appends each text's share of tokens that are in the vocabulary."""
        counts, cols, indptr = self._concept_counts(chunk) if self.concepts else self._word_counts(chunk, coverage)
        return self._weighted(counts, cols, indptr, chunk.n)

    def _word_counts(self, chunk: "Chunk", coverage: list | None):
        """Term counts per row, each row's terms in the order sklearn's CountVectorizer meets them
        (unigrams, then pairs, each by first occurrence): the same sparse matrix, summed in the
        same order, gives the same numbers to the last bit."""
        n = chunk.n
        ids = np.fromiter(chain.from_iterable(map(self._ids.__getitem__, chunk.runs)), np.int64)
        sep = ids == _SEP
        row = np.cumsum(sep) - sep if chunk.sep is not None else np.zeros(len(ids), np.int64)
        token = ~sep
        n_tokens = np.bincount(row[token], minlength=n)
        parts_rows, parts_cols = [], []
        if self.lo == 1:
            uni = np.where(ids >= 0, self.unigram[np.maximum(ids, 0)], -1)
            at = np.flatnonzero(uni >= 0)
            parts_rows.append(row[at])
            parts_cols.append(uni[at])
            known = np.bincount(row[at], minlength=n)
        else:
            known = np.zeros(n, np.int64)
        if coverage is not None:
            coverage.extend(np.where(n_tokens > 0, known / np.maximum(n_tokens, 1), 1.0).tolist())
        if self.hi == 2 and len(ids) > 1 and len(self.pair_keys):
            a, b = ids[:-1], ids[1:]
            at = np.flatnonzero((a >= 0) & (b >= 0))  # never across a separator, which is not a word
            keys = a[at] * self.n_words + b[at]
            k = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            hit = self.pair_keys[k] == keys
            parts_rows.append(row[at[hit]])
            parts_cols.append(self.pair_cols[k[hit]])
        rows = np.concatenate(parts_rows) if parts_rows else np.zeros(0, np.int64)
        cols = np.concatenate(parts_cols) if parts_cols else np.zeros(0, np.int64)
        order = np.argsort(rows, kind="stable")  # per row: unigrams, then pairs, each in text order
        keys = rows[order] * self.size + cols[order]
        unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
        by_first = np.argsort(first)
        unique, counts = unique[by_first], counts[by_first]
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(unique // self.size, minlength=n), out=indptr[1:])
        return counts.astype(float), unique % self.size, indptr

    def _concept_counts(self, chunk: "Chunk"):
        """Each row's known concept tokens (distinct by construction): those of its mask (a memo), then
        those of its shape (features.row_parts: the last part is the shape, the others the mask's)."""
        n, keys = chunk.n, chunk.concept_keys()
        found = list(map(self._masks.__getitem__, (keys >> 3).tolist()))
        lengths = np.fromiter(map(len, found), np.int64, n)
        shape = self._shape_cols[keys & 7]
        at_row, at = np.nonzero(shape >= 0)
        rows = np.concatenate([np.repeat(np.arange(n), lengths), at_row])
        cols = np.concatenate([np.fromiter(chain.from_iterable(found), np.int64, int(lengths.sum())), shape[at_row, at]])
        order = np.argsort(rows, kind="stable")
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return np.ones(len(cols)), cols[order], indptr

    def _weighted(self, counts, cols, indptr, n: int):
        from scipy.sparse import csr_matrix

        vals = counts
        if self.binary:
            vals[:] = 1.0
        elif self.sublinear:
            vals = np.log(vals) + 1.0
        if self.idf is not None:
            vals = vals * self.idf[cols]
        X = csr_matrix((vals, cols, indptr), shape=(n, self.size))
        if self.norm:
            ord_ = 2 if self.norm == "l2" else 1
            norms = np.sqrt(X.multiply(X).sum(1)).A1 if ord_ == 2 else abs(X).sum(1).A1
            norms[norms == 0] = 1.0
            X = csr_matrix(X.multiply(1 / norms[:, None]))
        return X * self.weight if self.weight != 1.0 else X


class Chunk:
    """Texts cleaned and cut into runs once, for every vectoriser (stanceframe.features)."""

    def __init__(self, texts: list[str], sep: str | None):
        self.n, self.sep = len(texts), sep
        self.cleaned = F.clean_joined(texts, sep)
        self.runs = F.runs(self.cleaned, sep)
        self._keys = None

    def concept_keys(self) -> np.ndarray:
        if self._keys is None:
            self._keys = F.concept_rows(self.cleaned, self.runs, self.sep, self.n)
        return self._keys


class LinearModel:
    def __init__(self, spec: dict):
        if spec.get("format") != FORMAT:
            raise ValueError(f"unknown linear model format {spec.get('format')!r}")
        for fs in spec["features"]:
            why = _supported(fs) if fs.get("preprocessor") in _PREPROCESSORS else "an unknown preprocessor"
            if why:
                raise ValueError(f"cannot score vectoriser {fs.get('name')!r}: {why}")
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
        from scipy.sparse import hstack, vstack

        sep = F.separator(texts)
        if sep is None and len(texts) > 1:  # every separator occurs in the texts: one at a time
            return vstack([self.transform([t], coverage) for t in texts], format="csr")
        chunk = Chunk(texts, sep)
        blocks = [v.transform(chunk, coverage if i == 0 else None) for i, v in enumerate(self.vectorizers)]
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
