"""Replay issue 12's list of abuses against the CLIs and print held/broken per case.

    python bench/abuse.py            # every case, each in a temp dir, through subprocess calls

Each case runs predict.py or train.py as a user would and checks the promise: bad input gets one
line and exit 2, failures one line and exit 1, never a traceback, never lost data, atomic outputs.
Every call has a timeout, so the whole run stops by itself (a few minutes here, 244 s on a loaded machine, most of it
case 19's 52 MB document). Nothing outside the temp dirs is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ART = ("The café owners in Baku said the Ukrainian delegation was welcome this week. "
       "Officials from Moscow described the visit as routine and praised the café.\n")
ART2 = ("Moscow, for its part, calls Baku a strategic partner on the Caspian. "
        "Trade across the Russian border kept growing through the year.\n")


def run(args, cwd, stdin=None, stdout=subprocess.PIPE, timeout=60, env=None):
    return subprocess.run(args, cwd=cwd, input=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout,
                          env={**os.environ, **(env or {})})


def predict(cwd, *args, **kw):
    return run([PY, str(ROOT / "predict.py"), *map(str, args)], cwd, **kw)


def train(cwd, *args, **kw):
    return run([PY, str(ROOT / "train.py"), *map(str, args)], cwd, **kw)


def clean(r, code) -> bool:
    """Exit `code`, no traceback, and every error on one line."""
    err = r.stderr.decode(errors="replace")
    return r.returncode == code and "Traceback" not in err


class _Boom:
    """A pickle that runs code when loaded: it creates the file named in its argument."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def case1(d):
    import pickle

    m = d / "m"
    shutil.copytree(ROOT / "model", m)
    ran = d / "the pickle ran"
    payload = pickle.dumps(_Boom(str(ran)))
    (m / "model.joblib").write_bytes(payload)
    man = json.loads((m / "manifest.json").read_text())
    man["files"]["model.joblib"] = hashlib.sha256(payload).hexdigest()  # the unsigned manifest vouches for it
    (m / "manifest.json").write_text(json.dumps(man))
    r1 = predict(d, "explain", "Baku sent aid to Ukraine.", "--model", m, "-f", "json")
    r2 = predict(d, "score", "-", "--model", m, "-f", "jsonl", stdin=ART.encode())
    return clean(r1, 0) and clean(r2, 0) and not ran.exists()


def case2(d):
    c = d / "c.jsonl"
    c.write_text(json.dumps({"id": "a", "text": ART}) + "\n")
    before = c.read_bytes()
    return clean(predict(d, "score", c, "--output", c), 2) and c.read_bytes() == before


def case3(d):
    link = d / "null"
    link.symlink_to("/dev/null")
    (d / "a.txt").write_text(ART)
    r = predict(d, "score", "a.txt", "--format", "jsonl", "--output", link)
    return clean(r, 0) and link.is_symlink() and Path("/dev/null").is_char_device()


def case4(d):
    out = d / "m"
    shutil.copytree(ROOT / "model", out)
    import fcntl

    with open(d / ".m.lock", "w") as held:  # another training holds the folder
        fcntl.flock(held, fcntl.LOCK_EX)
        second = train(ROOT, "--out", out, "--quiet", timeout=60)
    os.rename(out, d / "m.old-x")  # what a kill between the two renames leaves: the old model aside
    back = predict(d, "score", "-", "--model", out, "--format", "jsonl", stdin=ART.encode())
    return clean(second, 1) and b"another training" in second.stderr and clean(back, 0) and out.is_dir()


def case5(d):
    (d / "a.txt").write_bytes(ART.encode().replace(b"in Baku", b"in \xffBaku"))
    r = predict(d, "score", "a.txt", "--format", "jsonl")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    return clean(r, 0) and len(rows) == 2 and all("café" in x["text"] for x in rows) and b"1 byte(s)" in r.stderr


def case6(d):
    c = d / "c.jsonl"
    c.write_text("".join(json.dumps({"id": "same", "source": "o", "text": t}) + "\n" for t in (ART, ART2)))
    r = predict(d, "sources", c, "--format", "json", "--n-boot", "20")
    return clean(r, 0) and json.loads(r.stdout)[0]["n_articles"] == 2 and b"also the id of" in r.stderr


