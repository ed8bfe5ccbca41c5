"""Per-source stance and frame summaries and two-group comparisons (``predict.py sources|compare``).

Input is one row per sentence: ``doc_id``, ``text``, ``frame``, a grouping column (``source`` unless
``by`` names another) and one column ``p_<stance>`` per stance (one-hot for gold labels,
probabilities for model output), plus an optional bool ``uncertain``. Uncertain sentences are
counted in everything (shares, frames, distinctive terms) like the others and reported as a count:
the held-out evaluation of outlet shares measures exactly this estimator on all sentences, and
leaving the uncertain ones out (most of them `balancing`) would bias the shares it reports.

Stance shares of a set of sentences come from an ``estimator(P[n, 4]) -> shares[4]``; the default
column mean is classify-and-count for one-hot rows and probabilistic counting for probabilities.
An estimator that also has ``batch(W[r, n], P) -> shares[r, 4]`` (shares under each row of
sentence weights) gets all bootstrap replicates at once, as weights.
Intervals are 95% percentile bootstrap intervals. Sentences of one article share an author and an
angle, so resampling sentences would pretend they are independent: a group with two or more
articles is resampled by whole articles (cluster bootstrap), a group with one article by sentences.

Distinctive terms are Monroe, Colaresi & Quinn's (2008) weighted log-odds with an informative
Dirichlet prior ("Fightin' Words"), each group against all other groups pooled.
"""

from __future__ import annotations

import os
import re
import secrets
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rich.cells import cell_len
from rich.table import Table

from stanceframe.errors import BadInput
from stanceframe.labels import FRAMES, STANCES
from stanceframe.output import direct_target, rename_target, signed
from stanceframe.quantify import WEIGHTS_PER_BLOCK

PROB_COLUMNS = tuple(f"p_{s}" for s in STANCES)
REQUIRED_COLUMNS = ("doc_id", "text", "frame", *PROB_COLUMNS)

Estimator = Callable[[np.ndarray], np.ndarray]

_PRO, _RUS = STANCES.index("pro_ukraine"), STANCES.index("russia_accommodating")
_CI = (2.5, 97.5)
_PROB_TOLERANCE = 1e-3  # float32 model output does not sum to exactly 1


# --- results -----------------------------------------------------------------------------------


@dataclass
class SourceSummary:
    """One group. ``n_articles`` and ``n_sentences`` count what the shares are computed from."""

    source: str
    n_articles: int
    n_sentences: int
    n_uncertain: int
    stance_shares: dict[str, dict[str, float]]  # stance -> {share, lo, hi}
    lean: dict[str, float]  # {value, lo, hi}
    frame_shares: dict[str, float]  # frames with share > 0, largest first
    top_frames: list[str]
    distinctive_terms: list[tuple[str, float, int]]  # (term, z, count), highest z first

    def to_record(self) -> dict:
        return asdict(self)


@dataclass
class Summaries:
    """What ``source_summaries`` returns: the groups sorted by lean, most pro-Ukraine first."""

    by: str
    n_boot: int
    seed: int
    sources: list[SourceSummary]
    warnings: list[str] = field(default_factory=list)

    def to_records(self) -> list[dict]:
        return [s.to_record() for s in self.sources]


# --- input checks ------------------------------------------------------------------------------


def _check_columns(df: pd.DataFrame, by: str | None) -> None:
    available = ", ".join(map(str, df.columns)) or "none"
    if by is not None and by not in df.columns:
        raise BadInput(f"no column '{by}' to group by; columns available: {available}")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise BadInput(f"missing column(s) {', '.join(missing)}; columns available: {available}")


