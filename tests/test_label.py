"""`predict.py label`: the loop in-process with a scripted terminal (every key, resume, undo across a
rerun, Ctrl-C), the command on a corpus and on a suggest CSV, and once in a real terminal (pexpect).
Every text here was written for these tests."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from stanceframe.commands import annotate
from stanceframe.labelloop import Session
from stanceframe.labels import STANCES
from stanceframe.sampling import Candidate
from stanceframe.tasks import LABELS_CSV

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ("Baku sent generators to hospitals in Kharkiv this winter. Officials said more aid would follow. "
           "The Kremlin called the shipments unhelpful. Cargo through the northern corridor grew again.\n")


def cand(i: int, p=(0.1, 0.6, 0.2, 0.1), frames=None) -> Candidate:
    return Candidate(doc_id="doc", source="Outlet", start=i * 10, end=i * 10 + 9, text=f"Sentence {i}.",
                     title="T", date="2025-01-01", before="Before.", after="After.", sample="random",
                     p_stance=dict(zip(STANCES, p)),
                     p_frame=frames or {"political": 0.5, "economic": 0.3, "other": 0.2},
                     suggested_stance=STANCES[p.index(max(p))], suggested_frame="political")


class Terminal:
    """Keys to type, one line each (an exception instance is raised instead); what was shown."""

    def __init__(self, *keys):
        self.keys, self.shown = list(keys), []

    def read(self, prompt):
        key = self.keys.pop(0) if self.keys else "q"
        if isinstance(key, BaseException):
            raise key
        return key

    def write(self, text):
        self.shown.append(text)

    @property
    def text(self):
        return "".join(self.shown)


def session(queue, answers, *keys):
    saved = []
    term = Terminal(*keys)
    s = Session(queue, answers, lambda rows: saved.append([dict(r) for r in rows]), term.read, term.write,
                frames=["political", "economic", "other"])
    return s, term, saved


def answers_of(rows):
    return [(r["start"], r["stance"], r["frame"], r["note"]) for r in rows]


def test_every_key():
    queue = [cand(i) for i in range(6)]
    answers: list = []
    s, term, saved = session(queue, answers,
                             "",          # 0: accept russia_accommodating / political
                             "3",         # 1: third most probable stance: pro_ukraine (0.1 ties none; first listed)
                             "f", "b", "", # 2: frame b = economic (second by probability), then accept the stance
                             "f -", "4",  # 3: no frame (stance only), fourth stance shown
                             "s",         # 4: skipped
                             "n", "looks like a headline", "f 3", "1",  # 5: note, frame 3 = other, stance 1
                             "u", "2")    # undo 5's answer, answer it again with stance 2
    assert s.run() == "done"
    assert answers_of(answers) == [(0, "russia_accommodating", "political", ""),
                                   (10, "pro_ukraine", "political", ""),
                                   (20, "russia_accommodating", "economic", ""),
                                   (30, "none", "", ""),
                                   (50, "balancing", "political", "")]
    assert len(saved) == 7  # every answer and the undo, each at once
    assert answers_of(saved[4])[-1] == (50, "russia_accommodating", "other", "looks like a headline")
    assert "1 skipped (a rerun shows them again)" in term.text
    # the screen: neighbours, outlet, title, date, stances by probability with their numbers
    assert "before: Before." in term.text and "after:  After." in term.text and "Outlet · T · 2025-01-01" in term.text
    assert "1 russia_accommodating 0.60   2 balancing 0.20   3 pro_ukraine 0.10   4 none 0.10" in term.text
    assert all(r["sample"] == "random" and list(r) == LABELS_CSV for r in answers)


def test_quit_resume_and_undo_across_a_rerun():
    queue = [cand(i) for i in range(3)]
    answers: list = []
    s, term, _ = session(queue, answers, "", "2", "q")
    assert s.run() == "quit"
    assert [r["start"] for r in answers] == [0, 10]
    # a rerun: what the file holds is not asked again; undo takes back the last answer of the first run
    s, term, saved = session(queue, answers, "u", "", "")
    assert s.run() == "done"
    assert "2 answers in the file; 1 sentences to label" in term.text
    assert 'undone: balancing / political for "Sentence 1."' in term.text
    assert answers_of(answers) == [(0, "russia_accommodating", "political", ""),
                                   (10, "russia_accommodating", "political", ""),
                                   (20, "russia_accommodating", "political", "")]
    assert answers_of(saved[0]) == [(0, "russia_accommodating", "political", "")]


def test_ctrl_c_and_end_of_input_keep_every_answer():
    answers: list = []
    s, term, saved = session([cand(i) for i in range(3)], answers, "", KeyboardInterrupt())
    assert s.run() == "interrupted"
    assert "interrupted: 1 answers in the file (1 this session)" in term.text
    assert answers_of(saved[-1]) == [(0, "russia_accommodating", "political", "")]
    s, term, _ = session([cand(i) for i in range(3)], answers, "2", EOFError())
    assert s.run() == "quit" and len(answers) == 2


def test_a_failed_save_is_not_an_answer():
    answers: list = []

    def save(rows):
        raise OSError(28, "No space left on device")

    term = Terminal("")
    with pytest.raises(OSError):
        Session([cand(0)], answers, save, term.read, term.write).run()
    assert answers == []


def test_bad_keys_say_what_is_accepted():
    s, term, _ = session([cand(0)], [], "x", "9", "f zz", "q")
    s.run()
    assert "unknown key 'x'; Enter accept · 1-4 stance" in term.text and "unknown key '9'" in term.text
    assert "no frame 'zz'; frame stays political" in term.text


# --- the command: a corpus, a suggest CSV, and a real terminal -------------------------------------

@pytest.fixture
def pages(tmp_path):
    (tmp_path / "pages" / "Outlet A").mkdir(parents=True)
    (tmp_path / "pages" / "Outlet A" / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    return tmp_path / "pages"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_label_a_corpus_then_resume_from_the_file(pages, tmp_path):
    out = tmp_path / "mine.csv"
    term = Terminal("", "q")
    assert annotate.label([str(pages)], out, n=3, read=term.read, write=term.write) == 0
    [row] = read_csv(out)
    assert row["stance"] == row["suggested_stance"] and row["sample"] == "random"
    assert ARTICLE[int(row["start"]):int(row["end"])] == row["text"]
    term = Terminal("2", "")
    assert annotate.label([str(pages)], out, n=3, read=term.read, write=term.write) == 0
    assert "1 answers in" in term.text and "2 sentences to label" in term.text
    rows = read_csv(out)
    assert len(rows) == 3 and len({r["start"] for r in rows}) == 3


def test_label_a_suggest_csv_with_its_neighbours(pages, tmp_path):
    queue = tmp_path / "to_label.csv"
    assert annotate.suggest([str(pages)], queue, n=2, seed=5) == 0
    term = Terminal("", "")
    out = tmp_path / "mine.csv"
    assert annotate.label([str(queue)], out, corpus=[str(pages)], read=term.read, write=term.write) == 0
    suggested, labelled = read_csv(queue), read_csv(out)
    assert [(r["doc_id"], r["start"]) for r in labelled] == [(r["doc_id"], r["start"]) for r in suggested]
    assert all(r["stance"] for r in labelled) and all(not r["stance"] for r in suggested)  # the queue is untouched
    assert "before:" in term.text or "after:" in term.text
    with pytest.raises(Exception, match="is one of the inputs"):
        annotate.label([str(queue)], queue)


def test_in_a_real_terminal(pages, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    out = tmp_path / "mine.csv"
    cmd = [str(ROOT / "predict.py"), "label", str(pages), "--n", "3", "--output", str(out)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "100", "LINES": "40"}
    child = pexpect.spawn(sys.executable, cmd, env=env, encoding="utf-8", timeout=20)
    child.expect("0 answers in")
    child.expect("> ")
    child.sendline("")
    child.expect("saved: ")
    child.expect("> ")
    child.sendline("2")
    child.expect("saved: ")
    child.expect("> ")
    child.sendintr()
    child.expect("interrupted: 2 answers in")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and "Traceback" not in child.before
    assert len(read_csv(out)) == 2
    child = pexpect.spawn(sys.executable, cmd, env=env, encoding="utf-8", timeout=20)
    child.expect("2 answers in .*; 1 sentences to label")
    child.expect("> ")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    rows = read_csv(out)
    assert len(rows) == 2 and all(r["stance"] for r in rows)


def test_answers_are_never_overwritten(pages, tmp_path):
    from stanceframe.errors import BadInput

    queue, out = tmp_path / "to_label.csv", tmp_path / "mine.csv"
    assert annotate.suggest([str(pages)], queue, n=2) == 0
    with pytest.raises(BadInput, match="2 of its rows have neither a stance nor a frame"):
        annotate.label([str(pages)], queue, read=Terminal().read, write=Terminal().write)
    term = Terminal("")
    assert annotate.label([str(queue)], out, read=term.read, write=term.write) == 0
    with pytest.raises(BadInput, match="holds 1 answers, which suggest would overwrite"):
        annotate.suggest([str(pages)], out, n=2)
    # a column of the user's own survives the rewrite after each answer
    rows = read_csv(out)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "checked_by"])
        w.writeheader()
        w.writerow({**rows[0], "checked_by": "AB"})
    term = Terminal("")
    assert annotate.label([str(queue)], out, read=term.read, write=term.write) == 0
    assert [r["checked_by"] for r in read_csv(out)] == ["AB", ""]


def test_the_command_line_refuses_what_it_cannot_write(pages, tmp_path):
    from typer.testing import CliRunner

    import predict

    runner = CliRunner()
    result = runner.invoke(predict.app, ["label", str(pages), "--output", str(tmp_path / "mine.json")])
    assert result.exit_code == 2 and "label writes a corpus labels CSV; name a .csv file" in result.output
    result = runner.invoke(predict.app, ["label", str(pages), "--corpus", str(pages), "-o", str(tmp_path / "m.csv")])
    assert result.exit_code == 2 and "--corpus goes with a suggest CSV" in result.output
    result = runner.invoke(predict.app, ["label", str(pages), "-o", str(tmp_path / "m.csv")], input="\nq\n")
    assert result.exit_code == 0 and "stopped: 1 answers in" in result.output
    assert "stanceframe label pages/" in runner.invoke(predict.app, ["label", "--help"]).output


def test_a_second_session_on_the_same_file_is_refused_while_the_first_runs(pages, tmp_path):
    from stanceframe.artifact import exclusive
    from stanceframe.errors import StanceframeError

    out = tmp_path / "mine.csv"
    with exclusive(tmp_path / ".mine.csv.lock", "held by the first session"):  # what a running session holds
        with pytest.raises(StanceframeError, match="another label session is writing this file now"):
            annotate.label([str(pages)], out, n=3, read=Terminal("").read, write=Terminal().write)
    assert not out.exists()
    term = Terminal("", "q")
    assert annotate.label([str(pages)], out, n=3, read=term.read, write=term.write) == 0  # released: it runs
    assert len(read_csv(out)) == 1


def test_q_at_the_frame_prompt_quits_and_undoing_an_earlier_answer_is_counted_apart():
    s, term, saved = session([cand(0), cand(1)], [], "f", "q")
    assert s.run() == "quit" and not saved
    earlier = {"doc_id": "d", "source": "A", "start": "90", "end": "99", "text": "An earlier answer.",
               "stance": "none", "frame": "other", "note": ""}
    s, term, saved = session([cand(0)], [earlier], "u", "q")
    assert s.run() == "quit"
    assert "(0 this session, 1 undone)" in term.text and saved == [[]]


def test_a_missing_queue_file_is_named_as_missing(pages, tmp_path):
    from typer.testing import CliRunner

    import predict

    result = CliRunner().invoke(predict.app, ["label", str(tmp_path / "nothere.csv"), "--corpus", str(pages),
                                              "-o", str(tmp_path / "m.csv")])
    assert result.exit_code == 2 and "nothere.csv: no such file or folder" in result.output
