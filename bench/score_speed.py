"""`predict.py score` end to end beside a plain TF-IDF + LR, fastText and the composed floor, paired.

    python bench/score_speed.py [--sentences 200000] [--runs 3]

The corpus: JSON Lines articles (15 sentences in three paragraphs, 50 outlets) whose sentences are
all distinct (the share is printed, counted on the sentences `score` wrote): each is the start of
one training sentence joined to the end of another, kept only if the splitter sees one sentence.
Every row below runs as its own process on that same file, `--runs` times in turn (round robin, so
the rows share the machine's load alike); the figures are medians, per CPU-second (steadier on a
shared machine) and per wall-second:

- score --jobs 1 / --jobs 2: `predict.py score CORPUS --format jsonl --output FILE`, start-up,
  reading, segmenting, stance + frame, uncertainty flags and writing included;
- plain TF-IDF + LR: sklearn TfidfVectorizer(ngram_range=(1, 2)) and LogisticRegression for both
  targets, fitted here on the training sentences; the process reads the JSONL, splits with the
  same splitter, predicts both targets in chunks and writes one JSON row per sentence (json.dumps),
  in one process (the layout of --jobs 1); its import and model load are not counted;
- fastText (both targets, supervised, word bigrams, fitted here): the same reading, splitting and
  writing around its predictions; "not installed" without `pip install stanceframe[bench]`;
- composed floor: the stages timed one by one in one process and added up: read (json.loads),
  split (the same splitter), a hashing matmul (sklearn HashingVectorizer(ngram_range=(1, 2)),
  times a dense weight matrix for 4 + 15 classes), write (json.dumps per row).

Targets (issue 13): score --jobs 1 >= 0.8x the composed floor and >= 1.0x the plain TF-IDF + LR
per CPU-second; --jobs 2 >= 1.7x --jobs 1 in wall time on an idle 2-core machine (load printed).
"""

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root))

from stanceframe.segment import split_sentences  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--sentences", type=int, default=200_000)
ap.add_argument("--runs", type=int, default=3)
args = ap.parse_args()