def _check_values(df: pd.DataFrame, by: str | None) -> None:
    for col in (*REQUIRED_COLUMNS, *((by,) if by else ())):
        empty = df[col].isna().to_numpy()
        if empty.any():
            rows = ", ".join(map(str, df.index[empty][:5]))
            n_empty = _count(int(empty.sum()), "empty value")
            raise BadInput(f"column '{col}' has {n_empty}, e.g. in rows {rows}")
    unknown = sorted(set(df["frame"].astype(str)) - set(FRAMES))
    if unknown:
        raise BadInput(f"unknown frame(s) {', '.join(unknown[:5])}; accepted: {', '.join(FRAMES)}")
    try:
        P = df[list(PROB_COLUMNS)].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise BadInput(f"columns {', '.join(PROB_COLUMNS)} must be numbers") from None
    if ((P < -_PROB_TOLERANCE) | (P > 1 + _PROB_TOLERANCE)).any():
        raise BadInput(f"columns {', '.join(PROB_COLUMNS)} must be probabilities between 0 and 1")
    bad_rows = np.abs(P.sum(axis=1) - 1) > _PROB_TOLERANCE
    if bad_rows.any():
        rows = ", ".join(map(str, df.index[bad_rows][:5]))
        raise BadInput(f"stance probabilities must sum to 1 in each row; not in rows {rows}")
    if "uncertain" in df.columns:
        unc = df["uncertain"]
        # astype(bool) would turn the string "False" into True, so only real booleans are taken
        if unc.isna().any() or not pd.api.types.is_bool_dtype(unc):
            raise BadInput(f"column 'uncertain' must be true/false with no gaps; found {unc.dtype}")


def _uncertain_mask(df: pd.DataFrame) -> np.ndarray:
    if "uncertain" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return df["uncertain"].to_numpy(dtype=bool)


# --- bootstrap ---------------------------------------------------------------------------------


def _group_rng(seed: int, label: str) -> np.random.Generator:
    # Seeded by the group's own name, so a group's intervals do not change when other groups are
    # added or removed, and `sources` and `compare` print the same interval for the same group.
    return np.random.default_rng([seed, zlib.crc32(label.encode("utf-8"))])


