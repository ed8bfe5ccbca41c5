"""The classifier: one TF-IDF + logistic-regression Pipeline per target, and its honest evaluation.

Hyperparameters are chosen by cross-validation grouped by outlet or voice inside the training data
only (nested). The outer folds hold out one group at a time (the use case: new articles come from
outlets the model has not seen): each seed outlet (leave-one-source-out, trained on the other seeds
and the whole written corpus) and each voice of the written corpus (leave-one-voice-out). The
majority-class baseline is scored on the same folds. For stance, each held-out group's shares are
estimated with every counting method (see `quantify`) and with the one chosen inside the training
folds, the estimator that ships.
"""

from __future__ import annotations

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import GridSearchCV, GroupKFold, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from .pool import run_tasks
from .features import TOKEN_PATTERN, clean, concepts  # one tokenisation: scoring reads the same tokens
from .labels import STANCES
from .quantify import QUANTIFIER, QUANTIFIERS, Quantifier, fit_calibration, lean, lean_vector, misclassification

SEED = 0
N_BOOT = 1000
# Searched per target, inside the training folds. Classes are weighted ("balanced"): unweighted
# frame models were never chosen when offered (v1 grid), and stance is judged by macro-F1.
GRID = {
    "stance": {"clf__C": [0.3, 1.0, 3.0]},
    "frame": {"clf__C": [0.3, 1.0, 3.0]},
}
SCORING = {"stance": "f1_macro", "frame": "accuracy"}  # what each target is judged by


class FitCache:
    """An in-memory stand-in for joblib.Memory in Pipeline(memory=...).

    A grid search refits the features for every C although they depend only on the training rows;
    caching them in memory (not on disk, as joblib.Memory would) saves most of the work.
    """

    def __init__(self):
        self._store = {}

    def __deepcopy__(self, memo):
        return self  # sklearn's clone deep-copies parameters; the cache must stay shared

    def cache(self, func, ignore=None):
        def cached(*args, **kwargs):
            key = joblib.hash((func.__name__, args, {k: v for k, v in kwargs.items() if k not in (ignore or ())}))
            if key not in self._store:
                self._store[key] = func(*args, **kwargs)
            return self._store[key]

        return cached


FEATURE_SETS = ("words", "words+concepts")
# Decided before the reported numbers by a rule fixed in advance: concept tokens ship only if they
# beat words alone on stance macro-F1 on both held-out views (see the model card's comparison).
FEATURES = "words+concepts"


def make_pipeline(memory=None, features: str = FEATURES) -> Pipeline:
    """The untrained pipeline; GRID's values are searched on top of these defaults."""
    if features not in FEATURE_SETS:
        raise ValueError(f"unknown feature set {features!r}; accepted: {', '.join(FEATURE_SETS)}")
    union = [("words", TfidfVectorizer(preprocessor=clean, token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), min_df=2,
                                       sublinear_tf=True))]
    if features == "words+concepts":
        union.append(("concepts", TfidfVectorizer(preprocessor=concepts, token_pattern=r"\S+", lowercase=False,
                                                  use_idf=False, binary=True)))
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000, tol=1e-3)
    return Pipeline([("features", FeatureUnion(union)), ("clf", clf)], memory=memory)


def inner_cv(groups):
    """The cross-validation that chooses hyperparameters on training rows with these groups (also what
    training.check_trainable replays to find a split with one class before any fitting)."""
    n_groups = len(set(groups))
    return GroupKFold(n_splits=min(4, n_groups)) if n_groups >= 3 else StratifiedKFold(3, shuffle=True,
                                                                                     random_state=SEED)


def search(X, y, groups, target: str, memory=None, features: str = FEATURES) -> GridSearchCV:
    """Fit the pipeline with hyperparameters chosen by source-grouped CV on (X, y) only.

    `memory` (a FitCache) caches fitted features across the grid's C values: the
    vectorisers see the same training rows for every C, so they are fitted once per split.
    """
    cv = inner_cv(groups)
    gs = GridSearchCV(make_pipeline(memory, features), GRID[target], scoring=SCORING[target], cv=cv, refit=True, error_score="raise")
    grouped = isinstance(cv, GroupKFold)
    gs.fit(X, y, groups=groups if grouped else None)  # StratifiedKFold warns when given groups
    gs.inner_cv_ = cv
    return gs


MIN_GROUP = 5  # inner groups smaller than this say little about a lean and are not used to choose
N_MIXTURES = 25  # class mixtures per inner group in the artificial-prevalence protocol