def case7(d):
    c = d / "c.jsonl"
    c.write_text(json.dumps({"id": "[/]", "source": "[/bold]O",
                             "text": "Officials in Baku [sic] said [/bold] aid to Ukraine [/] goes on.\n"}) + "\n")
    r1, r2 = predict(d, "score", c), predict(d, "sources", c, "--n-boot", "20")
    return clean(r1, 0) and clean(r2, 0) and b"[sic]" in r1.stdout and b"[/bold]O" in r2.stdout


def case8(d):
    (d / "a.txt").write_text("Officials in Baku \x1b[2Jsaid the aid to Ukraine would continue this year.\n")
    r = predict(d, "score", "a.txt")
    return clean(r, 0) and b"\x1b" not in r.stdout


def case9(d):
    (d / "in").mkdir()
    (d / "in" / "a.txt").write_text(ART)
    os.mkfifo(d / "in" / "b.txt")
    try:
        r = predict(d, "score", "in", "--format", "jsonl", timeout=30)
    except subprocess.TimeoutExpired:
        return False
    with open("/dev/zero", "rb") as zero:
        z = subprocess.run([PY, str(ROOT / "predict.py"), "score", "-"], cwd=d, stdin=zero,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    return clean(r, 0) and b"not a regular file" in r.stderr and clean(z, 2)


def case10(d):
    (d / "a.txt").write_text(ART)
    with open("/dev/full", "w") as full:
        r = predict(d, "score", "a.txt", "--format", "jsonl", stdout=full)
    (d / "afile").write_text("x")
    t0 = time.monotonic()
    t = train(ROOT, "--out", d / "afile" / "m", "--quiet")
    return clean(r, 1) and len(r.stderr.splitlines()) == 1 and clean(t, 1) and time.monotonic() - t0 < 10


def case11(d):
    sys.path.insert(0, str(ROOT / "tests"))
    from fixture_corpus import write_corpus

    corpus = write_corpus(d / "corpus")
    lines = corpus["labels"].read_text().splitlines()
    ok = True
    for keep, message in ((lambda ln: ",pro_ukraine," in ln, b"at least two classes"),  # one stance class
                          (lambda ln: ",political," in ln, b"at least two classes"),  # one frame class
                          (lambda ln: ln.startswith("t01-"), b"at least three sources")):  # a handful of rows
        corpus["labels"].write_text("\n".join([lines[0], *filter(keep, lines[1:])]) + "\n")
        args = ("--labels", corpus["labels"], "--sources", corpus["sources"], "--no-written")
        for r in (train(d, *args, "--check"), train(d, *args, "--out", d / "m", "--quiet", "--n-jobs", "1")):
            ok &= clean(r, 2) and len(r.stderr.splitlines()) == 1 and message in r.stderr
    return ok and not (d / "m").exists()


def case12(d):
    code = ("from stanceframe import scoring; import time; ex = scoring._start_pool(None, 2); "
            "[ex.submit(time.sleep, 60) for _ in range(2)]; time.sleep(60)")
    p = subprocess.Popen([PY, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    kids: list[int] = []
    try:
        for _ in range(300):
            kids = [int(x) for x in open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()]
            if len(kids) == 2:
                break
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        time.sleep(1)
        alive = [k for k in kids if _alive(k)]
        return bool(kids) and not alive
    finally:
        for k in kids:
            if _alive(k):
                os.kill(k, signal.SIGKILL)


def _alive(pid):
    try:
        return "\nState:\tZ" not in open(f"/proc/{pid}/status").read()
    except FileNotFoundError:
        return False


def case13(d):
    (d / "a.txt").write_text(ART)
    # 100000 would fork without bound on a branch without the cap: ask for 64, still more than the cores
    r = predict(d, "score", "a.txt", "--format", "jsonl", "--jobs", "64", timeout=60)
    return clean(r, 0) and b"core(s) here" in r.stderr


def case14(d):
    m = d / "m"
    shutil.copytree(ROOT / "model", m)
    spec = json.loads((m / "scoring.json").read_text())
    c = spec["linear"]["classifiers"]["stance"]
    c["coef"] = [row[:-5] for row in c["coef"]]
    data = json.dumps(spec).encode()
    (m / "scoring.json").write_bytes(data)
    man = json.loads((m / "manifest.json").read_text())
    man["files"]["scoring.json"] = hashlib.sha256(data).hexdigest()
    (m / "manifest.json").write_text(json.dumps(man))
    r = predict(d, "score", "-", "--model", m, stdin=ART.encode())
    return clean(r, 1) and b"cannot be read" in r.stderr


def case15(d):
    r = predict(d, "explain", "-", stdin=b"Baku did not join the sanctions \xff against Russia.",
                env={"PYTHONIOENCODING": "utf-8:strict"})
    return clean(r, 0)


def case16(d):
    sys.path.insert(0, str(ROOT / "tests"))
    from fixture_corpus import write_corpus

    corpus = write_corpus(d / "corpus")
    lines = corpus["labels"].read_text().splitlines()
    import csv
    import io

    row = next(csv.reader([lines[1]]))
    (page,) = [p for p in (d / "corpus").rglob("*.txt") if row[1] in p.name]
    n = len(page.read_text())
    row[2], row[3] = str(int(row[2]) - n), str(int(row[3]) - n)
    buf = io.StringIO()
    csv.writer(buf).writerow(row)
    lines[1] = buf.getvalue().strip()
    corpus["labels"].write_text("\n".join(lines) + "\n")
    r = train(d, "--labels", corpus["labels"], "--sources", corpus["sources"], "--check")
    return clean(r, 2) and b"0 <= start <= end" in r.stderr


def case17(d):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = d / "c.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [ART]}), p, compression="none")
    b = bytearray(p.read_bytes())
    b[4:20] = bytes(x ^ 0xFF for x in b[4:20])
    p.write_bytes(bytes(b))
    r = predict(d, "score", p, "--format", "jsonl")
    return clean(r, 2) and len(r.stderr.splitlines()) == 2


def case18(d):
    c = d / "c.jsonl"
    c.write_text(json.dumps({"id": "=HYPERLINK(\"x\")", "source": "@SUM(A1)", "text": ART}) + "\n")
    r = predict(d, "score", c, "--format", "csv")
    return clean(r, 0) and b"'=HYPERLINK" in r.stdout and b"'@SUM(A1)" in r.stdout


def case19(d):
    """The README's figure for a 52 MB one-line document against a measurement."""
    s = ("Azerbaijan has kept buying grain from Russia while its diplomats speak warmly of Ukraine. "
         "President Aliyev said in Baku that the sovereignty of Ukraine must be respected number %d. ")
    with open(d / "big.txt", "w") as fh:
        n = i = 0
        while n < 52_000_000:
            t = s % i
            fh.write(t)
            n += len(t)
            i += 1
    t0 = time.monotonic()
    r = predict(d, "score", "big.txt", "--format", "jsonl", "--output", "out.jsonl", timeout=180)
    secs = time.monotonic() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"([\d.]+) GB peak memory", readme)
    said = f"{found.group(1)} GB" if found else "?"
    ok = clean(r, 0) and found is not None and abs(peak_gb - float(found.group(1))) < 0.35
    return ok, f"measured {secs:.0f} s, {peak_gb:.2f} GB peak; README says {said}"


def case20(d):
    """Parquet against JSON Lines, 100k sentences in one row group, --jobs 2 (bench/parquet_memory.py
    has the full table): the process tree's peak RSS was 1.71x JSONL's before the fix, 1.23x after."""
    sys.path.insert(0, str(ROOT / "bench"))
    import parquet_memory as pm

    subprocess.run([PY, str(ROOT / "bench" / "parquet_memory.py"), "--write", str(d), "100000"], check=True)
    peak_j, tree_j, _ = pm.measure(d / "c100000.jsonl", 2, d / "out.jsonl")
    peak_p, tree_p, _ = pm.measure(d / "c100000.parquet", 2, d / "out.jsonl")
    note = f"tree peak {tree_p:.0f} MB vs JSONL {tree_j:.0f} MB ({tree_p / tree_j:.2f}x); largest process " \
           f"{peak_p:.0f} vs {peak_j:.0f} MB"
    return tree_p / tree_j < 1.45, note


def main() -> int:
    held = 0
    started = time.monotonic()
    for n in range(1, 21):
        case = globals()[f"case{n}"]
        with tempfile.TemporaryDirectory(prefix=f"abuse{n}-") as tmp:
            try:
                got = case(Path(tmp))
            except subprocess.TimeoutExpired:
                got = (False, "timed out")
            except Exception as exc:  # noqa: BLE001 - a broken case is reported, the rest still run
                got = (False, f"{type(exc).__name__}: {exc}")
        ok, note = got if isinstance(got, tuple) else (got, "")
        if isinstance(ok, str):
            print(f"{n:2d}  -       {ok}")
            continue
        held += bool(ok)
        print(f"{n:2d}  {'held  ' if ok else 'BROKEN'}  {note}".rstrip(), flush=True)
    print(f"{held} held in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
