"""train.py on a small fixture corpus: determinism, round trip, honest splits, stale and foreign models."""

import csv
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import predict  # noqa: E402
import train  # noqa: E402
from fixture_corpus import ARTICLES, write_corpus  # noqa: E402

from stanceframe import artifact, model as M, pool  # noqa: E402

runner = CliRunner()


def run_train(corpus, out, *extra):
    return runner.invoke(train.app, ["--labels", str(corpus["labels"]), "--sources", str(corpus["sources"]),
                                     "--out", str(out), "--n-jobs", "1", "--quiet", "--no-written", "--no-compare",
                                     *extra])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    base = tmp_path_factory.mktemp("train")
    corpus = write_corpus(base / "corpus")
    first = run_train(corpus, base / "model1")
    assert first.exit_code == 0, first.output
    return corpus, base


def test_train_writes_the_model_folder_and_reports(trained):
    corpus, base = trained
    assert {p.name for p in (base / "model1").iterdir()} == {"model.joblib", "scoring.json", "manifest.json",
                                                             "metrics.json", "MODEL_CARD.md"}
    metrics = json.loads((base / "model1" / "metrics.json").read_text())
    loso = metrics["evaluation"]["stance"]["loso"]
    for name in ("model", "baseline_majority"):
        for measure in ("macro_f1", "accuracy"):
            d = loso[name][measure]
            assert d["lo"] <= d["value"] <= d["hi"]
    assert set(loso["per_group"]) == set(ARTICLES)
    assert set(loso["quantification"]) == {*M.QUANTIFIERS, "selected", "baseline_train_prior"}
    for method, q in loso["quantification"].items():
        errors = [s["estimates"][method]["lean_error"] for s in loso["per_group"].values()]
        assert q["mean_lean_error"] == pytest.approx(np.mean(errors), abs=1e-5)
        assert min(errors) - 1e-6 <= q["mean_lean_error_lo"] <= q["mean_lean_error"] <= q["mean_lean_error_hi"]
        assert q["mean_lean_error_hi"] <= max(errors) + 1e-6
    assert metrics["final"]["stance"]["quantifier"] in M.QUANTIFIERS
    card = (base / "model1" / "MODEL_CARD.md").read_text()
    for heading in ("## Intended use", "## Training data", "## Evaluation", "Media-bias accuracy",
                    "## Top features per class", "majority baseline"):
        assert heading in card


def test_training_is_deterministic(trained):
    corpus, base = trained
    second = run_train(corpus, base / "model2")
    assert second.exit_code == 0, second.output
    assert (base / "model1" / "metrics.json").read_bytes() == (base / "model2" / "metrics.json").read_bytes()


TEXTS = ["Baku sent aid to Ukraine.", "Azerbaijan did not join sanctions against Russia.", "Rain fell.", "",
         "Это не английский текст.", "BAKU!!! Kyiv??? (Moscow) — 1994, $20 million; «quotes»"]


def test_save_load_round_trip_gives_identical_predictions(trained):
    _, base = trained
    stance, frame, warnings = artifact.load(base / "model1").pipelines()
    assert warnings == []
    m2_stance, m2_frame, _ = artifact.load(base / "model2").pipelines()
    assert np.array_equal(stance.predict_proba(TEXTS), m2_stance.predict_proba(TEXTS))
    assert list(frame.predict(TEXTS)) == list(m2_frame.predict(TEXTS))


def test_scoring_weights_reproduce_the_pipelines_exactly(trained):
    _, base = trained
    m = artifact.load(base / "model1")
    stance, frame, _ = m.pipelines()
    X = m.linear.transform(TEXTS)
    assert m.linear.classes["stance"] == list(stance.classes_)
    assert np.allclose(m.linear.predict_proba("stance", X), stance.predict_proba(TEXTS), atol=1e-12)
    assert np.allclose(m.linear.predict_proba("frame", X), frame.predict_proba(TEXTS), atol=1e-12)


