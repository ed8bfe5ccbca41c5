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

Distinctive terms (`distinctive`: Monroe, Colaresi & Quinn's 2008 weighted log-odds with an
informative Dirichlet prior) set each group against all other groups pooled. This module is the
data; the terminal table is in `render`, the chart in `chart`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from stanceframe.errors import BadInput
from stanceframe.labels import FRAMES, STANCES
from stanceframe.distinctive import _top_terms, fightin_words, term_counts  # noqa: F401 (re-exported)
from stanceframe.distinctive import distinctive as distinctive_of
from stanceframe.groups import GroupBuilder, Grouped
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
    group: str = ""  # with `over_time`: the source alone, and the period ("2024-05") it is of
    period: str = ""

    def to_record(self) -> dict:
        rec = asdict(self)
        if not self.period:
            del rec["group"], rec["period"]
        return rec


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
        weights = draws.astype(float)  # exact for counts: the same quotients as of the integers
        for i in range(0, n_boot, block):
            W = weights[i : i + block][:, codes]
            W /= W.sum(1, keepdims=True)  # in place: one replicate block in memory, not two
            reps.append(estimator.batch(W, P))
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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


FEW_ARTICLES = 5  # resampling fewer whole articles than this gives intervals that are too narrow


def _few_articles_warning(label: str, k: int, n_sentences: int) -> list[str]:
    if k >= FEW_ARTICLES:
        return []
    if k > 1:
        return [f"{label}: only {k} articles, so its intervals resample {k} articles and are too narrow; "
                "read them as a rough range"]
    return [
        f"{label}: one article only ({_count(n_sentences, 'sentence')}), so its intervals resample "
        "sentences and understate how much another article could differ"
    ]


def _check_n_boot(n_boot: int) -> None:
    if n_boot < 1:
        raise BadInput(f"n_boot must be at least 1; got {n_boot}")


# --- summaries ---------------------------------------------------------------------------------


def _frame_shares(counts: np.ndarray) -> dict[str, float]:
    """Frame shares from sentence counts in FRAMES order."""
    n = int(counts.sum())
    shares = {f: int(c) / n for f, c in zip(FRAMES, counts)}
    # sorted() is stable, so ties keep the codebook's order
    ranked = sorted((f for f in FRAMES if shares[f] > 0), key=lambda f: -shares[f])
    return {f: float(shares[f]) for f in ranked}


def group_frame(df: pd.DataFrame, keys) -> Grouped:
    """The checked rows of `df` as arrays per group of `keys` (one key per row)."""
    builder = GroupBuilder()
    builder.add(np.asarray(keys, dtype=object), pd.factorize(df["doc_id"])[0],
                df[list(PROB_COLUMNS)].to_numpy(dtype=float), df["frame"].astype(str).to_numpy(),
                _uncertain_mask(df), df["text"].to_numpy(dtype=object))
    return builder.finish()


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
    return grouped_summaries(group_frame(df, df[by].astype(str).to_numpy()), by, n_boot, seed, estimator,
                             top_frames, top_terms)


def grouped_summaries(grouped: Grouped, by: str = "source", n_boot: int = 1000, seed: int = 0,
                      estimator: Estimator | None = None, top_frames: int = 3, top_terms: int = 10) -> Summaries:
    """`source_summaries` of rows already grouped into arrays (a DataFrame's, or scored output's)."""
    _check_n_boot(n_boot)
    if not grouped.labels:
        raise BadInput("no sentences in the data")
    warnings: list[str] = []
    if len(grouped.labels) < 2:
        warnings.append(f"distinctive terms need at least two groups in '{by}'; only '{grouped.labels[0]}'")
    totals = np.asarray(grouped.counts.sum(axis=0)).ravel()
    sources = []
    for g, label in enumerate(grouped.labels):
        P, articles = grouped.P[g], grouped.articles[g]
        boot = _bootstrap(P, articles, n_boot, _group_rng(seed, label), estimator)
        shares, lean = _with_intervals(*boot, key="share")
        n_articles = grouped.n_articles(g)
        warnings += _few_articles_warning(label, n_articles, len(P))
        distinctive = []
        if len(grouped.labels) > 1:
            distinctive = distinctive_of(grouped.counts, totals, grouped.terms, g, top_terms)
        frames = _frame_shares(grouped.frames[g])
        sources.append(
            SourceSummary(
                source=label,
                n_articles=n_articles,
                n_sentences=len(P),
                n_uncertain=int(grouped.n_uncertain[g]),
                stance_shares=shares,
                lean=lean,
                frame_shares=frames,
                top_frames=list(frames)[:top_frames],
                distinctive_terms=distinctive,
            )
        )
    sources.sort(key=lambda s: (-s.lean["value"], s.source))
    return Summaries(by=by, n_boot=n_boot, seed=seed, sources=sources, warnings=warnings)