def fit_quantifier(gs: GridSearchCV, X, y, groups, memory=None) -> Quantifier:
    """The counting method and its measurements, from out-of-fold predictions of the training data only:
    each group of the inner CV is predicted by a model fitted on the others.

    The method is chosen here, inside the training data, by the mean lean error over its groups
    (seed outlets and written voices alike), each group's measurements (misclassification rates,
    calibration, prior) taken from the other groups only. Real outlets lean; the written voices
    were written with balanced stances, so each group is judged under the artificial-prevalence
    protocol (Forman 2005; QuaPy's APP): its sentences resampled to N_MIXTURES class mixtures
    drawn uniformly from the simplex, at the group's own size.
    """
    classes = gs.best_estimator_.classes_
    k = len(classes)
    y_idx = np.searchsorted(classes, y)
    P_oof = np.zeros((len(y), k))
    grouped = isinstance(gs.inner_cv_, GroupKFold)
    features = _feature_set(gs.best_estimator_)
    for tr, te in gs.inner_cv_.split(X, y, groups if grouped else None):
        est = make_pipeline(memory, features).set_params(**gs.best_params_).fit(X[tr], y[tr])
        P_oof[np.ix_(te, np.searchsorted(classes, est.classes_))] = est.predict_proba(X[te])
    errors = {m: [] for m in QUANTIFIERS}
    for gi, g in enumerate(sorted(set(groups)) if grouped else []):
        inside = groups == g
        if inside.sum() < MIN_GROUP or inside.all():
            continue
        q_g = _measured("cc", classes, P_oof[~inside], y_idx[~inside])
        W, truth = _mixtures(y_idx[inside], k, np.random.default_rng([SEED, gi]))
        gold = truth @ lean_vector(classes)
        for m in QUANTIFIERS:
            errors[m].extend(np.abs(q_g.using(m).batch(W, P_oof[inside]) @ lean_vector(classes) - gold))
    inner = {m: float(np.mean(e)) for m, e in errors.items() if e}
    method = min(inner, key=lambda m: (inner[m], QUANTIFIERS.index(m))) if inner else QUANTIFIER
    q = _measured(method, classes, P_oof, y_idx)
    q.inner_lean_error = inner
    return q


