"""MODEL_CARD.md and the terminal tables, both written from metrics.json's contents."""

from __future__ import annotations

from .output import signed


def _ci(d: dict) -> str:
    return f"{d['value']:.3f} [{d['lo']:.3f}, {d['hi']:.3f}]"


VIEWS = {"loso": "leave-one-source-out", "lovo": "leave-one-voice-out"}


def views_in(metrics: dict, target: str = "stance") -> list[str]:
    return [v for v in VIEWS if v in metrics["evaluation"][target]]


def headline_rows(metrics: dict) -> list[list[str]]:
    """[target, view, measure, model, majority baseline] for the headline measures."""
    rows = []
    for target, measure in (("stance", "macro_f1"), ("stance", "accuracy"), ("frame", "accuracy"),
                            ("frame", "macro_f1")):
        for view in views_in(metrics, target):
            ev = metrics["evaluation"][target][view]
            rows.append([target, VIEWS[view], measure.replace("_", "-"), _ci(ev["model"][measure]),
                         _ci(ev["baseline_majority"][measure])])
    return rows


COMPARISON_HEADER = ["model", "stance macro-F1 LOSO", "stance macro-F1 LOVO", "frame accuracy LOSO",
                     "frame accuracy LOVO"]


def comparison_rows(metrics: dict) -> list[list[str]]:
    """The shipped model beside its alternatives and the majority baseline, on the same folds."""
    rows = []
    for name, c in metrics.get("comparison", {}).items():
        cell = [f"{c[t][v][m]['value']:.3f}" if v in c[t] else "" for t, m in (("stance", "macro_f1"), ("frame", "accuracy"))
                for v in ("loso", "lovo")]
        rows.append([name, *cell])
    return rows


METHOD_COLUMNS = ("selected", "emq", "cc", "pcc", "acc", "pacc", "baseline_train_prior")
LEAN_HEADER = ["held-out", "n", "gold lean", "shipped", "(method)", "emq", "cc", "pcc", "acc", "pacc", "train prior"]


def lean_rows(metrics: dict, view: str = "loso") -> list[list[str]]:
    """[held-out group, n, gold lean, the shipped estimate and its method, every method, train prior]."""
    ev = metrics["evaluation"]["stance"][view]
    rows = []
    for g, s in ev["per_group"].items():
        e = s["estimates"]
        name = f"{g} {metrics['data']['outlets'].get(g, '')}".strip()
        rows.append([name, str(s["n"]), signed(s["gold"]["lean"]), signed(e["selected"]["lean"]), s["selected_method"],
                     *(signed(e[m]["lean"]) for m in METHOD_COLUMNS[1:])])
    q = ev["quantification"]
    rows.append(["mean abs. lean error", "", "", f"{q['selected']['mean_lean_error']:.3f}", "",
                 *(f"{q[m]['mean_lean_error']:.3f}" for m in METHOD_COLUMNS[1:])])
    rows.append(["  95% CI, groups resampled", "", "",
                 f"[{q['selected']['mean_lean_error_lo']:.3f}, {q['selected']['mean_lean_error_hi']:.3f}]", "",
                 *(f"[{q[m]['mean_lean_error_lo']:.3f}, {q[m]['mean_lean_error_hi']:.3f}]" for m in METHOD_COLUMNS[1:])])
    rows.append(["mean abs. share error", "", "", f"{q['selected']['mean_share_mae']:.3f}", "",
                 *(f"{q[m]['mean_share_mae']:.3f}" for m in METHOD_COLUMNS[1:])])
    return rows


CHALLENGE_HEADER = ["capability", "cases", "passed", "pass rate", "groups passed", "majority answer's rate"]


def challenge_rows(metrics: dict) -> list[list[str]]:
    ch = metrics.get("challenge") or {}
    return [[cap, str(r["n"]), str(r["passed"]), f"{r['rate']:.2f}", f"{r['groups_passed']}/{r['groups']}",
             f"{r['majority_rate']:.2f}"] for cap, r in ch.get("capabilities", {}).items()]


PER_CLASS_HEADER = ["class", "precision", "recall", "F1", "support"]