PERIODS = {"day": "D", "week": "W", "month": "M", "year": "Y"}


def check_over(over: str) -> None:
    if over not in PERIODS:
        raise BadInput(f"unknown period {over!r}; accepted: {', '.join(PERIODS)}")


def period_keys(df: pd.DataFrame, over: str, date_column: str, by: str) -> tuple[np.ndarray, np.ndarray]:
    """("group | period" of each row with a readable date, the mask of rows without one)."""
    if date_column not in df.columns:
        raise BadInput(f"no date column {date_column!r} in the data; name it with --date-column")
    if by not in df.columns:
        raise BadInput(f"unknown --by column {by!r}")
    text = df[date_column].astype(str)
    dates = pd.to_datetime(text.where(text.str.strip() != ""), errors="coerce", utc=True, format="mixed")
    missing = dates.isna().to_numpy()
    if missing.all():
        return np.array([], dtype=object), missing
    periods = dates[~missing].dt.tz_localize(None).dt.to_period(PERIODS[over]).astype(str).to_numpy()
    if over == "week":  # "2024-05-13/2024-05-19": the week by its Monday
        periods = np.array([p.split("/")[0] for p in periods], dtype=object)
    groups = df.loc[~missing, by].astype(str).to_numpy()
    return np.array([f"{g} | {p}" for g, p in zip(groups, periods)], dtype=object), missing


def over_time(df: pd.DataFrame, over: str, date_column: str = "date", by: str = "source", **options) -> Summaries:
    """`source_summaries` per group and period (day, week, month or year of `date_column`), sorted by
    group and then by time. Rows without a readable date are left out and counted in a warning."""
    check_over(over)
    keys, missing = period_keys(df, over, date_column, by)
    if missing.all():
        raise BadInput(f"no sentence has a readable date in column {date_column!r} (e.g. 2024-05-17)")
    kept = df[~missing].assign(_group_period=keys)
    result = source_summaries(kept, by="_group_period", **options)
    n_docs = df.loc[missing, "doc_id"].nunique() if missing.any() else 0
    return in_periods(result, by, over, date_column, int(missing.sum()), n_docs)


def in_periods(result: Summaries, by: str, over: str, date_column: str, n_missing: int, n_missing_docs: int
               ) -> Summaries:
    """Summaries of "group | period" groups as groups and periods, sorted by group and then time."""
    for summary in result.sources:
        summary.group, _, summary.period = summary.source.rpartition(" | ")
    result.sources.sort(key=lambda x: (x.group, x.period))
    result.by = f"{by} and {over}"
    if n_missing:
        result.warnings.insert(0, f"{_count(n_missing, 'sentence')} of {_count(n_missing_docs, 'article')} have no "
                                  f"readable date in {date_column!r} and are left out of the periods")
    return result


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
    for df in (df_a, df_b):
        if not df.empty:  # an empty side is reported below, together with the other side
            _check_columns(df, None)
            _check_values(df, None)
    builder = GroupBuilder()
    for df, label in ((df_a, str(label_a)), (df_b, str(label_b))):
        builder.add(np.full(len(df), label, dtype=object), pd.factorize(df["doc_id"])[0] if len(df) else [],
                    df[list(PROB_COLUMNS)].to_numpy(dtype=float) if len(df) else np.zeros((0, len(STANCES))),
                    df["frame"].astype(str).to_numpy() if len(df) else [], _uncertain_mask(df),
                    df["text"].to_numpy(dtype=object) if len(df) else [])
    return grouped_compare(builder.finish(), str(label_a), str(label_b), n_boot, seed, estimator, top_terms)


