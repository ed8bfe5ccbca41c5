"""Distinctive terms of a group of sentences against the rest: Monroe, Colaresi & Quinn's (2008)
weighted log-odds with an informative Dirichlet prior ("Fightin' Words")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np


_TOKEN = re.compile(r"[^\W_]+")
# Function words only. Stance-bearing words ("against", "not", "without") stay, and so does
# "us": after lowercasing it is also the United States.
_STOP_WORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each either else ever few for from
    further had has have having he her here hers herself him himself his how however i if in into
    is it its itself just may me might more most much must my myself neither nor now of off often
    on once only or other others our ours ourselves out over own per same shall she should since
    so some such than that the their theirs them themselves then there these they this those though
    through thus to too under until up upon very via was we were what when where whether which
    while who whom whose why will with within would yet you your yours yourself yourselves
    """.split()
)


def _terms(text: str) -> list[str]:
    """Lowercase unigrams and bigrams of a sentence, without function words and number tokens.

    A bigram joins two words that are adjacent in the text, so "integrity of Ukraine" gives no
    "integrity ukraine".
    """
    words = [
        w if len(w) > 1 and not w.isdigit() and w not in _STOP_WORDS else None
        for w in _TOKEN.findall(text.lower())
    ]
    kept = [w for w in words if w]
    return kept + [f"{a} {b}" for a, b in zip(words, words[1:]) if a and b]


class _Kept(dict):
    """word -> the word, or _DROPPED for what `_terms` leaves out (one test per distinct word)."""

    def __missing__(self, w):
        kept = self[w] = w if len(w) > 1 and not w.isdigit() and w not in _STOP_WORDS else _DROPPED
        return kept


_DROPPED = "\x00"  # no token holds it: a bigram with it is one `_terms` does not make
_SENTENCE_BREAK = " 0 "  # a number token: dropped, so no bigram joins two sentences


def _joined_term_counts(texts) -> Counter:
    """`term_counts(texts)`, with the sentences joined by a dropped token, so the work per sentence is
    in C (one lowercasing, one regex scan, Counter updates) rather than in a Python loop. The word test
    is cached for these texts only: kept for the corpus, the cache would hold every number and
    one-off token ever seen."""
    words = list(map(_Kept().__getitem__, _TOKEN.findall(_SENTENCE_BREAK.join(texts).lower())))
    counts = Counter(words)
    counts.update(map("{} {}".format, words, words[1:]))
    for term in [t for t in counts if _DROPPED in t]:
        del counts[term]
    return counts