def _mixtures(y_idx: np.ndarray, k: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Sentence weights (N_MIXTURES x n, rows sum to 1) that resample a group to random class mixtures
    over the classes it has, and each mixture's true class shares (N_MIXTURES x k)."""
    n = len(y_idx)
    present = np.unique(y_idx)
    prev = np.zeros((N_MIXTURES, k))
    prev[:, present] = rng.dirichlet(np.ones(len(present)), size=N_MIXTURES)
    W = np.zeros((N_MIXTURES, n))
    truth = np.zeros((N_MIXTURES, k))
    members = {c: np.flatnonzero(y_idx == c) for c in present}
    for r in range(N_MIXTURES):
        counts = rng.multinomial(n, prev[r])
        for c in present:
            if counts[c]:
                np.add.at(W[r], rng.choice(members[c], size=counts[c]), 1.0)
        truth[r] = counts / n
    return W / n, truth


def _measured(method, classes, P_oof, y_idx) -> Quantifier:
    k = len(classes)
    hard, soft = misclassification(P_oof, y_idx, k)
    temperature, bias = fit_calibration(P_oof, y_idx)
    prior = np.bincount(y_idx, minlength=k) / len(y_idx)
    return Quantifier(method, [str(c) for c in classes], hard, soft, temperature, bias, prior)


def _feature_set(pipeline: Pipeline) -> str:
    names = [n for n, _ in pipeline.named_steps["features"].transformer_list]
    return "+".join(names)


# --- metrics ----------------------------------------------------------------------------------


def _macro_f1_acc(y_true: np.ndarray, y_pred: np.ndarray, k: int):
    """Macro-F1 (over classes present in y_true or y_pred) and accuracy, vectorised over rows."""
    tp = np.stack([((y_true == c) & (y_pred == c)).sum(-1) for c in range(k)], -1)
    t = np.stack([(y_true == c).sum(-1) for c in range(k)], -1)
    p = np.stack([(y_pred == c).sum(-1) for c in range(k)], -1)
    denom = t + p
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    present = denom > 0
    macro = (f1 * present).sum(-1) / np.maximum(present.sum(-1), 1)
    return macro, (y_true == y_pred).mean(-1)


def scores(y_true, y_pred, classes, n_boot: int = N_BOOT, seed: int = SEED) -> dict:
    """Macro-F1 and accuracy with bootstrap 95% intervals, per-class P/R/F1 and the confusion matrix."""
    classes = list(classes)
    yt = np.array([classes.index(v) for v in y_true])
    yp = np.array([classes.index(v) for v in y_pred])
    k = len(classes)
    macro, acc = _macro_f1_acc(yt, yp, k)
    idx = np.random.default_rng(seed).integers(0, len(yt), size=(n_boot, len(yt)))
    bm, ba = _macro_f1_acc(yt[idx], yp[idx], k)
    present = sorted(set(yt) | set(yp))
    labels = [classes[i] for i in present]
    pr, rc, f1, sup = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "macro_f1": _interval(float(macro), bm),
        "accuracy": _interval(float(acc), ba),
        "per_class": {
            c: {"precision": float(a), "recall": float(b), "f1": float(f), "support": int(s)}
            for c, a, b, f, s in zip(labels, pr, rc, f1, sup)
        },
        "confusion": {"labels": labels, "rows_true_cols_pred": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }


def _interval(point: float, boot: np.ndarray) -> dict:
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return {"value": point, "lo": float(min(lo, point)), "hi": float(max(hi, point))}


# --- evaluation -------------------------------------------------------------------------------


def outer_splits(groups, held_out, train_mask=None):
    """(train rows, test rows, name) of each outer fold: one per held-out group; the training rows are
    every row of the other groups (restricted to `train_mask`, e.g. seeds only)."""
    train_mask = np.ones(len(groups), dtype=bool) if train_mask is None else train_mask
    return [(np.flatnonzero(train_mask & (groups != g)), np.flatnonzero(groups == g), str(g)) for g in held_out]


def _outer_fold(X, y, groups, tr, te, name, target, features, quantify) -> dict:
    """Search on the training rows only; predict the held-out rows with the model and the baseline."""
    with threadpool_limits(1):  # BLAS threads only slow these small problems down (measured 3x)
        gs = search(X[tr], y[tr], groups[tr], target, FitCache(), features)
        est = gs.best_estimator_
        values, counts = np.unique(y[tr], return_counts=True)
        fold = {"held_out": name, "n_train": int(len(tr)), "n_test": int(len(te)),
                "n_train_groups": len(set(groups[tr])), "chosen": _params(gs.best_params_),
                "inner_cv_score": float(gs.best_score_), "majority_class": str(values[counts.argmax()])}
        out = {"fold": fold, "te": te, "pred": est.predict(X[te]), "classes": est.classes_,
               "P": est.predict_proba(X[te])}
        if quantify and target == "stance":
            q = fit_quantifier(gs, X[tr], y[tr], groups[tr], gs.estimator.memory)
            fold["quantifier"] = q.method
            fold["quantifier_inner_lean_error"] = q.inner_lean_error
            out["quantifier"] = q
    return out


def evaluate(X, targets: dict, groups, views: dict, train_mask=None, features: str = FEATURES,
             n_jobs: int = 2, final: bool = False, quantify: bool = True):
    """Nested evaluation of every target on every held-out view; model and baseline on the same folds.

    `views` maps a view's name to the groups it holds out one at a time (e.g. "loso": the seed
    outlets, "lovo": the written corpus's voices); each fold trains on all other groups' rows
    (within `train_mask`). The folds are independent, so they run in `n_jobs` processes; with
    `final`, the models to ship (fit_final on all rows) are fitted in the same pool: (results, finals).
    """
    X, groups = np.asarray(X, dtype=object), np.asarray(groups, dtype=object)
    targets = {t: np.asarray(y, dtype=object) for t, y in targets.items()}
    jobs = [(t, view, tr, te, name) for t in targets for view, held in views.items()
            for tr, te, name in outer_splits(groups, held, train_mask)]
    if features != "words":
        for text in X:  # fill the feature caches once, here, for every worker process to inherit
            concepts(text)
    # the final fits are the longest tasks (a search on all rows, then the quantifier): first
    tasks = [(fit_final, (X, y, groups, t, features)) for t, y in targets.items()] if final else []
    tasks += [(_outer_fold, (X, targets[t], groups, tr, te, name, t, features, quantify))
              for t, view, tr, te, name in jobs]
    done = run_tasks(tasks, n_jobs)
    finals = dict(zip(targets, done[: len(targets)])) if final else None
    done = done[len(targets):] if final else done
    results: dict = {}
    for t, y in targets.items():
        classes = sorted(set(y))
        results[t] = {}
        for view in views:
            mine = [(job, r) for job, r in zip(jobs, done) if job[0] == t and job[1] == view]
            rows = np.concatenate([job[3] for job, _ in mine])
            pred = np.empty(len(y), dtype=object)
            base = np.empty(len(y), dtype=object)
            per_group = {}
            for (_, _, tr, te, name), r in mine:
                pred[te] = r["pred"]
                base[te] = r["fold"]["majority_class"]
                if "quantifier" in r:
                    P = np.zeros((len(te), len(classes)))
                    P[:, np.searchsorted(classes, r["classes"])] = r["P"]
                    per_group[name] = _group_shares(P, y[te], y[tr], classes, r["quantifier"])
            out = {"model": scores(y[rows], pred[rows], classes), "baseline_majority": scores(y[rows], base[rows], classes),
                   "folds": [r["fold"] for _, r in mine]}
            if per_group:
                out["per_group"] = per_group
                out["quantification"] = _quantification_summary(per_group)
            results[t][view] = out
    return (results, finals) if final else results


def fit_final(X, y, groups, target: str, features: str = FEATURES):
    """The model to ship: searched and fitted on all labels; for stance, with its quantifier."""
    X, y, groups = np.asarray(X, dtype=object), np.asarray(y, dtype=object), np.asarray(groups, dtype=object)
    with threadpool_limits(1):
        gs = search(X, y, groups, target, FitCache(), features)
        est = gs.best_estimator_
        est.set_params(memory=None)  # the cache is for searching; the saved pipeline carries none
        _reproducible(est.named_steps["features"])
        q = fit_quantifier(gs, X, y, groups, gs.estimator.memory) if target == "stance" else None
    return est, _params(gs.best_params_), float(gs.best_score_), q


def _reproducible(union: FeatureUnion) -> None:
    for _, vec in union.transformer_list:
        # neither is used to transform; both would make the file differ from run to run (a set
        # pickled in hash order, and an id() of a Python object)
        for attr in ("stop_words_", "_stop_words_id"):
            if hasattr(vec, attr):
                delattr(vec, attr)


def share_features(pipelines: dict, X, labelled: dict) -> dict:
    """The final pipelines of targets labelled on different rows, refitted to share one feature union
    (scoring exports one, see linear.export): the features (no labels involved) fitted on the text of
    every row, each classifier, with the settings its search chose, on its own labelled rows."""
    from sklearn.base import clone

    X = np.asarray(X, dtype=object)
    first = next(iter(pipelines.values()))
    with threadpool_limits(1):
        union = clone(first.named_steps["features"]).fit(X)
        _reproducible(union)
        out = {}
        for t, pipe in pipelines.items():
            rows, y = labelled[t]
            clf = clone(pipe.named_steps["clf"]).fit(union.transform(X[rows]), y)
            out[t] = Pipeline([("features", union), ("clf", clf)])
    return out


def _params(p: dict) -> dict:
    return {k.split("__", 1)[-1]: v for k, v in p.items()}


SELECTED = "selected"  # the method each fold chose inside its training data: what ships


def _group_shares(P_test, y_test, y_train, classes, q: Quantifier) -> dict:
    """A held-out group's gold shares and lean against every method's estimate from all its sentences,
    as `sources` estimates them (every sentence counted, uncertain ones included)."""
    gold = np.array([(y_test == c).mean() for c in classes])
    prior = np.array([(y_train == c).mean() for c in classes])
    # the fold's model may not know every class (one labelled only in the held-out group)
    est = {m: q.using(m).shares_in(P_test, classes)[0] for m in QUANTIFIERS}
    est[SELECTED] = est[q.method]
    est["baseline_train_prior"] = prior
    return {
        "n": int(len(y_test)),
        "selected_method": q.method,
        "gold": {"shares": dict(zip(classes, gold.round(6).tolist())), "lean": lean(gold, classes)},
        "estimates": {
            m: {"shares": dict(zip(classes, s.round(6).tolist())), "lean": lean(s, classes),
                "share_mae": float(np.abs(s - gold).mean()),
                "lean_error": abs(lean(s, classes) - lean(gold, classes))}
            for m, s in est.items()
        },
    }


def _quantification_summary(per_group: dict) -> dict:
    """Mean errors over the held-out groups, the lean error with a 95% interval from resampling
    the groups (with five seed outlets it is wide, and that is the point of showing it)."""
    methods = next(iter(per_group.values()))["estimates"].keys()
    draws = np.random.default_rng(SEED).integers(0, len(per_group), size=(N_BOOT, len(per_group)))
    out = {}
    for m in methods:
        lean_err = np.array([s["estimates"][m]["lean_error"] for s in per_group.values()])
        lo, hi = np.percentile(lean_err[draws].mean(1), [2.5, 97.5])
        out[m] = {"mean_share_mae": float(np.mean([s["estimates"][m]["share_mae"] for s in per_group.values()])),
                  "mean_lean_error": float(lean_err.mean()), "mean_lean_error_lo": float(lo),
                  "mean_lean_error_hi": float(hi)}
    return out


def top_features(pipeline: Pipeline, n: int = 12) -> dict:
    """The n features with the largest positive coefficient for each class."""
    names = pipeline[:-1].get_feature_names_out()
    clf = pipeline[-1]
    coef = clf.coef_ if len(clf.classes_) > 2 else np.vstack([-clf.coef_[0], clf.coef_[0]])
    return {str(c): [[str(names[i]), round(float(coef[k, i]), 4)] for i in np.argsort(-coef[k])[:n]]
            for k, c in enumerate(clf.classes_)}


__all__ = ["STANCES", "QUANTIFIERS", "FEATURES", "FEATURE_SETS", "make_pipeline", "search", "evaluate",
           "fit_final", "fit_quantifier", "top_features"]