def test_leave_one_source_out_never_trains_on_the_held_out_source(monkeypatch):
    seen = []
    real = M.search

    def spy(X, y, groups, target, memory=None, features=M.FEATURES):
        seen.append((target, set(groups), set(X)))
        return real(X, y, groups, target, memory, features)

    monkeypatch.setattr(M, "search", spy)
    texts = [t for items in ARTICLES.values() for _, _, t in items]
    groups = [sid for sid, items in ARTICLES.items() for _ in items]
    stances = [s for items in ARTICLES.values() for s, _, _ in items]
    result = M.evaluate(texts, {"stance": stances}, groups, {"loso": sorted(ARTICLES)}, n_jobs=1)
    folds = result["stance"]["loso"]["folds"]
    assert [f["held_out"] for f in folds] == sorted(ARTICLES)
    outer = [s for s in seen if len(s[1]) == len(ARTICLES) - 1]
    assert len(outer) == len(ARTICLES)
    for held_out, (_, train_groups, train_texts) in zip(sorted(ARTICLES), outer):
        assert held_out not in train_groups
        assert not train_texts & {t for _, _, t in ARTICLES[held_out]}


def test_a_bad_labels_file_exits_2_with_file_line_and_reason(trained, tmp_path):
    corpus, _ = trained
    bad = tmp_path / "bad.csv"
    lines = corpus["labels"].read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",pro_ukraine,", ",pro-ukraine,")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(train.app, ["--labels", str(bad), "--sources", str(corpus["sources"]),
                                       "--out", str(tmp_path / "m"), "--quiet"])
    assert result.exit_code == 2
    assert f"{bad}:3: unknown stance 'pro-ukraine'" in result.output
    assert not (tmp_path / "m").exists()


def test_stale_labels_are_detected_on_load(trained, tmp_path):
    corpus, base = trained
    m = artifact.load(base / "model1", labels=dict(artifact.load(base / "model1").manifest["labels"]))
    assert m.warnings == []
    changed = {k: "0" * 64 for k in m.manifest["labels"]}
    stale = artifact.load(base / "model1", labels=changed)
    assert any("trained on other labels" in w and "python train.py" in w for w in stale.warnings)


def test_another_scikit_learn_version_gives_a_warning(trained, tmp_path):
    _, base = trained
    copy = tmp_path / "m"
    shutil.copytree(base / "model1", copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["versions"]["scikit-learn"] = "0.1.0"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    _, _, warnings = artifact.load(copy).pipelines()
    assert any("scikit-learn 0.1.0" in w and "python train.py" in w for w in warnings)


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "model.joblib").write_bytes((d / "model.joblib").read_bytes()[:1000]), "not the one recorded"),
    (lambda d: (d / "model.joblib").write_bytes(b"not a pickle at all"), "not the one recorded"),
    (lambda d: (d / "scoring.json").write_text('{"linear": {}}'), "not the one recorded"),
    (lambda d: (d / "scoring.json").write_bytes((d / "scoring.json").read_bytes()[:500]), "not the one recorded"),
    (lambda d: (d / "manifest.json").write_text("{broken"), "not a stanceframe manifest"),
    (lambda d: (d / "manifest.json").write_text('{"files": {}}'), "not a stanceframe manifest"),
    (lambda d: (d / "manifest.json").unlink(), "no trained model here"),
    (lambda d: (d / "model.joblib").unlink(), "missing"),
])
def test_corrupt_truncated_or_foreign_model_is_refused_with_a_clear_error(trained, tmp_path, damage, message):
    _, base = trained
    copy = tmp_path / "m"
    shutil.copytree(base / "model1", copy)
    damage(copy)
    with pytest.raises(artifact.ModelError) as err:
        artifact.load(copy).pipelines()
    assert message in str(err.value) and "python train.py" in str(err.value)


def test_predict_cli_refuses_a_corrupt_model_without_traceback(trained, tmp_path):
    _, base = trained
    copy = tmp_path / "m"
    shutil.copytree(base / "model1", copy)
    (copy / "scoring.json").write_bytes(b'{"linear": junk')
    result = runner.invoke(predict.app, ["explain", "Baku sent aid.", "--model", str(copy)])
    assert result.exit_code == 1
    assert "not the one recorded" in result.output and "Traceback" not in result.output