def per_class_rows(metrics: dict, target: str, view: str = "loso") -> list[list[str]]:
    """Precision, recall, F1 and support of each class on one held-out view."""
    pc = metrics["evaluation"][target][view]["model"]["per_class"]
    return [[c, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", str(v["support"])]
            for c, v in pc.items()]


HEADLINE_HEADER = ["target", "split", "measure", "model [95% CI]", "majority baseline [95% CI]"]


def _md_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def model_card(metrics: dict, manifest: dict) -> str:
    data, ev, final = metrics["data"], metrics["evaluation"], metrics["final"]
    seeds, voices = data["seed_groups"], data["written_groups"]
    q_loso = ev["stance"]["loso"]["quantification"]["selected"]
    outlet = "outlet (seed or corpus)" if data.get("n_corpus") else "seed outlet"
    reals = "outlets" if data.get("n_corpus") else "seeds"
    parts = [
        "# Model card: stanceframe stance and frame classifiers",
        "",
        "Written by `python train.py` from `metrics.json`; do not edit by hand.",
        "",
        "## Intended use",
        "Sentence-level stance (`pro_ukraine`, `russia_accommodating`, `balancing`, `none`) and primary "
        "Policy Frames Codebook frame of English news and opinion sentences about Azerbaijan between "
        "Russia and Ukraine, aggregated to article and outlet shares for media-bias comparison. "
        "It is a small TF-IDF + logistic-regression model: use it to compare outlets with intervals, "
        "not to judge single sentences, and read the held-out errors below first; on a corpus of your "
        "own, label a random sample and check the model on it.",
        "",
        "## Limits and known failure modes",
        (f"- The real articles are the seed pages ({data['n_seed']} sentences) and a labelled corpus "
         f"({data['n_corpus']} sentences of {len(data['corpus_groups'])} outlets)" if data.get("n_corpus") else
         f"- The only real articles are {len(seeds)} seed pages ({data['n_seed']} sentences)")
        + (f"; the other {data['n_written']} training sentences were invented by the team (labels/README.md) in "
           f"{len(voices)} voices. Leave-one-voice-out tests on invented text, written by the same writers as the "
           "training voices: it measures new vocabulary and angles, not a new real outlet, and is optimistic."
           if voices else "; trained without a written corpus."),
        "- Stance often depends on the previous sentence (codebook rule H2); the model sees one sentence.",
        "- A bag of words does not parse who does what to whom: negation, reported speech and irony are "
        "read from cue words (see the challenge suite below for how often that goes wrong).",
        "- English only: other languages are flagged uncertain by `predict.py`; they are still counted in "
        "shares, flagged, so that nothing is left out silently.",
        f"- The lean of a held-out {outlet} is off by {q_loso['mean_lean_error']:.3f} on average "
        f"(95% interval from resampling the {len(seeds)} outlets: [{q_loso['mean_lean_error_lo']:.3f}, "
        f"{q_loso['mean_lean_error_hi']:.3f}]); on fewer than about 20 sentences shares swing, read the intervals.",
        "",
        "## Training data",
        f"{data['n_sentences']} labelled sentences: {data['n_seed']} from the seed pages"
        + (f", {data['n_corpus']} from a corpus labelled by its user" if data.get("n_corpus") else "")
        + (f" and {data['n_written']} invented ones (`labels/written.csv`)" if voices else "")
        + (f"; {data['n_labelled']['stance']} labelled for stance, {data['n_labelled']['frame']} for frame, each "
           "target trained and evaluated on its own rows (the final classifiers share features fitted on every "
           "labelled sentence's text)" if "n_labelled" in data else "")
        + (", the seed and written ones" if data.get("n_corpus") else ", each")
        + " labelled in two independent passes and adjudicated (labels/README.md has the kappas).",
        "",
        _md_table(["group", "outlet or voice", "sentences", *sorted(data["per_class"]["stance"])],
                  [[g, data["outlets"].get(g, "written voice" if g in voices else "corpus outlet" if g in data.get(
                    "corpus_groups", ()) else ""), str(data["per_group"][g]),
                    *(str(data["per_class_and_group"]["stance"].get(c, {}).get(g, 0))
                      for c in sorted(data["per_class"]["stance"]))] for g in [*seeds, *voices]]),
        "",
        "Frames: " + ", ".join(f"{c} {n}" for c, n in sorted(data["per_class"]["frame"].items(),
                                                              key=lambda kv: (-kv[1], kv[0]))) + ".",
        "",
        "sha256 of the files trained on:",
        "",
        *[f"- `{p}`: `{h}`" for p, h in data["sha256"].items()],
        "",
        "## Model",
        "One scikit-learn `Pipeline` per target: word 1-2-gram TF-IDF (sublinear tf, min_df 2, outlet names "
        "and web addresses removed)" + (" and binary concept tokens (actors unified across their names, "
        "actor pairs, codebook cue concepts crossed with actors and actor pairs, frame cues, negation)"
        if "concepts" in final["features"] else "") + ", then `LogisticRegression` with balanced class weights. "
        "The cue lists paraphrase the codebook and the Policy Frames Codebook in general news vocabulary; "
        "they were rewritten without words or spellings found in only one seed, and conflict between "
        "states is a cue apart from sanctions and votes (`stanceframe/features.py` says how they were made). "
        "The model records a fingerprint of that code; the tool refuses a model whose fingerprint differs.",
        "",
        f"- features: `{final['features']}`, chosen by a rule fixed before these numbers were run: concept "
        "tokens ship only if they beat words alone on stance macro-F1 on both held-out views (table below).",
        f"- stance: {final['stance']['params']}; outlet shares by `{final['stance']['quantifier']}`, the counting "
        "method with the lowest mean lean error over the training data's groups (out-of-fold, each group's "
        "measurements from the others, each group resampled to shifted class mixtures: the artificial-prevalence "
        "protocol, adopted after a first run on a partial corpus showed the stance-balanced written voices "
        "favouring methods that shrink to the prior): " + ", ".join(
            f"{m} {e:.3f}" for m, e in final["stance"]["quantifier_inner_lean_error"].items()),
        f"- frame: {final['frame']['params']}",
        f"- grid: {metrics['settings']['grid']}; {metrics['settings']['inner_cv']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in metrics["versions"].items()),
        f"- features fingerprint: `{manifest.get('features_fingerprint', '')}`",
        "",
        "## Evaluation",
        "Nested: every number is on outer folds whose sentences were never used for fitting, for choosing "
        f"hyperparameters or for choosing the counting method. Leave-one-source-out holds out one {outlet} and "
        + (f"trains on the other {reals} and the whole written corpus; leave-one-voice-out holds out one written "
           f"voice and trains on the {reals} and the other voices. " if voices else f"trains on the other {reals}. ")
        + f"95% intervals from {metrics['settings']['bootstrap']} bootstrap resamples of "
        "the sentences (sentences of one outlet are not independent, so they are too narrow for a new outlet). "
        "The majority-class baseline is fitted on the same training folds.",
        "",
        _md_table(HEADLINE_HEADER, headline_rows(metrics)),
        "",
        "### Side by side, same folds",
        "The shipped model against training on the seeds alone, against words without concept tokens, and the "
        "majority baseline. Hyperparameters are searched inside the training folds for every row.",
        "",
        _md_table(COMPARISON_HEADER, comparison_rows(metrics)),
    ]
    for view in views_in(metrics):
        for target in ("stance", "frame"):
            parts += ["", f"### {target}: per class, {VIEWS[view]}", "",
                      _md_table(PER_CLASS_HEADER, per_class_rows(metrics, target, view))]
    conf = ev["stance"]["loso"]["model"]["confusion"]
    parts += ["", "Stance confusion matrix (rows true, columns predicted), leave-one-source-out:", "",
              _md_table(["true \\ pred", *conf["labels"]],
                        [[c, *map(str, row)] for c, row in zip(conf["labels"], conf["rows_true_cols_pred"])])]
    parts += [
        "",
        "### Media-bias accuracy: lean of held-out outlets and voices",
        "Lean = share(pro_ukraine) - share(russia_accommodating) of all the held-out group's sentences, the "
        "sentences `predict.py sources` counts (uncertain ones included). `shipped` is the estimate `sources`, "
        "`compare` and `score --level article` give: the counting method each fold chose inside its training "
        "data (named beside it). The other columns are every method on the same folds: emq (EM re-estimation "
        "of the priors, Saerens et al. 2002, on probabilities recalibrated by bias-corrected temperature "
        "scaling, Alexandari et al. 2020), cc classify-and-count, pcc probabilistic, acc/pacc adjusted by the "
        "misclassification rates; `train prior` gives every group the training folds' shares (a baseline). "
        "The interval of a mean error resamples the held-out groups.",
    ]
    for view in views_in(metrics):
        parts += ["", f"{VIEWS[view]}:", "", _md_table(LEAN_HEADER, lean_rows(metrics, view))]
    ch = metrics.get("challenge")
    if ch:
        parts += ["", "## Challenge suite (behavioural tests after CheckList, Ribeiro et al. 2020)",
                  f"`python bench/challenge.py`: {ch['n']} written cases in `bench/challenge.csv`, never used for "
                  "training, in minimal pairs and groups. A standalone case passes when the stance is the expected "
                  "one; a pair or group passes when every member gets its expected stance. Shipped model:", "",
                  _md_table(CHALLENGE_HEADER, challenge_rows(metrics)),
                  "", f"All cases: {ch['passed']}/{ch['n']} ({ch['rate']:.2f}); groups counted whole: "
                      f"{ch['groups_passed']}/{ch['groups']}. Read each rate against the last column: answering "
                      f"`{ch['majority_answer']}` everywhere passes {ch['majority_rate']:.2f} of all cases, and all of "
                      "a capability whose cases share one expected stance."]
    parts += ["", "## Top features per class (final model)"]
    for target in ("stance", "frame"):
        parts += ["", f"{target}:", ""]
        parts += [f"- `{c}`: " + ", ".join(f"`{n.split('__', 1)[-1]}`" for n, _ in feats[:10])
                  for c, feats in metrics["top_features"][target].items()]
    parts += ["", "Features prefixed `a_` are actors, `c_` codebook stance cues (crossed with actors and actor "
              "pairs), `f_` frame cues, `neg` negation; the rest are words and word pairs.", ""]
    return "\n".join(parts)