def grouped_compare(grouped: Grouped, label_a: str, label_b: str, n_boot: int = 1000, seed: int = 0,
                    estimator: Estimator | None = None, top_terms: int = 10) -> dict:
    """`compare_groups` of two groups already in arrays."""
    _check_n_boot(n_boot)
    sides = [(label, grouped.index(label)) for label in (label_a, label_b)]
    if any(g is None for _, g in sides):
        found = "; ".join(
            f"'{label}' has {_count(0 if g is None else len(grouped.P[g]), 'sentence')}"
            + (f" and {grouped.n_uncertain[g]} uncertain" if g is not None and grouped.n_uncertain[g] else "")
            for label, g in sides
        )
        usable = sum(g is not None for _, g in sides)
        raise BadInput(f"compare needs two groups with sentences; found {usable}: {found}")
    # Sides in A, B order; the terms of the two sides only (the prior: A and B pooled)
    counts = grouped.counts[[g for _, g in sides]]
    totals = np.asarray(counts.sum(axis=0)).ravel()
    out: dict = {"n_boot": n_boot, "seed": seed, "warnings": []}
    estimates = []
    for i, (key, (label, g)) in enumerate(zip(("a", "b"), sides)):
        P = grouped.P[g]
        estimates.append(_bootstrap(P, grouped.articles[g], n_boot, _group_rng(seed, label), estimator))
        shares, lean = _with_intervals(*estimates[-1], key="share")
        n_articles = grouped.n_articles(g)
        out["warnings"] += _few_articles_warning(label, n_articles, len(P))
        out[key] = {
            "label": label,
            "n_articles": n_articles,
            "n_sentences": len(P),
            "n_uncertain": int(grouped.n_uncertain[g]),
            "stance_shares": shares,
            "lean": lean,
            # B's z-scores are A's negated, listed in reverse: equal ones in descending term order
            "distinctive_terms": distinctive_of(counts, totals, grouped.terms, i, top_terms, reversed_ties=i == 1),
        }
    (point_a, reps_a), (point_b, reps_b) = estimates
    # The lean is linear in the shares, so the lean of the difference is the difference of leans.
    diff_shares, diff_lean = _with_intervals(point_a - point_b, reps_a - reps_b, key="value")
    out["diff_a_minus_b"] = {"stance_shares": diff_shares, "lean": diff_lean}
    return out


# --- output: a data frame --------------------------------------------------------------------


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


# --- with a random labelled sample: prediction-powered inference (stanceframe.ppi) ---------------


def labelled_estimates(df: pd.DataFrame, positions: np.ndarray, gold: np.ndarray, by: str,
                       estimator: Estimator | None) -> dict[str, dict]:
    """Per group of ``df[by]``: PPI and labels-only estimates of the stance shares and lean (ppi.estimate_group)
    from the model's predictions on all the group's sentences and the labelled ones: the rows of ``df`` at
    ``positions`` (``match``ed from the labels), with gold stance indices ``gold``."""
    from .ppi import estimate_group, prediction_vectors

    P = df[list(PROB_COLUMNS)].to_numpy(dtype=float)
    labels, group = np.unique(df[by].astype(str).to_numpy(dtype=object), return_inverse=True)
    Y = np.eye(len(STANCES))[gold]
    # each group's rows (ascending) and its labelled rows (in the labels' order) by one sort each,
    # not a scan of all rows per group
    rows, lab = np.argsort(group, kind="stable"), np.argsort(group[positions], kind="stable")
    cut = np.searchsorted(group[rows], np.arange(len(labels) + 1))
    lab_cut = np.searchsorted(group[positions][lab], np.arange(len(labels) + 1))
    out = {}
    for g, label in enumerate(labels):
        members, picked = rows[cut[g]:cut[g + 1]], lab[lab_cut[g]:lab_cut[g + 1]]
        # per group: emq's per-sentence posteriors depend on the shares it estimates for the group
        F = prediction_vectors(estimator, P[members])
        out[str(label)] = estimate_group(F, F[np.searchsorted(members, positions[picked])], Y[picked])
    return out


def labelled_columns(rec: dict | None) -> dict:
    """One group's `labelled_estimates` record as flat CSV columns (empty where it has none)."""
    cols: dict = {"n_labelled": (rec or {}).get("n_labelled", 0)}
    quantities = [(f"share_{s}", "share", s) for s in STANCES] + [("lean", "value", None)]
    for name, key, stance in quantities:
        for kind, prefix in (("ppi", "ppi"), ("labels_only", "labels")):
            got = rec and rec["lean"] and (rec["stance_shares"][stance] if stance else rec["lean"])[kind]
            for suffix, k in (("", key), ("_lo", "lo"), ("_hi", "hi")):
                cols[f"{prefix}_{name}{suffix}"] = got[k] if got else None
            if kind == "ppi":
                cols[f"ppi_{name}_lambda"] = got["lambda"] if got else None
    return cols