def training():
    rows = []
    for name in ("sentences.csv", "written.csv"):
        with open(root / "labels" / name, encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def write_corpus(path: Path, n: int, texts: list[str]) -> None:
    words = [t.split() for t in texts if len(t.split()) >= 6]
    rng, seen, out = random.Random(0), set(), []
    while len(out) < n:
        a, b = rng.choice(words), rng.choice(words)
        s = " ".join(a[:rng.randint(3, len(a) - 2)] + b[rng.randint(2, len(b) - 2):])
        s = s[0].upper() + s[1:] + ("" if s[-1] in ".!?" else ".")
        if s not in seen and split_sentences(s) == [(0, len(s))]:
            seen.add(s)
            out.append(s)
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(0, n, 15):
            part = out[k:k + 15]
            text = "\n\n".join(" ".join(part[p:p + 5]) for p in range(0, len(part), 5))
            fh.write(json.dumps({"id": f"d{k // 15}", "source": f"outlet{k // 15 % 50}", "text": text}) + "\n")


# The processes of the rows that are not the CLI: argv[1] names the row, the rest its files.
WORKER = r'''
import json, pickle, sys, time
sys.path.insert(0, sys.argv[2])
from stanceframe.segment import sentence_spans
row, corpus, out = sys.argv[1], sys.argv[3], sys.argv[4]
STANCES = ["pro_ukraine", "russia_accommodating", "balancing", "none"]

def sentences(docs):
    for d in docs:
        text = d["text"]
        for i, (s, e, _) in enumerate(sentence_spans(text, False)[0]):
            yield d["id"], i, text[s:e]

def write(fh, ids, idx, texts, ps, pf, frames):
    for j, t in enumerate(texts):
        p = ps[j]
        fh.write(json.dumps({"doc_id": ids[j], "index": idx[j], "text": t, "stance": STANCES[int(p.argmax())],
                             **{f"p_{s}": round(float(v), 4) for s, v in zip(STANCES, p)},
                             "frame": frames[j], "p_frame": round(float(pf[j]), 4)}, ensure_ascii=False) + "\n")

def chunks(docs, size=5000):
    buf = []
    for item in sentences(docs):
        buf.append(item)
        if len(buf) == size:
            yield list(zip(*buf))
            buf = []
    if buf:
        yield list(zip(*buf))

if row == "floor":
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer
    hv = HashingVectorizer(ngram_range=(1, 2), n_features=2 ** 18, alternate_sign=False)
    W = np.random.default_rng(0).normal(size=(2 ** 18, 19))
    t = {}
    a = time.process_time(); docs = [json.loads(line) for line in open(corpus, encoding="utf-8")]
    t["read"] = time.process_time() - a
    a = time.process_time(); sents = list(sentences(docs)); t["split"] = time.process_time() - a
    texts = [s for _, _, s in sents]
    a = time.process_time()
    P = np.concatenate([hv.transform(texts[i:i + 5000]) @ W for i in range(0, len(texts), 5000)])
    t["hash"] = time.process_time() - a
    a = time.process_time()
    with open(out, "w", encoding="utf-8") as fh:
        for (d, i, s), p in zip(sents, P):
            fh.write(json.dumps({"doc_id": d, "index": i, "text": s, **{f"p{k}": round(float(v), 4)
                                 for k, v in enumerate(p[:5])}}, ensure_ascii=False) + "\n")
    t["write"] = time.process_time() - a
    print(json.dumps({"n": len(texts), **t}))
    sys.exit()
import numpy as np
if row == "bare":
    import joblib
    stance, frame = joblib.load(sys.argv[5])  # fitted by the bench itself, in this run
    predict = lambda texts: (stance.predict_proba(texts), frame.predict_proba(texts))
    s_cls, f_cls = list(stance.classes_), list(frame.classes_)
else:
    import fasttext
    stance, frame = fasttext.load_model(sys.argv[5]), fasttext.load_model(sys.argv[6])
    s_cls, f_cls = [l[9:] for l in stance.get_labels()], [l[9:] for l in frame.get_labels()]
    def probs(model, classes, texts):
        out = np.zeros((len(texts), len(classes)))
        labels, ps = model.f.multilinePredict(list(texts), -1, 0.0, "strict")
        index = {c: i for i, c in enumerate(classes)}
        for r, (ls, pr) in enumerate(zip(labels, ps)):
            for l, p in zip(ls, pr):
                out[r, index[l[9:]]] = p
        return out
    predict = lambda texts: (probs(stance, s_cls, texts), probs(frame, f_cls, texts))
order = [s_cls.index(s) for s in STANCES]
start = time.process_time(), time.perf_counter()
n = 0
with open(out, "w", encoding="utf-8") as fh:
    docs = (json.loads(line) for line in open(corpus, encoding="utf-8"))
    for ids, idx, texts in chunks(docs):
        ps, pfs = predict(list(texts))
        top = pfs.argmax(1)
        write(fh, ids, idx, texts, ps[:, order], pfs[np.arange(len(texts)), top], [f_cls[k] for k in top])
        n += len(texts)
print(json.dumps({"n": n, "cpu": time.process_time() - start[0], "wall": time.perf_counter() - start[1]}))
'''


def run(cmd) -> tuple[float, float, str]:
    """(wall s, CPU s of the process and its children, standard output) of one run."""
    before, t = os.times(), time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall, after = time.perf_counter() - t, os.times()
    return wall, after.children_user + after.children_system - before.children_user - before.children_system, out


def fit(tmp: Path, rows) -> dict:
    """The outside references, fitted on the training sentences: {row: extra argv}."""
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = [r["text"] for r in rows]
    pipes = [make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=2000)).fit(
        [t for t, r in zip(texts, rows) if r[target]], [r[target] for r in rows if r[target]])
        for target in ("stance", "frame")]
    joblib.dump(pipes, tmp / "bare.joblib")
    refs = {"bare": [str(tmp / "bare.joblib")]}
    try:
        import fasttext
    except ImportError:
        return refs
    paths = []
    for target in ("stance", "frame"):
        data = tmp / f"{target}.txt"
        data.write_text("".join(f"__label__{r[target]} {' '.join(r['text'].split())}\n" for r in rows if r[target]),
                        encoding="utf-8")
        model = fasttext.train_supervised(input=str(data), wordNgrams=2, epoch=25, verbose=0)
        model.save_model(str(tmp / f"{target}.bin"))
        paths.append(str(tmp / f"{target}.bin"))
    refs["fasttext"] = paths
    return refs


