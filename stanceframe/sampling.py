"""Which sentences of a corpus to label next: a uniform random sample, the model's least certain
sentences, or both alternating (`predict.py suggest` and `predict.py label`).

Random: every sentence gets a key from a keyed hash of (seed, document id, offsets) and the n
smallest keys are the sample. The keys are independent uniform draws, so the n smallest are a
uniform sample without replacement; the same seed gives the same sample whatever the input order,
and a larger n keeps every sentence of the smaller sample (labelling more extends the sample).

Uncertain: the smallest stance margin (top probability minus the second), then the highest stance
entropy. Mixed: random, uncertain, random, uncertain... Every row says which it was (`sample`):
only the random part is a probability sample, and estimates with intervals may use only that.

Diversity guard: an uncertain pick is skipped when it is a near-duplicate of a sentence already
picked, random or uncertain: the same normalised text (lower case, digits as 0, punctuation and
spacing ignored), or a cosine of at least NEAR_DUPLICATE between their sets of word unigrams and
bigrams. Random picks are never filtered: dropping one would make the random part no longer a
uniform sample of the corpus.

One pass, memory bounded by the pools (n random keys, UNCERTAIN_POOL x n least certain, one per
normalised text), not by the corpus.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from dataclasses import dataclass, field

from .labels import STANCES

STRATEGIES = ("random", "uncertain", "mixed")
NEAR_DUPLICATE = 0.8
UNCERTAIN_POOL = 5  # candidates kept per uncertain pick: room for the near-duplicates the guard skips

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(slots=True)
class Candidate:
    """A sentence to label, with where it is, its neighbours and the model's suggestion."""

    doc_id: str
    source: str
    start: int
    end: int
    text: str
    title: str = ""
    date: str = ""
    before: str = ""
    after: str = ""
    p_stance: dict = field(default_factory=dict)  # class -> probability
    p_frame: dict = field(default_factory=dict)
    suggested_stance: str = ""
    suggested_frame: str = ""
    sample: str = ""
    key: int = 0  # the random key

    @property
    def where(self) -> tuple[str, int, int]:
        """The sentence's identity: document id and offsets (what a labels file is keyed by)."""
        return (self.doc_id, int(self.start), int(self.end))

    @property
    def margin(self) -> float:
        top = sorted(self.p_stance.values(), reverse=True) + [0.0, 0.0]
        return top[0] - top[1]

    @property
    def entropy(self) -> float:
        return -sum(p * math.log(p) for p in self.p_stance.values() if p > 0)


def random_key(seed: int, doc_id: str, start: int, end: int) -> int:
    """A uniform 64-bit key for a sentence, fixed by the seed."""
    h = hashlib.blake2b(f"{doc_id}\x00{start}\x00{end}".encode(), digest_size=8, key=str(seed).encode())
    return int.from_bytes(h.digest(), "big")


def normalised(text: str) -> str:
    return " ".join(_TOKEN.findall(re.sub(r"\d", "0", text.lower())))


def _grams(text: str) -> frozenset:
    words = normalised(text).split()
    return frozenset(words) | frozenset(zip(words, words[1:]))


def near_duplicate(a: str, b: str, threshold: float = NEAR_DUPLICATE) -> bool:
    """Same normalised text, or the cosine of their unigram+bigram sets at least `threshold`."""
    return _near(normalised(a), _grams(a), normalised(b), _grams(b), threshold)


def _near(na: str, ga: frozenset, nb: str, gb: frozenset, threshold: float = NEAR_DUPLICATE) -> bool:
    if na == nb:
        return True
    return bool(ga and gb) and len(ga & gb) / math.sqrt(len(ga) * len(gb)) >= threshold