def test_a_stance_only_one_source_has_does_not_break_training(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    lines = corpus["labels"].read_text(encoding="utf-8").splitlines()
    # balancing only in t01: leave-one-source-out training without t01 never sees it
    keep = [ln for ln in lines if ",balancing," not in ln or ln.startswith("t01-")]
    corpus["labels"].write_text("\n".join(keep) + "\n", encoding="utf-8")
    result = run_train(corpus, tmp_path / "m")
    assert result.exit_code == 0, result.output
    per_source = json.loads((tmp_path / "m" / "metrics.json").read_text())["evaluation"]["stance"]["loso"]["per_group"]
    for s in per_source.values():
        for est in s["estimates"].values():
            assert sum(est["shares"].values()) == pytest.approx(1, abs=1e-5)  # shares rounded to 6 places


def test_out_naming_a_file_is_refused_before_training(trained, tmp_path):
    corpus, _ = trained
    f = tmp_path / "afile"
    f.write_text("x")
    result = run_train(corpus, f)
    assert result.exit_code == 2 and "is a file" in result.output


def _square(x):
    return x * x


def _exit_abruptly(_):
    import os

    os._exit(137)  # what the out-of-memory killer leaves behind


def _fail(_):
    raise ArithmeticError("task failed")


def test_worker_processes_return_results_in_task_order():
    assert pool.run_tasks([(_square, (i,)) for i in range(9)], 2) == [i * i for i in range(9)]


def test_a_worker_process_that_dies_is_an_error_not_a_hang():
    from stanceframe.errors import StanceframeError

    with pytest.raises(StanceframeError, match="worker process died"):
        pool.run_tasks([(_square, (1,)), (_exit_abruptly, (2,)), (_square, (3,)), (_square, (4,))], 2)


def test_a_failing_task_raises_its_own_error_in_the_parent():
    with pytest.raises(ArithmeticError, match="task failed"):
        pool.run_tasks([(_square, (1,)), (_fail, (2,)), (_square, (3,))], 2)


def test_written_corpus_adds_a_held_out_voice_view_and_the_comparison(tmp_path, monkeypatch):
    from fixture_corpus import WRITTEN, write_written

    seen = []
    real = M.search

    def spy(X, y, groups, target, memory=None, features=M.FEATURES):
        seen.append((features, set(groups)))
        return real(X, y, groups, target, memory, features)

    monkeypatch.setattr(M, "search", spy)
    corpus = write_corpus(tmp_path / "corpus")
    written = write_written(tmp_path / "written.csv")
    result = runner.invoke(train.app, ["--labels", str(corpus["labels"]), "--sources", str(corpus["sources"]),
                                       "--written", str(written), "--out", str(tmp_path / "m"), "--n-jobs", "1",
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    ev = metrics["evaluation"]["stance"]
    assert [f["held_out"] for f in ev["loso"]["folds"]] == sorted(ARTICLES)
    assert [f["held_out"] for f in ev["lovo"]["folds"]] == sorted(WRITTEN)
    # a seed fold trains on the other seeds and every voice; a voice fold on every seed and the other voices
    assert ev["loso"]["folds"][0]["n_train_groups"] == len(ARTICLES) - 1 + len(WRITTEN)
    assert ev["lovo"]["folds"][0]["n_train_groups"] == len(ARTICLES) + len(WRITTEN) - 1
    assert ev["loso"]["model"]["per_class"]["none"]["support"] == sum(
        s == "none" for items in ARTICLES.values() for s, _, _ in items)
    # the seeds-only comparison never trains on a voice; words-only never builds concept tokens
    seeds_only = [g for f, g in seen if f == M.FEATURES and not g & set(WRITTEN)]
    assert seeds_only and all(g <= set(ARTICLES) for g in seeds_only)
    assert any(f == "words" for f, _ in seen)
    assert set(metrics["comparison"]) == {f"{M.FEATURES}, seeds + written", f"{M.FEATURES}, seeds only",
                                          "words, seeds + written", "majority baseline"}
    card = (tmp_path / "m" / "MODEL_CARD.md").read_text()
    assert "leave-one-voice-out" in card and "Side by side" in card


@pytest.mark.parametrize("keep, message", [
    (lambda ln: ",pro_ukraine," in ln or ln.startswith("sentence_id"), "stance: training needs at least two classes"),
    (lambda ln: ln.startswith(("sentence_id", "t01-", "t02-")), "at least three sources or voices"),
    (lambda ln: ln.startswith(("sentence_id", "t02", "t03")) or (ln.startswith("t01") and ",political," in ln),
     None),
])
def test_untrainable_labels_are_one_line_exit_2_in_check_and_train(tmp_path, keep, message):
    corpus = write_corpus(tmp_path / "corpus")
    lines = corpus["labels"].read_text(encoding="utf-8").splitlines()
    corpus["labels"].write_text("\n".join(filter(keep, lines)) + "\n", encoding="utf-8")
    args = ["--labels", str(corpus["labels"]), "--sources", str(corpus["sources"]), "--no-written"]
    check = runner.invoke(train.app, [*args, "--check"])
    trained = runner.invoke(train.app, [*args, "--out", str(tmp_path / "m"), "--quiet", "--no-compare",
                                        "--n-jobs", "1"])
    if message is None:  # still trainable: every fold keeps two classes
        assert check.exit_code == 0 and trained.exit_code == 0, trained.output
        return
    for r in (check, trained):
        assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
        assert len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "m").exists()


def test_the_counting_method_is_chosen_inside_the_training_data_under_shifted_mixtures():
    from stanceframe.quantify import QUANTIFIERS

    texts = [t for items in ARTICLES.values() for _, _, t in items]
    groups = np.array([sid for sid, items in ARTICLES.items() for _ in items], dtype=object)
    stances = np.array([s for items in ARTICLES.values() for s, _, _ in items], dtype=object)
    X = np.array(texts, dtype=object)
    gs = M.search(X, stances, groups, "stance")
    q = M.fit_quantifier(gs, X, stances, groups)
    assert set(q.inner_lean_error) == set(QUANTIFIERS)
    assert all(0 <= e <= 2 for e in q.inner_lean_error.values()) and q.method in QUANTIFIERS
    # under shifted mixtures, counting that does not correct for shift (pcc pulls every estimate
    # toward the training prior) cannot be the best of the five on these clean fixture outlets
    assert q.inner_lean_error["pcc"] > min(q.inner_lean_error.values())
    # the mixtures resample a group to other class shares: their true leans spread over [-1, 1]
    W, truth = M._mixtures(np.array([0, 0, 1, 1, 2, 3, 3, 3]), 4, np.random.default_rng(0))
    assert np.allclose(W.sum(1), 1) and np.allclose(truth.sum(1), 1)
    assert truth[:, 2].std() > 0.1


class _Boom:
    """A pickle that runs code when loaded: it would create the file named in its argument."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_explain_never_unpickles_even_a_pickle_whose_hash_the_manifest_vouches_for(trained, tmp_path):
    import hashlib
    import pickle

    _, base = trained
    copy = tmp_path / "m"
    shutil.copytree(base / "model1", copy)
    ran = tmp_path / "the pickle ran"
    payload = pickle.dumps(_Boom(str(ran)))
    (copy / "model.joblib").write_bytes(payload)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["model.joblib"] = hashlib.sha256(payload).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    result = runner.invoke(predict.app, ["explain", "Baku sent aid to Ukraine.", "--model", str(copy), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert not ran.exists()
    stance, _, _ = artifact.load(base / "model1").pipelines()  # the real pipelines, for the figures only
    got = json.loads(result.stdout)["stance"]
    want = dict(zip(stance.classes_, stance.predict_proba(["Baku sent aid to Ukraine."])[0]))
    assert got["probabilities"] == pytest.approx({k: round(float(v), 4) for k, v in want.items()}, abs=1e-4)


def test_a_model_trained_with_other_feature_code_is_refused(trained, tmp_path):
    _, base = trained
    copy = tmp_path / "m"
    shutil.copytree(base / "model1", copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["features_fingerprint"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(artifact.ModelError, match="features fingerprint differs"):
        artifact.load(copy)


@pytest.mark.filterwarnings("ignore:A single label was found")  # the subset's gold is one class
def test_a_labels_file_that_shares_sentences_with_the_training_labels_is_caught(trained, tmp_path):
    """An edited copy or a subset of the training labels has another sha256; its sentences are still seen."""
    from stanceframe.heldout import seen_in_training, trained_on

    corpus, base = trained
    model = artifact.load(base / "model1")
    with open(corpus["labels"], newline="", encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    subset = tmp_path / "subset.csv"
    subset.write_text("text,stance\n" + "".join(f'"{t.upper()}  ",none\n' for t in texts[:3]), encoding="utf-8")
    assert not trained_on(model, subset)  # the file check alone lets it through
    assert seen_in_training(model, [t.upper() + "  " for t in texts[:3]]) == 3
    assert seen_in_training(model, ["A sentence written for this test and never trained on."]) == 0
    result = runner.invoke(predict.app, ["test", str(subset), "--model", str(base / "model1")])
    assert result.exit_code == 0 and "trained on 3 of the 3 sentences" in result.output
