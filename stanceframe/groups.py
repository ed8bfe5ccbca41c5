"""A summary's input as arrays per group: what `summary` computes shares, intervals, frames and
distinctive terms from, without a row object or a text kept per sentence.

Built a batch of sentence rows at a time (`GroupBuilder.add`), from a DataFrame or from scored output
read in column batches, so memory holds 36 bytes per sentence (four probabilities and an article
code, which the bootstrap needs) plus one vocabulary, never the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .distinctive import TermMatrix
from .labels import FRAMES

_FRAME_INDEX = {f: i for i, f in enumerate(FRAMES)}


@dataclass
class Grouped:
    """Groups in label order (as `DataFrame.groupby(sort=True)` gives them); row i of every array is
    group labels[i]. Sentences keep their input order within a group."""

    labels: list[str]
    P: list[np.ndarray]  # per group [n, len(STANCES)] stance probabilities
    articles: list[np.ndarray]  # per group [n] article codes: equal code, same article
    n_uncertain: np.ndarray  # [groups]
    frames: np.ndarray  # [groups, len(FRAMES)] sentence counts
    counts: object  # scipy CSR [groups, terms]: distinctive.TermMatrix counts
    terms: np.ndarray  # the term of each column

    def index(self, label: str) -> int | None:
        return self.labels.index(label) if label in self.labels else None

    def n_articles(self, g: int) -> int:
        return len(np.unique(self.articles[g]))


class GroupBuilder:
    def __init__(self):
        self._codes: dict[str, int] = {}
        self._P: list[list[np.ndarray]] = []
        self._articles: list[list[np.ndarray]] = []
        self._uncertain: list[int] = []
        self._frames: list[np.ndarray] = []
        self._terms = TermMatrix()

    def add(self, keys, articles, P, frames, uncertain, texts) -> None:
        """One batch of sentence rows: group key, article code, stance probabilities, frame, uncertain
        flag and text of each."""
        keys = np.asarray(keys, dtype=object)
        if not len(keys):
            return
        uniq, inverse = np.unique(keys, return_inverse=True)
        code_of = np.array([self._group(str(k)) for k in uniq])
        codes = code_of[inverse]
        frame_idx = np.array([_FRAME_INDEX[f] for f in frames])
        uncertain = np.asarray(uncertain, dtype=bool)
        order = np.argsort(codes, kind="stable")  # stable: sentences keep their order within a group
        bounds = np.flatnonzero(np.diff(codes[order])) + 1
        for part in np.split(order, bounds):
            c = codes[part[0]]
            self._P[c].append(np.asarray(P)[part])
            self._articles[c].append(np.asarray(articles, dtype=np.int32)[part])
            self._uncertain[c] += int(uncertain[part].sum())
            self._frames[c] += np.bincount(frame_idx[part], minlength=len(FRAMES))
        self._terms.add(codes, texts)

    def _group(self, label: str) -> int:
        if label not in self._codes:
            self._codes[label] = len(self._codes)
            self._P.append([])
            self._articles.append([])
            self._uncertain.append(0)
            self._frames.append(np.zeros(len(FRAMES), dtype=np.int64))
        return self._codes[label]

    def finish(self) -> Grouped:
        """The groups; the builder is spent (its batches are freed as they are joined)."""
        labels = sorted(self._codes)
        order = [self._codes[label] for label in labels]

        def joined(parts: list, c: int) -> np.ndarray:
            out = np.concatenate(parts[c])
            parts[c] = None
            return out

        return Grouped(
            labels=labels,
            P=[joined(self._P, c) for c in order],
            articles=[joined(self._articles, c) for c in order],
            n_uncertain=np.array([self._uncertain[c] for c in order], dtype=np.int64),
            frames=np.array([self._frames[c] for c in order]).reshape(len(order), len(FRAMES)),
            counts=self._terms.counts(len(order), order),
            terms=self._terms.terms(),
        )