def term_counts(texts: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(_terms(text))
    return counts


def fightin_words(
    counts_a: Mapping[str, float],
    counts_b: Mapping[str, float],
    prior: Mapping[str, float] | None = None,
    a0: float | None = None,
) -> dict[str, float]:
    """z-scores of the log-odds ratio of each term in A versus B; positive means typical of A.

    Monroe, Colaresi & Quinn (2008), "Fightin' Words", Political Analysis 16(4), sec. 3.5.1, eq. 22:
        delta_w = log((y_aw + a_w) / (n_a + a0 - y_aw - a_w))
                  - log((y_bw + a_w) / (n_b + a0 - y_bw - a_w))
        var_w  ~= 1 / (y_aw + a_w) + 1 / (y_bw + a_w),    z_w = delta_w / sqrt(var_w)
    with a_w = a0 * prior_w / sum(prior). The prior (default: A and B pooled) must count every
    term of A and B. ``a0`` defaults to the prior's total, i.e. the pseudo-counts are the prior
    counts themselves. The pseudo-counts pull a term seen once or twice towards the corpus rate
    and its variance term keeps it from topping the list.

    Returns every term of A and B, highest z first (ties by term, for stable output).
    """
    vocab = sorted(set(counts_a) | set(counts_b))
    if prior is None:
        prior = Counter(counts_a) + Counter(counts_b)
    prior_w = np.array([prior.get(t, 0) for t in vocab], dtype=float)
    if (prior_w <= 0).any():
        missing = [t for t, p in zip(vocab, prior_w) if p <= 0]
        raise ValueError(f"the prior has no count for {len(missing)} term(s), e.g. {missing[:3]}")
    prior_total = float(sum(prior.values()))
    a0 = prior_total if a0 is None else float(a0)
    alpha = a0 * prior_w / prior_total
    y_a = np.array([counts_a.get(t, 0) for t in vocab], dtype=float)
    y_b = np.array([counts_b.get(t, 0) for t in vocab], dtype=float)
    n_a, n_b = float(sum(counts_a.values())), float(sum(counts_b.values()))
    delta = np.log((y_a + alpha) / (n_a + a0 - y_a - alpha)) - np.log(
        (y_b + alpha) / (n_b + a0 - y_b - alpha)
    )
    z = delta / np.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
    order = sorted(range(len(vocab)), key=lambda i: (-z[i], vocab[i]))
    return {vocab[i]: float(z[i]) for i in order}


def _top_terms(
    z: Mapping[str, float], counts: Mapping[str, int], n: int
) -> list[tuple[str, float, int]]:
    """The n terms most typical of the side whose z is positive and that it actually uses."""
    top = [(t, round(v, 3), int(counts[t])) for t, v in z.items() if v > 0 and counts.get(t, 0) > 0]
    return top[:n]




class TermMatrix:
    """Term counts per group over one vocabulary (a sparse matrix, groups x terms), built a batch of
    sentences at a time, so a corpus of millions of sentences is tokenised once and never held as
    Counters. `distinctive` then gives each group's Fightin' Words against all other groups pooled,
    the same numbers `fightin_words` gives for that group's Counter against the rest's."""

    def __init__(self):
        from collections import defaultdict

        self.vocab: dict[str, int] = defaultdict()
        self.vocab.default_factory = self.vocab.__len__  # a new term gets the next index
        self._counts = None  # scipy CSR, rows: group codes, columns: term indices

    def add(self, group_codes: np.ndarray, texts: Iterable[str]) -> None:
        from scipy.sparse import csr_matrix

        group_codes = np.asarray(group_codes, dtype=np.int64)
        texts = np.asarray(texts, dtype=object)
        index = self.vocab.__getitem__
        rows, cols, data = [], [], []
        for g in np.unique(group_codes):
            counts = _joined_term_counts(texts[group_codes == g])
            cols += map(index, counts)
            data += counts.values()
            rows += [int(g)] * len(counts)
        n_groups = int(group_codes.max()) + 1 if len(group_codes) else 0
        if self._counts is not None:
            n_groups = max(n_groups, self._counts.shape[0])
        shape = (n_groups, len(self.vocab))
        batch = csr_matrix((np.asarray(data, dtype=np.int32), (np.asarray(rows, dtype=np.int64),
                                                                np.asarray(cols, dtype=np.int64))), shape=shape)
        if self._counts is None:
            self._counts = batch
        else:
            self._counts.resize(shape)
            self._counts = self._counts + batch

    def counts(self, n_groups: int, order=None):
        """The matrix with `n_groups` rows (groups without a term have empty rows), rows in `order`."""
        from scipy.sparse import csr_matrix

        m = self._counts if self._counts is not None else csr_matrix((n_groups, len(self.vocab)), dtype=np.int64)
        self._counts = None
        m.resize((n_groups, len(self.vocab)))
        return m[list(order)] if order is not None else m

    def terms(self) -> np.ndarray:
        """The term of each column; the vocabulary's dictionary is freed (the strings stay in the array)."""
        terms = np.array(list(self.vocab), dtype=object)  # insertion order is index order
        self.vocab = {}
        return terms


def distinctive(counts, totals: np.ndarray, terms: np.ndarray, group: int, n: int, reversed_ties: bool = False
                ) -> list[tuple[str, float, int]]:
    """`_top_terms(fightin_words(group, rest, prior=all), group's counts, n)` from a groups x terms
    count matrix: only the group's own terms are computed (the others cannot be among its top terms),
    with the same arithmetic element by element. `reversed_ties`: equal z-scores in descending term
    order, as the negated z-scores of the other side of a two-group comparison come. `totals`: the
    column sums of `counts` (the prior: all groups pooled)."""
    row = counts[group]
    idx, y = row.indices, row.data
    keep = y > 0
    idx, y = idx[keep], y[keep]
    prior_w = totals[idx].astype(float)
    prior_total = float(totals.sum())
    a0 = prior_total
    alpha = a0 * prior_w / prior_total
    y_a = y.astype(float)
    y_b = (totals[idx] - y).astype(float)
    n_a = float(y.sum())
    n_b = float(totals.sum() - y.sum())
    delta = np.log((y_a + alpha) / (n_a + a0 - y_a - alpha)) - np.log(
        (y_b + alpha) / (n_b + a0 - y_b - alpha)
    )
    z = delta / np.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
    pos = np.flatnonzero(z > 0)
    if len(pos) > n:  # every term tied with the n-th stays a candidate, so the term order decides
        cut = np.partition(-z[pos], n - 1)[n - 1]
        pos = pos[-z[pos] <= cut]
    picked = sorted(pos, key=lambda i: terms[idx[i]], reverse=reversed_ties)
    picked.sort(key=lambda i: -z[i])  # stable: the term order stays within equal z
    return [(str(terms[idx[i]]), round(float(z[i]), 3), int(y[i])) for i in picked[:n]]
