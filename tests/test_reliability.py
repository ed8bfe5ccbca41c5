"""Issue 12, the reliability list: each numbered case the tool once broke, kept as a regression test.

Bad input gets one line and exit 2, failures one line and exit 1, never a traceback, never lost
data, outputs written atomically. Fixture texts are short and written for these tests.
"""

from __future__ import annotations

import json
import sys
import os
import stat
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

import predict

runner = CliRunner()

ARTICLE = (
    "Azerbaijan has kept buying grain from Russia while its diplomats speak warmly of Ukraine. "
    "President Aliyev said in Baku that the sovereignty of Ukraine must be respected.\n"
)


def invoke(*args, input=None, env=None, app=None):
    """Run predict.py (or `app`) with `args`; fail on any uncaught exception or traceback text."""
    result = runner.invoke(app or predict.app, [str(a) for a in args], input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("uncaught exception (a traceback for the user):\n"
                    + "".join(traceback.format_exception(*result.exc_info)))
    assert "Traceback" not in result.output
    return result


def errors(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]


# --- 2. --output naming an input ------------------------------------------------------------------


def test_2_output_naming_an_input_corpus_is_refused(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    before = corpus.read_bytes()
    result = invoke("score", corpus, "--output", corpus)
    assert result.exit_code == 2
    assert corpus.read_bytes() == before
    (line,) = errors(result)
    assert str(corpus) in line and "one of the inputs" in line


def test_2_output_inside_an_input_folder_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    art = tmp_path / "in" / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    result = invoke("score", tmp_path / "in", "--format", "jsonl", "--output", art)
    assert result.exit_code == 2 and art.read_text(encoding="utf-8") == ARTICLE
    assert "inside the input folder" in result.stderr


# --- 3. --output naming a device node ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "table"])
def test_3_output_linked_to_a_device_is_written_in_place_not_renamed_over(tmp_path, fmt):
    art = tmp_path / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    link = tmp_path / "null"
    link.symlink_to("/dev/null")  # a rename over the link would replace it with a regular file
    result = invoke("score", art, "--format", fmt, "--output", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_3_output_to_a_fifo_stays_a_fifo(tmp_path):
    import threading

    art = tmp_path / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    result = invoke("score", art, "--format", "jsonl", "--output", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert len(got[0].splitlines()) == 2


# --- 4. the model folder is swapped in whole, and locked ----------------------------------------------

MODEL = Path(__file__).resolve().parent.parent / "model"


def _fake_model(folder: Path, tag: str) -> None:
    """A complete model folder (the shipped files) with `tag` in its card, to tell old from new."""
    import shutil

    shutil.copytree(MODEL, folder)
    (folder / "MODEL_CARD.md").write_text(tag, encoding="utf-8")


def test_4_an_error_while_writing_the_new_model_leaves_the_old_one_whole(tmp_path):
    import shutil

    from stanceframe import artifact

    out = tmp_path / "m"
    _fake_model(out, "old")
    (out / "my-notes.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with artifact.replacing(out) as new:
            shutil.copy2(MODEL / "model.joblib", new / "model.joblib")
            raise RuntimeError("killed half way")
    assert (out / "MODEL_CARD.md").read_text() == "old" and artifact.load(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    with artifact.replacing(out) as new:
        for f in MODEL.iterdir():
            shutil.copy2(f, new / f.name)
        (new / "MODEL_CARD.md").write_text("new", encoding="utf-8")
    assert (out / "MODEL_CARD.md").read_text() == "new" and artifact.load(out)
    assert (out / "my-notes.txt").read_text() == "kept"  # a file of the user's is carried over
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_4_killed_between_the_two_renames_the_old_model_is_put_back_on_load(tmp_path):
    from stanceframe import artifact

    _fake_model(tmp_path / "m.old-x1y2", "old")  # what a kill after `rename(out, old)` leaves
    _fake_model(tmp_path / "m.tmp-a1b2", "new")
    model = artifact.load(tmp_path / "m")
    assert (tmp_path / "m" / "MODEL_CARD.md").read_text() == "old"
    assert any("interrupted" in w and "put back" in w for w in model.warnings)


def test_4_a_second_training_on_one_out_gets_one_line_and_exit_1(tmp_path):
    import fcntl

    import train

    out = tmp_path / "m"
    with open(tmp_path / ".m.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = invoke("--out", out, "--quiet", app=train.app)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "another training" in line and str(out) in line


@pytest.mark.parametrize("swapped", [False, True])
def test_4_the_interrupt_message_says_which_model_is_in_out(tmp_path, monkeypatch, swapped):
    import train
    from stanceframe import training

    out = tmp_path / "m"
    _fake_model(out, "old")

    def interrupted(labels, sources, out, **kw):
        if swapped:
            (out / "manifest.json").unlink()
            (out / "manifest.json").write_bytes((MODEL / "manifest.json").read_bytes())
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train", interrupted)
    result = invoke("--out", out, "--quiet", app=train.app)
    assert result.exit_code == 130
    assert ("new model was written" in result.stderr) == swapped
    assert ("nothing was written over the old model" in result.stderr) == (not swapped)


# --- 5. a stray byte in a UTF-8 file ------------------------------------------------------------------


def test_5_a_stray_byte_in_a_utf8_file_is_replaced_and_counted_not_read_as_mac_iceland(tmp_path):
    text = ("The café owners in Baku said the Ukrainian delegation was welcome. "
            "Officials from Moscow described the visit as routine and praised the café.\n")
    art = tmp_path / "a.txt"
    art.write_bytes(text.encode("utf-8").replace(b"in Baku", b"in \xffBaku"))
    result = invoke("score", art, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(ln) for ln in result.stdout.splitlines()]
    assert len(rows) == 2 and all("café" in r["text"] for r in rows)
    assert "1 byte(s) that are not valid UTF-8 were replaced" in result.stderr
    assert "mac" not in result.stderr


def test_5_a_cp1252_file_is_still_read_as_cp1252(tmp_path):
    from stanceframe.readers import iter_documents

    art = tmp_path / "a.txt"
    art.write_bytes("Le café de Bakou était plein. Les officiels étaient là.\n".encode("cp1252"))
    (doc,) = iter_documents([str(art)])
    assert doc.encoding == "cp1252" and "café" in doc.text and getattr(doc, "replaced", 0) == 0


# --- 6. duplicate document ids in a corpus ------------------------------------------------------------

ARTICLE_2 = ("Moscow, for its part, calls Baku a strategic partner on the Caspian. "
             "Trade across the Russian border kept growing through the year.\n")


def _dup_corpus(tmp_path) -> Path:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": "same", "source": "outlet", "text": t}) + "\n"
                              for t in (ARTICLE, ARTICLE_2)), encoding="utf-8")
    return corpus


def test_6_duplicate_ids_are_reported_and_kept_apart(tmp_path):
    corpus = _dup_corpus(tmp_path)
    result = invoke("sources", corpus, "--format", "json", "--n-boot", "20")
    assert result.exit_code == 0, result.output
    assert f"{corpus}:2: id 'same' is also the id of {corpus}:1" in result.stderr
    (row,) = json.loads(result.stdout)
    assert row["n_articles"] == 2


def test_6_duplicate_ids_can_be_refused(tmp_path):
    corpus = _dup_corpus(tmp_path)
    result = invoke("sources", corpus, "--duplicate-ids", "refuse", "--n-boot", "20")
    assert result.exit_code == 2
    (line,) = errors(result)
    assert f"{corpus}:2" in line and "'same'" in line


# --- 7. rich markup in data ---------------------------------------------------------------------------

MARKUP = ("Officials in Baku [sic] said [/bold] the aid to Ukraine [/] would continue [citation needed]. "
          "The [link=foo]ministry[/link] welcomed trade with Russia :smile: this year.\n")


def test_7_markup_in_text_and_names_is_shown_as_it_is_in_tables(tmp_path):
    art = tmp_path / "x[" / "]a.txt"  # a path holding "[/]"
    art.parent.mkdir()
    art.write_text(MARKUP, encoding="utf-8")
    result = invoke("score", art)
    assert result.exit_code == 0, result.output
    flat = "".join(result.stdout.replace("│", " ").split())  # rows wrap: join the lines
    for piece in ("[sic]", "[/bold]", "[/]", "[citationneeded]", "[link=foo]ministry[/link]",
                  ":smile:", "x[/]a.txt"):
        assert piece in flat
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "[/]", "source": "[/bold]Outlet[/]", "text": MARKUP}) + "\n", encoding="utf-8")
    result = invoke("sources", corpus, "--n-boot", "20")
    assert result.exit_code == 0, result.output
    assert "[/bold]Outlet[/]" in result.stdout


# --- 8. terminal escape sequences in data --------------------------------------------------------------


def test_8_terminal_escapes_in_an_article_are_shown_escaped_not_sent_raw(tmp_path):
    text = ("Officials in Baku \x1b[2J\x1b]0;owned\x07said the aid to Ukraine would continue this year. "
            "The \x1b]8;;id=1\x1b\\ministry\x1b]8;;\x1b\\ welcomed trade with Russia this year.\n")
    art = tmp_path / "a\x1b[31m.txt"
    art.write_text(text, encoding="utf-8")
    result = invoke("score", art)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J" in "".join(result.stdout.replace("│", " ").split())


# --- 9. FIFOs in folders, unbounded standard input ---------------------------------------------------------


def test_9_a_fifo_inside_a_folder_is_skipped_with_a_warning_not_read(tmp_path):
    import threading

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    fifo = tmp_path / "b.txt"
    os.mkfifo(fifo)
    done = threading.Event()

    def unblock():  # if the FIFO is opened for reading (the bug), let the test end after a while
        done.wait(5)
        while not done.is_set():
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                done.wait(0.1)

    threading.Thread(target=unblock, daemon=True).start()
    try:
        result = invoke("score", tmp_path, "--format", "jsonl")
    finally:
        done.set()
    assert result.exit_code == 0, result.output
    assert f"warning: {fifo}: not a regular file" in result.stderr
    assert len(result.stdout.splitlines()) == 2


class _Endless(__import__("io").RawIOBase):
    """Standard input that never ends (as /dev/zero or `yes` would), failing the test past 5 MB."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, b):
        assert self.given < 5 << 20, "standard input read past any bound"
        data = (b"Baku sent aid to Kyiv again. " * (len(b) // 29 + 1))[:len(b)]
        b[:len(data)] = data
        self.given += len(data)
        return len(data)


def test_9_standard_input_is_read_up_to_a_bound_then_fails_in_one_line():
    import io

    from stanceframe.readers import InputFailure, iter_documents

    (fail,) = iter_documents(["-"], stdin=io.BufferedReader(_Endless()), stdin_limit_mb=1)
    assert isinstance(fail, InputFailure) and "more than 1 MB" in fail.message
    result = invoke("score", "-", "--max-stdin-mb", "1", input=b"Baku sent aid to Kyiv again. " * 40_000)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()[1:]
    assert "<stdin>: more than 1 MB" in line and "--max-stdin-mb" in line


# --- 10. disk full, unwritable destinations ------------------------------------------------------------


def _disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_10_output_on_a_full_disk_is_one_line_and_exit_1_with_no_temp_file(tmp_path, monkeypatch):
    art = tmp_path / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setattr(os, "replace", _disk_full)
    for fmt in ("jsonl", "table"):
        result = invoke("score", art, "--format", fmt, "--output", tmp_path / "out.x")
        assert result.exit_code == 1, result.output
        (line,) = errors(result)
        assert "No space left on device" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_10_chart_on_a_full_disk_is_one_line_and_exit_1(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "savefig", _disk_full)
    result = invoke("sources", "--chart", tmp_path / "c.png", "--n-boot", "20", "--format", "json")
    assert result.exit_code == 1
    (line,) = errors(result)
    assert "No space left on device" in line and not list(tmp_path.iterdir())


def test_10_train_checks_out_is_writable_before_evaluating(tmp_path, monkeypatch):
    import train
    from stanceframe import model

    monkeypatch.setattr(model, "evaluate", lambda *a, **k: pytest.fail("evaluated before checking --out"))
    (tmp_path / "afile").write_text("x")
    result = invoke("--out", tmp_path / "afile" / "m", "--quiet", app=train.app)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "cannot write the model folder there" in line


def test_10_train_disk_full_while_saving_is_one_line_and_exit_1(tmp_path, monkeypatch):
    import train
    from stanceframe import training

    monkeypatch.setattr(training, "train", _disk_full)
    result = invoke("--out", tmp_path / "m", "--quiet", app=train.app)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "No space left on device" in line


def test_10_standard_output_to_dev_full_is_one_line_and_exit_1(tmp_path):
    import subprocess
    import sys

    art = tmp_path / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(root / "predict.py"), "score", str(art), "--format", "jsonl"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == ["error: cannot write to standard output: No space left on device"]


# --- 12. workers end with their parent; temporary files go on every exit path -------------------------

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(p) for p in fh.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def _wait(cond, seconds: float) -> bool:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.mark.parametrize("code", [
    # the scoring pool, as scoring.Scorer.score starts it, with two tasks that would block for a minute
    "from stanceframe import scoring; import time; ex = scoring._start_pool(None, 2); "
    "[ex.submit(time.sleep, 60) for _ in range(2)]; time.sleep(60)",
    # the training workers
    "from stanceframe import pool; import time; pool.run_tasks([(time.sleep, (60,)), (time.sleep, (60,))], 2)",
], ids=["scoring", "training"])
def test_12_workers_exit_when_the_parent_is_killed(code):
    import signal
    import subprocess
    import sys

    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    workers: list[int] = []
    try:
        assert _wait(lambda: len(_children(parent.pid)) == 2, 30), "workers did not start"
        workers = _children(parent.pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert _wait(lambda: not any(_alive(w) for w in workers), 10), "workers outlived their parent"
    finally:
        parent.kill()
        for w in workers:  # the test's own clean-up when the workers did not end
            if _alive(w):
                os.kill(w, signal.SIGKILL)


def test_12_a_terminated_run_leaves_no_temp_file_and_a_killed_ones_is_removed_next_time(tmp_path):
    import signal
    import subprocess
    import sys

    fifo = tmp_path / "in.txt"  # a pipe named as an input: the run waits on it while its output is open
    os.mkfifo(fifo)
    run = subprocess.Popen([sys.executable, str(ROOT / "predict.py"), "score", str(tmp_path / "a.txt"), str(fifo),
                            "--format", "jsonl", "--output", str(tmp_path / "out.jsonl")],
                           cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    temps = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # noqa: E731
    assert _wait(lambda: temps(), 30), "the run did not start writing"
    run.send_signal(signal.SIGTERM)
    run.wait(30)
    assert "interrupted" in run.stderr.read() and not temps()
    # a run killed outright (SIGKILL) cannot clean up: the next run writing that file removes its temp
    stale = tmp_path / ".out.jsonl.999999999.abcd.tmp"
    stale.write_text("half")
    result = invoke("score", tmp_path / "a.txt", "--format", "jsonl", "--output", tmp_path / "out.jsonl")
    assert result.exit_code == 0 and not stale.exists()


# --- 13. --jobs without bound ----------------------------------------------------------------------------


def test_13_jobs_are_capped_at_the_cores_with_a_note(tmp_path, monkeypatch):
    from stanceframe import scoring

    started = []
    real = scoring.Scorer.batches
    monkeypatch.setattr(scoring.Scorer, "batches", lambda self, docs, work, args, chunk, jobs=1, workers_first=False:
                        started.append(jobs) or real(self, docs, work, args, 2, jobs, workers_first))  # chunks of 2
    # sentences: a pool from the second chunk on
    art = tmp_path / "a.txt"
    art.write_text(ARTICLE * 3, encoding="utf-8")
    result = invoke("score", art, art, art, "--format", "jsonl", "--jobs", "100000")
    assert result.exit_code == 0, result.output
    cores = len(os.sched_getaffinity(0))
    assert f"note: --jobs 100000 is more than the {cores} core(s) here; using {cores}" in result.stderr
    assert started and max(started) <= cores


# --- 15. strict standard input encoding and invalid bytes -----------------------------------------------


def test_15_explain_reads_invalid_bytes_on_a_strict_stdin():
    result = invoke("explain", "-", "--format", "json", input=b"Baku did not join the sanctions \xff against Russia.\n",
                    env={"PYTHONIOENCODING": "utf-8:strict"})
    assert result.exit_code == 0, result.output
    assert "against Russia" in json.loads(result.stdout)["text"]


# --- 16. negative offsets in labels ----------------------------------------------------------------------


def test_16_negative_start_and_end_fail_the_check(tmp_path):
    import csv
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import train
    from fixture_corpus import write_corpus

    corpus = write_corpus(tmp_path / "corpus")
    rows = list(csv.reader(corpus["labels"].open(encoding="utf-8")))
    src, start, end = rows[1][1:4]
    (page,) = [p for p in (tmp_path / "corpus").rglob("*.txt") if src in p.name]
    page_len = len(page.read_text(encoding="utf-8"))
    rows[1][2], rows[1][3] = str(int(start) - page_len), str(int(end) - page_len)  # the same text, sliced from the end
    with corpus["labels"].open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = invoke("--labels", corpus["labels"], "--sources", corpus["sources"], "--check", app=train.app)
    assert result.exit_code == 2
    assert f"{corpus['labels']}:2: start and end must satisfy 0 <= start <= end" in result.stderr


# --- 17. a corrupt Parquet page ------------------------------------------------------------------------------


def test_17_a_corrupt_parquet_page_header_is_one_line(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [ARTICLE, ARTICLE]}), path, compression="none")
    data = bytearray(path.read_bytes())
    data[4:20] = bytes(b ^ 0xFF for b in data[4:20])  # the first page header
    path.write_bytes(bytes(data))
    result = invoke("score", path, "--format", "jsonl")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"  {path}:1: cannot read the Parquet file")


# --- 18. CSV cells that spreadsheets run as formulas ------------------------------------------------------


def test_18_csv_cells_starting_a_formula_are_prefixed_unless_raw(tmp_path):
    import csv
    import io

    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": '=HYPERLINK("http://x.example","y")', "source": "@SUM(A1)",
                                  "text": ARTICLE}) + "\n", encoding="utf-8")
    result = invoke("score", corpus, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["doc_id"] == "'=HYPERLINK(\"http://x.example\",\"y\")" and rows[0]["source"] == "'@SUM(A1)"
    raw = list(csv.DictReader(io.StringIO(invoke("score", corpus, "--format", "csv", "--csv-raw").stdout)))
    assert raw[0]["doc_id"].startswith("=HYPERLINK")
    result = invoke("sources", corpus, "--format", "csv", "--n-boot", "20")
    assert result.exit_code == 0, result.output
    assert list(csv.DictReader(io.StringIO(result.stdout)))[0]["source"] == "'@SUM(A1)"


# --- 14. a malformed scoring.json whose sha256 matches ------------------------------------------------------


def _short_coef(spec):
    spec["linear"]["classifiers"]["stance"]["coef"] = [row[:-5] for row in spec["linear"]["classifiers"]["stance"]["coef"]]


def _missing_class(spec):
    spec["linear"]["classifiers"]["frame"]["classes"] = spec["linear"]["classifiers"]["frame"]["classes"][:-1]


def _quantifier_class(spec):
    q = spec["quantifier"]
    q["classes"] = q["classes"][:-1]
    q["hard"] = [r[:-1] for r in q["hard"][:-1]]
    q["soft"] = [r[:-1] for r in q["soft"][:-1]]
    q["bias"], q["prior"] = q["bias"][:-1], q["prior"][:-1]


def _short_idf(spec):
    spec["linear"]["features"][0]["idf"] = spec["linear"]["features"][0]["idf"][:-1]


@pytest.mark.parametrize("damage", [_short_coef, _missing_class, _quantifier_class, _short_idf])
def test_14_a_malformed_scoring_json_with_a_matching_sha_is_refused_in_one_line(tmp_path, damage):
    import hashlib
    import shutil

    model = tmp_path / "m"
    shutil.copytree(MODEL, model)
    spec = json.loads((model / "scoring.json").read_text())
    damage(spec)
    data = json.dumps(spec).encode()
    (model / "scoring.json").write_bytes(data)
    manifest = json.loads((model / "manifest.json").read_text())
    manifest["files"]["scoring.json"] = hashlib.sha256(data).hexdigest()
    (model / "manifest.json").write_text(json.dumps(manifest))
    art = tmp_path / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    result = invoke("score", art, "--format", "jsonl", "--model", model)
    assert result.exit_code == 1, result.output
    (line,) = errors(result)
    assert "scoring.json: cannot be read" in line and "python train.py" in line


# --- siblings: standard output that closes early, or cannot encode the text ----------------------------


def _script(*args, stdout, env=None, cwd=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, str(ROOT / "predict.py"), *map(str, args)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=60, cwd=cwd, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("args", [["score", "{art}", "-f", "jsonl", "--jobs", "1"],  # the writer's OSError
                                  ["explain", "Baku sent aid to Ukraine."],  # rich's broken-pipe exit
                                  ["segment", "{art}", "-f", "jsonl"]],  # click's EPIPE exit
                         ids=["score", "explain", "segment"])
def test_a_reader_that_stops_reading_ends_the_run_silently_with_141(tmp_path, args):
    art = tmp_path / "a.txt"
    art.write_text(ARTICLE, encoding="utf-8")
    r, w = os.pipe()
    os.close(r)  # what `| head` leaves once it has its lines: every write is EPIPE
    try:
        done = _script(*(a.format(art=art) for a in args), stdout=w, cwd=tmp_path)
    finally:
        os.close(w)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.parametrize("args", [["explain", "Erdoğan said Türkiye and Russia would keep talking 😀."],
                                  ["score", "-", "-f", "jsonl"]], ids=["explain-table", "score-jsonl"])
def test_a_strict_ascii_output_escapes_what_it_cannot_encode(tmp_path, args):
    import subprocess

    text = "Erdoğan said Türkiye and Russia would keep talking 😀.\n"
    done = subprocess.run([sys.executable, str(ROOT / "predict.py"), *args], input=text.encode(), capture_output=True,
                          timeout=60, cwd=tmp_path, env={**os.environ, "PYTHONIOENCODING": "ascii:strict"})
    out = done.stdout.decode("ascii")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    if args[0] == "explain":
        assert "t\\u00fcrkiye" in out  # a feature the model knows, escaped
    else:  # still JSON, with the very same text
        assert json.loads(out.splitlines()[0])["text"] == text.strip()


# --- sibling of case 6: score, not only sources, says when documents share an id ---------------------------


def test_score_reports_documents_sharing_an_id_or_refuses_them(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": "same", "text": t}) + "\n" for t in (ARTICLE, ARTICLE_2)),
                      encoding="utf-8")
    result = invoke("score", corpus, "--level", "article", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["doc_id"] for x in result.stdout.splitlines()] == ["same", "same"]  # two articles
    assert f"warning: {corpus}:2: id 'same' is also the id of {corpus}:1" in result.stderr
    out = tmp_path / "out.jsonl"
    refused = invoke("score", corpus, "--level", "article", "-f", "jsonl", "-o", out, "--duplicate-ids", "refuse")
    assert refused.exit_code == 2 and len(errors(refused)) == 1 and not out.exists()


# --- 20. Parquet in flat memory; scoring workers forked before the parent reads ---------------------------


def test_20_parquet_is_read_page_by_page_in_small_batches_of_the_needed_columns(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from stanceframe import readers

    path = tmp_path / "c.parquet"
    n = 3000
    pq.write_table(pa.table({"id": [f"a{i}" for i in range(n)], "text": [ARTICLE] * n, "extra": ["x" * 500] * n}),
                   path)  # one row group, as pyarrow and pandas write a million rows by default
    opened, batches = [], []
    real_init, real_iter = pq.ParquetFile.__init__, pq.ParquetFile.iter_batches

    def init(self, *a, **kw):
        opened.append(kw)
        real_init(self, *a, **kw)

    def iter_batches(self, *a, **kw):
        for b in real_iter(self, *a, **kw):
            batches.append((b.num_rows, b.schema.names))
            yield b

    monkeypatch.setattr(pq.ParquetFile, "__init__", init)
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", iter_batches)
    docs = [d for d in readers.iter_documents([str(path)]) if isinstance(d, readers.Document)]
    assert len(docs) == n and docs[-1].id == f"a{n - 1}"
    assert opened[0].get("pre_buffer") is False and 0 < opened[0].get("buffer_size", 0) <= 1 << 20
    assert max(rows for rows, _ in batches) <= readers.PARQUET_BATCH_ROWS
    assert {c for _, names in batches for c in names} == {"id", "text"}  # never the columns scoring ignores
    assert pa.default_memory_pool().backend_name == "system"  # freed Arrow memory goes back


def test_20_workers_fork_before_a_large_input_is_read(tmp_path):
    import multiprocessing

    from stanceframe import readers
    from stanceframe.project import load_model
    from stanceframe.scoring import Scorer

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c.parquet").write_bytes(b"PAR1")
    assert not readers.large_input([str(tmp_path / "a.txt"), "-"])
    assert readers.large_input([str(tmp_path / "c.parquet")]) and readers.large_input([str(tmp_path)])
    seen = []

    def docs():
        seen.append(len(multiprocessing.active_children()))  # workers alive when the first document is read
        yield readers.Document("a", ARTICLE, "text", "a")

    out = list(Scorer(load_model(None), n_boot=0).score(docs(), jobs=2, workers_first=True))
    assert seen == [2] and len(out) == 1
