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