rows = training()
load_before = os.getloadavg()
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    corpus, out = tmp / "corpus.jsonl", tmp / "out.jsonl"
    write_corpus(corpus, args.sentences, [r["text"] for r in rows])
    refs = fit(tmp, rows)
    worker = tmp / "worker.py"
    worker.write_text(WORKER, encoding="utf-8")
    cli = [sys.executable, str(root / "predict.py"), "score", str(corpus), "--format", "jsonl", "--output", str(out)]
    commands = {"score --jobs 1": cli + ["--jobs", "1"], "score --jobs 2": cli + ["--jobs", "2"]}
    for name, extra in refs.items():
        commands[name] = [sys.executable, str(worker), name, str(root), str(corpus), str(tmp / f"{name}.out"), *extra]
    commands["floor"] = [sys.executable, str(worker), "floor", str(root), str(corpus), str(tmp / "floor.out")]
    times: dict[str, list] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            wall, cpu, stdout = run(cmd)
            if name in ("bare", "fasttext"):  # their own count, after imports and model load
                got = json.loads(stdout)
                wall, cpu = got["wall"], got["cpu"]
            elif name == "floor":
                got = json.loads(stdout)
                wall = cpu = sum(v for k, v in got.items() if k != "n")
                stages = {k: v for k, v in got.items() if k != "n"}
            times[name].append((wall, cpu))
    texts = [json.loads(line)["text"] for line in open(out, encoding="utf-8")]
n = len(texts)
load_after = os.getloadavg()
med = {name: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for name, v in times.items()}
print(f"{n:,} sentences in {-(-args.sentences // 15):,} articles; distinct: {len(set(texts)) / n:.2%} "
      f"(of the sentences score wrote); {os.cpu_count()} cores; load {load_before[0]:.2f} before, "
      f"{load_after[0]:.2f} after (1-min average); medians of {args.runs} runs, round robin")
print(f"{'row':26s} {'sent/CPU-s':>11s} {'sent/wall-s':>12s}   what it includes")
notes = {"score --jobs 1": "start-up, read, split, stance + frame, flags, write; one process",
         "score --jobs 2": "the same with two scoring workers (the main process reads and writes)",
         "bare": "plain TfidfVectorizer(1,2) + LR, both targets; read, split, write; one process; "
                 "import and load not counted",
         "fasttext": "fastText, both targets; read, split, write; one process; import and load not counted",
         "floor": "composed: " + ", ".join(f"{k} {n / v:,.0f}/s" for k, v in stages.items())}
for name, (wall, cpu) in med.items():
    print(f"{name:26s} {n / cpu:11,.0f} {n / wall:12,.0f}   {notes[name]}")
if "fasttext" not in med:
    print(f"{'fasttext':26s} {'not installed':>11s}   (pip install stanceframe[bench])")
j1, j2 = med["score --jobs 1"], med["score --jobs 2"]
print(f"score --jobs 1 per CPU-second: {med['floor'][1] / j1[1]:.2f}x the composed floor (target >= 0.8), "
      f"{med['bare'][1] / j1[1]:.2f}x the plain TF-IDF + LR (target >= 1.0)"
      + (f", {med['fasttext'][1] / j1[1]:.2f}x fastText" if "fasttext" in med else ""))
print(f"--jobs 2 vs --jobs 1, wall: {j1[0] / j2[0]:.2f}x (target >= 1.7 on an idle 2-core machine; "
      f"load {load_before[0]:.2f}); CPU: {j2[1] / j1[1]:.2f}x as much")
