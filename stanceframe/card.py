"""MODEL_CARD.md and the terminal tables, both written from metrics.json's contents."""

from __future__ import annotations

from .output import signed


def _ci(d: dict) -> str:
    return f"{d['value']:.3f} [{d['lo']:.3f}, {d['hi']:.3f}]"


def headline_rows(metrics: dict) -> list[list[str]]:
    """[target, scheme, measure, model, majority baseline] for the headline measures."""
    rows = []
    for target, measure in (("stance", "macro_f1"), ("stance", "accuracy"), ("frame", "accuracy"),
                            ("frame", "macro_f1")):
        for scheme in ("loso", "kfold"):
            ev = metrics["evaluation"][target][scheme]
            rows.append([target, {"loso": "leave-one-source-out", "kfold": "stratified 5-fold"}[scheme],
                         measure.replace("_", "-"), _ci(ev["model"][measure]), _ci(ev["baseline_majority"][measure])])
    return rows


METHOD_COLUMNS = ("emq", "cc", "pcc", "acc", "pacc", "baseline_train_prior")


def lean_rows(metrics: dict) -> list[list[str]]:
    """[held-out source, n, gold lean, then the lean by each counting method and the train-prior baseline]."""
    loso = metrics["evaluation"]["stance"]["loso"]
    rows = []
    for src, s in loso["per_source"].items():
        e = s["estimates"]
        rows.append([f"{src} {metrics['data']['outlets'].get(src, '')}".strip(), str(s["n"]), signed(s["gold"]["lean"]),
                     *(signed(e[m]["lean"]) for m in METHOD_COLUMNS)])
    q = loso["quantification"]
    rows.append(["mean abs. lean error", "", "", *(f"{q[m]['mean_lean_error']:.3f}" for m in METHOD_COLUMNS)])
    rows.append(["  95% CI, sources resampled", "", "",
                 *(f"[{q[m]['mean_lean_error_lo']:.3f}, {q[m]['mean_lean_error_hi']:.3f}]" for m in METHOD_COLUMNS)])
    rows.append(["mean abs. share error", "", "", *(f"{q[m]['mean_share_mae']:.3f}" for m in METHOD_COLUMNS)])
    return rows


PER_CLASS_HEADER = ["class", "precision", "recall", "F1", "support"]