def _bootstrap(
    P: np.ndarray,
    doc_ids: np.ndarray,
    n_boot: int,
    rng: np.random.Generator,
    estimator: Estimator | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Point estimate [4] and replicate estimates [n_boot, 4] of the stance shares of P's rows."""
    codes = pd.factorize(doc_ids)[0]
    if codes.max() == 0:
        codes = np.arange(len(P))  # one article: the only clusters left are its sentences
    k = int(codes.max()) + 1
    # Drawing k clusters with replacement = multinomial counts of how often each cluster is drawn.
    draws = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot)  # [n_boot, k]
    if estimator is None:
        # The mean of a replicate only needs its per-cluster sums: one matrix product for all.
        sums = np.zeros((k, P.shape[1]))
        np.add.at(sums, codes, P)
        sizes = np.bincount(codes, minlength=k)
        return P.mean(axis=0), (draws @ sums) / (draws @ sizes)[:, None]
    point = np.asarray(estimator(P), dtype=float)
    if point.shape != (len(STANCES),):
        raise ValueError(f"estimator must return {len(STANCES)} shares, not shape {point.shape}")
    # draws[:, codes]: how often each sentence is drawn, per replicate; built a block at a time
    block = max(1, WEIGHTS_PER_BLOCK // len(P))
    if hasattr(estimator, "batch"):  # a weighted estimator: a block of replicates at once
        reps = []
        for i in range(0, n_boot, block):
            counts = draws[i : i + block][:, codes]
            reps.append(estimator.batch(counts / counts.sum(1, keepdims=True), P))
        return point, np.vstack(reps)
    rows = np.arange(len(P))
    replicates = [estimator(P[np.repeat(rows, w[codes])]) for w in draws]
    return point, np.asarray(replicates, dtype=float)


def _interval(point: float, replicates: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(replicates, _CI)
    # A percentile interval can miss the point estimate (skewed or clipped estimators); a reader
    # would take that for a bug, so it is widened to include it.
    return float(min(lo, point)), float(max(hi, point))


def _lean(shares: np.ndarray) -> np.ndarray:
    return shares[..., _PRO] - shares[..., _RUS]


def _with_intervals(point: np.ndarray, reps: np.ndarray, key: str) -> tuple[dict, dict]:
    """{stance: {key, lo, hi}} and the lean as {value, lo, hi}."""
    shares = {}
    for i, stance in enumerate(STANCES):
        lo, hi = _interval(point[i], reps[:, i])
        shares[stance] = {key: float(point[i]), "lo": lo, "hi": hi}
    lean_lo, lean_hi = _interval(_lean(point), _lean(reps))
    return shares, {"value": float(_lean(point)), "lo": lean_lo, "hi": lean_hi}


def _estimate(
    g: pd.DataFrame, label: str, n_boot: int, seed: int, estimator: Estimator | None
) -> tuple[np.ndarray, np.ndarray]:
    """Point estimate and bootstrap replicates of the stance shares of one group's sentences."""
    P = g[list(PROB_COLUMNS)].to_numpy(dtype=float)
    return _bootstrap(P, g["doc_id"].to_numpy(), n_boot, _group_rng(seed, label), estimator)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _one_article_warning(label: str, g: pd.DataFrame) -> list[str]:
    if g["doc_id"].nunique() > 1:
        return []
    return [
        f"{label}: one article only ({_count(len(g), 'sentence')}), so its intervals resample "
        "sentences and understate how much another article could differ"
    ]


def _check_n_boot(n_boot: int) -> None:
    if n_boot < 1:
        raise BadInput(f"n_boot must be at least 1; got {n_boot}")


# --- distinctive terms -------------------------------------------------------------------------

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


# --- summaries ---------------------------------------------------------------------------------


def _frame_shares(frames: pd.Series) -> dict[str, float]:
    counts = frames.astype(str).value_counts()
    shares = {f: counts.get(f, 0) / len(frames) for f in FRAMES}
    # sorted() is stable, so ties keep the codebook's order
    ranked = sorted((f for f in FRAMES if shares[f] > 0), key=lambda f: -shares[f])
    return {f: float(shares[f]) for f in ranked}


def source_summaries(
    df: pd.DataFrame,
    by: str = "source",
    n_boot: int = 1000,
    seed: int = 0,
    estimator: Estimator | None = None,
    top_frames: int = 3,
    top_terms: int = 10,
) -> Summaries:
    """Stance shares, lean, frames and distinctive terms of each group of ``df[by]``."""
    _check_n_boot(n_boot)
    _check_columns(df, by)
    if df.empty:
        raise BadInput("no sentences in the data")
    _check_values(df, by)

    uncertain = _uncertain_mask(df)
    keys = df[by].astype(str)
    n_uncertain = pd.Series(uncertain).groupby(keys.to_numpy()).sum()
    warnings: list[str] = []
    groups = {label: g for label, g in df.groupby(keys.to_numpy(), sort=True)}
    counts = {label: term_counts(g["text"]) for label, g in groups.items()}
    corpus = sum(counts.values(), Counter())
    if len(groups) < 2:
        only = next(iter(groups))
        warnings.append(f"distinctive terms need at least two groups in '{by}'; only '{only}'")

    sources = []
    for label, g in groups.items():
        shares, lean = _with_intervals(*_estimate(g, label, n_boot, seed, estimator), key="share")
        warnings += _one_article_warning(label, g)
        distinctive = []
        if len(groups) > 1:
            z = fightin_words(counts[label], corpus - counts[label], prior=corpus)
            distinctive = _top_terms(z, counts[label], top_terms)
        frames = _frame_shares(g["frame"])
        sources.append(
            SourceSummary(
                source=label,
                n_articles=int(g["doc_id"].nunique()),
                n_sentences=len(g),
                n_uncertain=int(n_uncertain[label]),
                stance_shares=shares,
                lean=lean,
                frame_shares=frames,
                top_frames=list(frames)[:top_frames],
                distinctive_terms=distinctive,
            )
        )
    sources.sort(key=lambda s: (-s.lean["value"], s.source))
    return Summaries(by=by, n_boot=n_boot, seed=seed, sources=sources, warnings=warnings)


def compare_groups(
    df_a: pd.DataFrame,
    df_b: pd.DataFrame,
    label_a: str,
    label_b: str,
    n_boot: int = 1000,
    seed: int = 0,
    estimator: Estimator | None = None,
    top_terms: int = 10,
) -> dict:
    """Stance shares and lean of two groups, their differences (A minus B) and distinctive terms.

    The two sides are resampled independently; each side's replicate k is paired with the other's
    replicate k to give the bootstrap distribution of the difference.
    """
    _check_n_boot(n_boot)
    if str(label_a) == str(label_b):
        raise BadInput(f"compare needs two different groups; both are '{label_a}'")
    sides = []
    for df, label in ((df_a, str(label_a)), (df_b, str(label_b))):
        if not df.empty:  # an empty side is reported below, together with the other side
            _check_columns(df, None)
            _check_values(df, None)
        sides.append((label, df, int(_uncertain_mask(df).sum())))
    usable = [label for label, g, _ in sides if not g.empty]
    if len(usable) < 2:
        found = "; ".join(
            f"'{label}' has {_count(len(g), 'sentence')}"
            + (f" and {n_unc} uncertain" if n_unc else "")
            for label, g, n_unc in sides
        )
        raise BadInput(f"compare needs two groups with sentences; found {len(usable)}: {found}")

    counts = [term_counts(g["text"]) for _, g, _ in sides]
    z = fightin_words(counts[0], counts[1])
    # delta is antisymmetric in A and B and var symmetric, so B's z-scores are A's negated
    z_b = {t: -v for t, v in reversed(z.items())}

    out: dict = {"n_boot": n_boot, "seed": seed, "warnings": []}
    estimates = []
    for key, (label, g, n_unc), c, zs in zip(("a", "b"), sides, counts, (z, z_b)):
        estimates.append(_estimate(g, label, n_boot, seed, estimator))
        shares, lean = _with_intervals(*estimates[-1], key="share")
        out["warnings"] += _one_article_warning(label, g)
        out[key] = {
            "label": label,
            "n_articles": int(g["doc_id"].nunique()),
            "n_sentences": len(g),
            "n_uncertain": n_unc,
            "stance_shares": shares,
            "lean": lean,
            "distinctive_terms": _top_terms(zs, c, top_terms),
        }
    (point_a, reps_a), (point_b, reps_b) = estimates
    # The lean is linear in the shares, so the lean of the difference is the difference of leans.
    diff_shares, diff_lean = _with_intervals(point_a - point_b, reps_a - reps_b, key="value")
    out["diff_a_minus_b"] = {"stance_shares": diff_shares, "lean": diff_lean}
    return out


# --- output: table, data frame, chart ----------------------------------------------------------

_STANCE_NAMES = {
    "pro_ukraine": "pro-Ukraine",
    "russia_accommodating": "Russia-accommodating",
    "balancing": "balancing",
    "none": "none",
}


def _frame_name(frame: str) -> str:
    return frame.replace("_", " ")


def _pct(d: Mapping[str, float]) -> str:
    return f"{d['share']:.0%} [{d['lo'] * 100:.0f}–{d['hi'] * 100:.0f}]"


def _signed(d: Mapping[str, float]) -> str:
    return f"{signed(d['value'])} [{signed(d['lo'])}, {signed(d['hi'])}]"


def format_table(summaries: Summaries) -> Table:
    """A rich table for the terminal, one row per group in lean order."""
    table = Table(
        title=f"Stance and frames by {summaries.by}",
        caption=f"95% bootstrap intervals ({summaries.n_boot} replicates; whole articles "
        "resampled, sentences for a one-article group); "
        "lean = pro-Ukraine − Russia-accommodating",
    )
    show_uncertain = any(s.n_uncertain for s in summaries.sources)
    # a source's name is shown whole (up to 40 characters on a line, folded beyond): other columns wrap first
    longest = max((cell_len(str(s.source)) for s in summaries.sources), default=0)
    table.add_column(summaries.by, min_width=min(40, max(longest, len(summaries.by))), overflow="fold")
    table.add_column("articles", justify="right")
    table.add_column("sentences (all counted)", justify="right")
    if show_uncertain:
        table.add_column("of which uncertain", justify="right")
    for stance in STANCES:
        table.add_column(_STANCE_NAMES[stance], justify="right")
    table.add_column("lean", justify="right")
    table.add_column("top frames")
    table.add_column("distinctive terms")
    for s in summaries.sources:
        row = [s.source, str(s.n_articles), str(s.n_sentences)]
        if show_uncertain:
            row.append(str(s.n_uncertain))
        row += [_pct(s.stance_shares[st]) for st in STANCES]
        row.append(_signed(s.lean))
        row.append(", ".join(f"{_frame_name(f)} {s.frame_shares[f]:.0%}" for f in s.top_frames))
        row.append(", ".join(t for t, _, _ in s.distinctive_terms[:5]))
        table.add_row(*row)
    return table


def summaries_to_frame(summaries: Summaries) -> pd.DataFrame:
    """One flat row per group (CSV output); the first column is named after ``by``."""
    rows = []
    for s in summaries.sources:
        row: dict = {
            summaries.by: s.source,
            "n_articles": s.n_articles,
            "n_sentences": s.n_sentences,
            "n_uncertain": s.n_uncertain,
        }
        for stance in STANCES:
            d = s.stance_shares[stance]
            col = f"share_{stance}"
            row |= {col: d["share"], f"{col}_lo": d["lo"], f"{col}_hi": d["hi"]}
        row |= {"lean": s.lean["value"], "lean_lo": s.lean["lo"], "lean_hi": s.lean["hi"]}
        row |= {f"frame_{f}": s.frame_shares.get(f, 0.0) for f in FRAMES}
        row["top_frames"] = "; ".join(s.top_frames)
        row["distinctive_terms"] = "; ".join(t for t, _, _ in s.distinctive_terms)
        rows.append(row)
    return pd.DataFrame(rows)


# Lightness falls from "none" to "pro_ukraine" and the two middle ones are hatched, so the
# segments stay apart in greyscale print too.
_STANCE_STYLE = {
    "pro_ukraine": ("#1b3a6b", "", "white"),
    "russia_accommodating": ("#d0605a", "///", "black"),
    "balancing": ("#f0c75e", "...", "black"),
    "none": ("#f2f2f2", "", "black"),
}  # stance -> (fill, hatch, label colour)
_CHART_SUFFIXES = {".png": "png", ".svg": "svg"}


def write_chart(summaries: Summaries, path: str | os.PathLike, what: str = "") -> Path:
    """Write a two-panel figure: (a) stance shares and lean per group, (b) group x frame heatmap.

    `what` says in the title what the shares come from (gold labels, or which model's predictions)."""
    path = Path(path)
    fmt = _CHART_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise BadInput(
            f"chart file must end in {' or '.join(_CHART_SUFFIXES)}; "
            f"got '{path.suffix or 'no suffix'}'",
            where=str(path),
        )
    if not path.parent.is_dir():
        raise BadInput("folder does not exist", where=str(path.parent))

    # Imported here: matplotlib adds half a second to start-up and only this function needs it.
    # The Agg canvas is attached to the figure directly instead of matplotlib.use("Agg"), so no
    # GUI backend is ever loaded and the caller's global matplotlib state is left alone.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    sources = summaries.sources
    n = len(sources)
    labels = [f"{s.source}  (n={s.n_sentences})" for s in sources]
    present = [f for f in FRAMES if any(s.frame_shares.get(f, 0) > 0 for s in sources)]
    present.sort(key=lambda f: -sum(s.frame_shares.get(f, 0) for s in sources))

    fig = Figure(figsize=(max(10.0, 0.75 * len(present) + 4), 3.6 + 0.9 * n), layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(f"Stance and framing by {summaries.by}" + (f": {what}" if what else ""), fontsize=14,
                 fontweight="bold")
    # Subfigures, because constrained layout stacks a figure-wide title and a figure-wide legend
    # on top of each other; the stance legend belongs to the top one.
    top, bottom = fig.subfigures(2, 1, height_ratios=(n + 2.2, n + 1.6))
    ax_bar, ax_lean = top.subplots(1, 2, sharey=True, width_ratios=(3, 1.3))
    ax_heat = bottom.subplots()

    # (a) stacked shares; row 0 (most pro-Ukraine) on top
    y = np.arange(n)
    left = np.zeros(n)
    for stance in STANCES:
        colour, hatch, text_colour = _STANCE_STYLE[stance]
        width = np.array([s.stance_shares[stance]["share"] for s in sources])
        ax_bar.barh(y, width, left=left, height=0.7, color=colour, hatch=hatch,
                    edgecolor="#333333", linewidth=0.6, label=_STANCE_NAMES[stance])
        for yi, (x0, w) in enumerate(zip(left, width)):
            if w >= 0.07:  # narrower segments have no room for a label
                # on hatched segments the label gets a plain patch, or the hatch lines cross it
                box = dict(boxstyle="round,pad=0.15", fc=colour, ec="none") if hatch else None
                ax_bar.text(x0 + w / 2, yi, f"{w:.0%}", ha="center", va="center", fontsize=9,
                            color=text_colour, fontweight="bold", bbox=box)
        left += width
    ax_bar.set_yticks(y, labels)
    ax_bar.invert_yaxis()
    ax_bar.set_xlim(0, 1)
    ax_bar.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax_bar.set_xlabel("share of sentences")
    ax_bar.set_title(f"(a) Stance shares per {summaries.by}, most pro-Ukraine on top", loc="left")

    value = np.array([s.lean["value"] for s in sources])
    err = np.array([[s.lean["value"] - s.lean["lo"], s.lean["hi"] - s.lean["value"]]
                    for s in sources]).T
    ax_lean.axvline(0, color="grey", linestyle="--", linewidth=0.8)
    ax_lean.errorbar(value, y, xerr=err, fmt="o", color="black", capsize=4, markersize=6)
    for yi, lean in enumerate(s.lean for s in sources):
        # right of the interval unless it runs up against the axis end; never over the error bar
        right = lean["hi"] < 0.6
        x = lean["hi"] if right else lean["lo"]
        ax_lean.annotate(signed(lean["value"]), (x, yi), xytext=(5 if right else -5, 0),
                         textcoords="offset points", ha="left" if right else "right", va="center",
                         fontsize=9)
    ax_lean.set_xlim(-1.1, 1.1)  # past the ends, so a lean of exactly ±1 is not cut in half
    ax_lean.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax_lean.tick_params(axis="y", labelleft=False)
    ax_lean.set_xlabel("lean index\n(pro-Ukraine − Russia-acc.)")
    ax_lean.set_title("Lean, 95% CI", loc="left")
    top.legend(*ax_bar.get_legend_handles_labels(), loc="outside upper center", ncol=len(STANCES),
               frameon=False, handlelength=2.2, handleheight=1.2)

    # (b) frame heatmap
    M = np.array([[s.frame_shares.get(f, 0.0) for f in present] for s in sources])
    image = ax_heat.imshow(M, cmap="Greys", vmin=0, vmax=max(float(M.max()), 0.01), aspect="auto")
    for (i, j), v in np.ndenumerate(M):
        dark = v > 0.55 * image.norm.vmax
        ax_heat.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=9,
                     color="white" if dark else "black")
    ax_heat.set_xticks(range(len(present)), [_frame_name(f) for f in present],
                       rotation=30, ha="right")
    ax_heat.set_yticks(y, labels)
    ax_heat.set_xlabel("frame")
    ax_heat.set_title(f"(b) Frame shares per {summaries.by} (frames that occur)", loc="left")
    bottom.colorbar(image, ax=ax_heat, format=lambda v, _: f"{v:.0%}", label="share of sentences",
                    shrink=0.9)

    # Saved beside the target and renamed, so a reader never sees a half-written chart. Not
    # tempfile.mkstemp: its files are private (0600) and the chart would stay that way.
    if direct_target(path):  # a device or FIFO: written in place, never renamed over
        with open(path, "wb") as fh, rc_context({"svg.fonttype": "none"}):
            fig.savefig(fh, format=fmt, dpi=150)
        return path
    path = rename_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh, rc_context({"svg.fonttype": "none"}):
            # "none" keeps SVG text as text (searchable, editable) instead of glyph outlines
            fig.savefig(fh, format=fmt, dpi=150)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