class Pools:
    """The candidates a strategy may need, kept as they stream past."""

    def __init__(self, n: int, strategy: str, seed: int):
        if strategy not in STRATEGIES:
            from .errors import BadInput

            raise BadInput(f"unknown --strategy {strategy!r}; accepted: {', '.join(STRATEGIES)}")
        self.n, self.strategy, self.seed = n, strategy, seed
        self.n_random = {"random": n, "uncertain": 0, "mixed": (n + 1) // 2}[strategy]
        self.n_uncertain = n - self.n_random
        self._random: list = []  # max-heap by key (negated): the n_random smallest keys
        self._uncertain: list = []  # max-heap of the least certain, by (margin, -entropy)
        self._size = self.n_uncertain * UNCERTAIN_POOL + self.n_random  # random picks are taken out of it
        self._texts: set[str] = set()  # the normalised texts in the uncertain pool
        self.seen = 0

    def add(self, c: Candidate) -> None:
        self.seen += 1
        c.key = random_key(self.seed, *c.where)
        if self.n_random:
            _keep(self._random, (-c.key, c.where), c, self.n_random)
        if self.n_uncertain:
            # one candidate per normalised text: a sentence repeated across a corpus (boilerplate,
            # syndicated copy) would otherwise fill the pool with copies the guard then skips
            text = normalised(c.text)
            if text in self._texts:
                return
            out = _keep(self._uncertain, (-c.margin, c.entropy, -c.key, c.where), c, self._size)
            if out is not c:
                self._texts.add(text)
            if out is not None and out is not c:
                self._texts.discard(normalised(out.text))

    def picks(self) -> list[Candidate]:
        """The batch, in labelling order; each candidate's `sample` says how it was picked."""
        randoms = [c for _, c in sorted(self._random, key=lambda e: -e[0][0])]
        uncertain = [c for _, c in sorted(self._uncertain, key=lambda e: (-e[0][0], -e[0][1], -e[0][2]))]
        taken = {c.where for c in randoms}
        chosen = [(normalised(c.text), _grams(c.text)) for c in randoms]
        extra: list[Candidate] = []
        for c in uncertain:
            if len(extra) == self.n_uncertain:
                break
            this = (normalised(c.text), _grams(c.text))
            if c.where in taken or any(_near(*this, *o) for o in chosen):
                continue
            taken.add(c.where)
            chosen.append(this)
            extra.append(c)
        for c in randoms:
            c.sample = "random"
        for c in extra:
            c.sample = "uncertain"
        if self.strategy != "mixed":
            return randoms or extra
        out = []
        for i in range(max(len(randoms), len(extra))):
            out += randoms[i:i + 1] + extra[i:i + 1]
        return out


def _keep(heap: list, rank: tuple, c: Candidate, size: int) -> Candidate | None:
    """Keep the `size` candidates of smallest rank (ranks are negated: heapq pops the smallest);
    return the one left out (`c` itself, or the one it pushed out), None when all are kept."""
    item = (rank, c)
    if len(heap) < size:
        heapq.heappush(heap, item)
        return None
    if rank > heap[0][0]:
        return heapq.heapreplace(heap, item)[1]
    return c


def candidates(doc, records: list[dict]):
    """The sentences of a scored document as candidates, each with the sentence before and after."""
    for i, r in enumerate(records):
        yield Candidate(
            doc_id=doc.id, source=doc.source, start=r["start"], end=r["end"], text=r["text"], title=doc.title,
            date=doc.date, before=records[i - 1]["text"] if i else "",
            after=records[i + 1]["text"] if i + 1 < len(records) else "",
            p_stance={s: r[f"p_{s}"] for s in STANCES}, suggested_stance=r["stance"], suggested_frame=r["frame"])


def add_frames(picks: list[Candidate], model) -> None:
    """Every frame's probability for the picked sentences (score's records carry only the top one)."""
    if not picks:
        return
    linear = model.linear
    P = linear.predict_proba("frame", linear.transform([c.text for c in picks]))
    for c, row in zip(picks, P):
        c.p_frame = {f: round(float(p), 4) for f, p in zip(linear.classes["frame"], row)}