def per_class_rows(metrics: dict, target: str) -> list[list[str]]:
    """Leave-one-source-out precision, recall, F1 and support of each class."""
    pc = metrics["evaluation"][target]["loso"]["model"]["per_class"]
    return [[c, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", str(v["support"])]
            for c, v in pc.items()]


LEAN_HEADER = ["held-out source", "n", "gold lean", "emq (used)", "cc", "pcc", "acc", "pacc", "train prior"]
HEADLINE_HEADER = ["target", "split", "measure", "model [95% CI]", "majority baseline [95% CI]"]


def _md_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def model_card(metrics: dict, manifest: dict) -> str:
    data, ev, final = metrics["data"], metrics["evaluation"], metrics["final"]
    parts = [
        "# Model card: stanceframe stance and frame classifiers",
        "",
        "Written by `python train.py` from `metrics.json`; do not edit by hand.",
        "",
        "## Intended use",
        "Sentence-level stance (`pro_ukraine`, `russia_accommodating`, `balancing`, `none`) and primary "
        "Policy Frames Codebook frame of English news and opinion sentences about Azerbaijan between "
        "Russia and Ukraine, aggregated to article and outlet shares for media-bias comparison. "
        "It is a small TF-IDF + logistic-regression model trained on 5 outlets: use it to compare outlets "
        "with intervals, not to judge single sentences, and read the per-source errors below first.",
        "",
        "## Limits and known failure modes",
        "- Trained on only {n} sentences from {k} outlets; one outlet (004) is nearly all "
        "`russia_accommodating` and one (000) nearly all `pro_ukraine`, so held-out results vary a lot by outlet.".format(
            n=data["n_sentences"], k=len(data["per_source"])),
        "- Stance often depends on the previous sentence (codebook rule H2); the model sees one sentence.",
        "- Sentences about the Karabakh conflict in which Russia is a mediator are often confused between "
        "`none` and `russia_accommodating`; `balancing` is confused with both sides.",
        "- Frame is dominated by `political` (over half the labels); rare frames are seldom predicted.",
        "- English only: other languages are flagged uncertain by `predict.py`, not scored as confident stances.",
        "- Outlet and article shares come from emq (EM on recalibrated probabilities). On fewer than about 20 "
        "sentences its likelihood is nearly flat and the estimate swings; read the intervals, not the point "
        "(a review simulation found its intervals cover the truth less often than adjusted counting's on "
        "3 to 10 sentences; on one or two sentences the interval collapses to the point and means nothing). "
        "The lean error below is measured on held-out outlets of {lo} to {hi} sentences.".format(
            lo=min(data["per_source"].values()), hi=max(data["per_source"].values())),
        "- Larger nested grids (C up to 10, class weights, character n-grams, min_df, sublinear tf) were measured "
        "(`python bench/variants.py`) and did not raise frame accuracy.",
        "",
        "## Training data",
        f"`labels/`: {data['n_sentences']} hand-labelled sentences (two independent passes, adjudicated; "
        "see labels/README.md).",
        "",
        _md_table(["source", "outlet", "sentences"],
                  [[s, data["outlets"].get(s, ""), str(n)] for s, n in data["per_source"].items()]),
        "",
        _md_table(["stance", *data["per_source"].keys(), "all"],
                  [[c, *(str(data["per_class_and_source"]["stance"][c].get(s, 0)) for s in data["per_source"]),
                    str(n)] for c, n in data["per_class"]["stance"].items()]),
        "",
        "Frames: " + ", ".join(f"{c} {n}" for c, n in sorted(data["per_class"]["frame"].items(),
                                                              key=lambda kv: -kv[1])) + ".",
        "",
        "sha256 of the files trained on:",
        "",
        *[f"- `{p}`: `{h}`" for p, h in data["sha256"].items()],
        "",
        "## Model",
        "One scikit-learn `Pipeline` per target: a `FeatureUnion` of word 1-2-gram TF-IDF (sublinear tf, "
        "min_df 2, outlet names and web addresses removed) and binary concept tokens (actors unified "
        "across their names, actor pairs, codebook cue concepts crossed with actors, frame cues, "
        "negation), then `LogisticRegression`. Hyperparameters are chosen by grouped cross-validation "
        "inside the training data.",
        "",
        f"- stance: {final['stance']['params']}, outlet shares by `{final['stance']['quantifier']}` "
        f"(calibration temperature {final['stance']['calibration']['temperature']:.2f}, fitted on "
        "out-of-fold predictions)",
        f"- frame: {final['frame']['params']}",
        f"- grid: {metrics['settings']['grid']}; {metrics['settings']['inner_cv']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in metrics["versions"].items()),
        f"- model file sha256: `{manifest['files']['model.joblib']}`",
        "",
        "## Evaluation",
        "Nested: the numbers below are on outer folds whose sentences were never used for fitting or for "
        "choosing hyperparameters. 95% intervals from 1000 bootstrap resamples of the sentences; "
        "sentences of one outlet are not independent, so these intervals are likely too narrow for a new outlet. "
        "The majority-class baseline is fitted on the same training folds.",
        "",
        _md_table(HEADLINE_HEADER, headline_rows(metrics)),
        "",
        "### Per-class results, leave-one-source-out",
    ]
    for target in ("stance", "frame"):
        parts += ["", f"{target}:", "", _md_table(PER_CLASS_HEADER, per_class_rows(metrics, target))]
    conf = ev["stance"]["loso"]["model"]["confusion"]
    parts += ["", "Stance confusion matrix (rows true, columns predicted), leave-one-source-out:", "",
              _md_table(["true \\ pred", *conf["labels"]],
                        [[c, *map(str, row)] for c, row in zip(conf["labels"], conf["rows_true_cols_pred"])])]
    parts += [
        "",
        "### Media-bias accuracy: outlet lean on held-out outlets",
        "Lean = share(pro_ukraine) - share(russia_accommodating) of the held-out outlet's sentences. "
        "Each column estimates it from the model's predictions with one counting method, all "
        "measured inside the training folds only: emq, the one the model uses (EM re-estimation of the "
        "priors, Saerens et al. 2002, on probabilities recalibrated by bias-corrected temperature "
        "scaling, Alexandari et al. 2020), cc classify-and-count, pcc probabilistic, acc/pacc adjusted by "
        "the misclassification rates; `train prior` predicts the training folds' class shares for every "
        "outlet (a baseline). emq replaced choosing a method inside each training set, which was "
        "unstable with four inner outlets; all five columns were seen on these folds when it was "
        "adopted, so the table is a comparison, not an untouched test. The interval of a mean error "
        "resamples the held-out outlets; with five of them it is wide.",
        "",
        _md_table(LEAN_HEADER, lean_rows(metrics)),
        "",
        "## Top features per class (final model)",
    ]
    for target in ("stance", "frame"):
        parts += ["", f"{target}:", ""]
        parts += [f"- `{c}`: " + ", ".join(f"`{n.split('__', 1)[-1]}`" for n, _ in feats[:10])
                  for c, feats in metrics["top_features"][target].items()]
    parts += ["", "Features prefixed `a_` are actors, `c_` codebook stance cues (crossed with actors), "
              "`f_` frame cues, `neg` negation; the rest are words and word pairs.", "",
              "Reading of these lists (written for the 231 seed labels; re-read them after retraining): the stance "
              "classes rest mostly on concept tokens that carry across outlets. `balancing` on balance and caution "
              "cues and on Russia and Ukraine named together; `pro_ukraine` on Ukraine, aid, sovereignty and "
              "solidarity cues; `russia_accommodating` on Russia, the Azerbaijan+Russia pair, alliance cues and "
              "sanctions under negation; `none` on short lines and headings, history cues and Karabakh. A few "
              "plain words are outlet or style residue (`south` from one outlet's \"South Caucasus\", `in the`, "
              "`was`): the model would generalise better without them, and more outlets in the labels is the cure.",
              ""]
    return "\n".join(parts)
