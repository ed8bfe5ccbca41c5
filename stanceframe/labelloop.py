"""The labelling loop of `predict.py label`, in the spirit of Prodigy: one sentence at a time with its
neighbours and the model's suggestion, one answer per key, every answer saved at once.

Input is read a line at a time (a key, then Enter): it works the same in every terminal, over ssh,
in tmux and from a pipe, and Enter alone is "accept". Raw single keys were not chosen: there a
habitual "2, Enter" would answer this sentence with 2 and accept the next one's suggestion unseen.
The terminal is injected (`read(prompt)`
returns a line, `write(text)` shows text), so the loop runs in tests without one.

Keys: Enter accepts the suggestion as shown (stance and frame); 1-4 answer with that stance (in the
order shown, most probable first) and the frame shown; f picks another frame first (f, then a
letter or number of the list, or `f c` on one line; `-` leaves the frame empty: a stance-only
label); s skips (the sentence comes back on a rerun, it is not in the file); u undoes the last
answer (also one of an earlier run: the file's last row); n adds a note; q quits.

`save(rows)` gets every answer so far after each answer and undo; the caller writes the labels
file atomically, so an interrupted session loses nothing and a rerun skips what the file holds.
"""

from __future__ import annotations

import shutil
import textwrap
from collections import deque

from .labels import FRAMES, STANCES
from .output import visible
from .sampling import Candidate
from .tasks import candidate, labels_row

KEYS = "Enter accept · 1-4 stance · f frame · s skip · u undo · n note · q quit"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def where(row: dict) -> tuple[str, int, int]:
    return (row["doc_id"], int(row["start"]), int(row["end"]))


def ranked(probs: dict, classes) -> list[str]:
    """Classes by the model's probability, highest first; without probabilities, as given."""
    return sorted(classes, key=lambda k: -probs.get(k, -1.0)) if probs else list(classes)


class Session:
    def __init__(self, queue: list[Candidate], answers: list[dict], save, read, write, target: str = "the file",
                 stances=STANCES, frames=FRAMES):
        self.answers, self.save, self.read, self.write, self.target = answers, save, read, write, target
        self.stances, self.frames = list(stances), list(frames)
        self.known = {c.where: c for c in queue}
        done = {where(r) for r in answers}
        self.pending = deque(c for c in self.known.values() if c.where not in done)
        self.total = len(self.known)
        self.skipped: list[Candidate] = []
        self.answered = self.undone = 0  # in this session (an undo may take back an earlier run's answer)

    # --- the loop ------------------------------------------------------------------------------

    def run(self) -> str:
        """Label until the queue is done, `q`, end of input or Ctrl-C; return how it ended."""
        self.write(f"{len(self.answers)} answers in {self.target}; {len(self.pending)} sentences to label\n")
        try:
            while True:
                if not self.pending:  # the last answer can still be taken back
                    if self.read("all done: u undoes the last answer, Enter ends > ").strip() == "u" and self.undo():
                        continue
                    return self.end("done")
                if self.step(self.pending[0]) == "quit":
                    return self.end("quit")
        except EOFError:
            return self.end("quit")
        except KeyboardInterrupt:
            return self.end("interrupted")

    def end(self, how: str) -> str:
        said = {"quit": "stopped", "interrupted": "interrupted", "done": "the queue is done"}[how]
        tail = f"; {len(self.skipped)} skipped (a rerun shows them again)" if self.skipped else ""
        session = f"{self.answered} this session" + (f", {self.undone} undone" if self.undone else "")
        self.write(f"\n{said}: {len(self.answers)} answers in {self.target} ({session}){tail}\n")
        return how

    def step(self, c: Candidate) -> str | None:
        """Show `c` and act on keys until it is answered, skipped, undone past, or the user quits."""
        frame, note = c.suggested_frame or None, ""
        stances = ranked(c.p_stance, self.stances)[:4]
        self.show(c, stances, frame, note)
        while True:
            key = self.read("> ").strip()
            if key == "":
                if not c.suggested_stance:
                    self.write("no suggestion for this sentence: choose a stance with 1-4\n")
                    continue
                return self.answer(c, c.suggested_stance, frame, note)
            if key.isdigit() and 1 <= int(key) <= len(stances):
                return self.answer(c, stances[int(key) - 1], frame, note)
            if key[0] == "f":
                frame = self.pick_frame(c, key[1:].strip(), frame)
                self.write(f"frame: {frame or '(none: stance only)'}; Enter saves {c.suggested_stance or '?'} / "
                           f"{frame or '-'}, 1-4 another stance\n")
            elif key == "s":
                self.skipped.append(self.pending.popleft())
                return None
            elif key == "u":
                if self.undo():
                    return None
            elif key == "n":
                note = self.read("note> ").strip()
                self.write(f"note: {visible(note)}\n" if note else "note cleared\n")
            elif key == "q":
                return "quit"
            else:
                self.write(f"unknown key {visible(key)!r}; {KEYS}\n")

    def answer(self, c: Candidate, stance: str, frame: str | None, note: str) -> None:
        self.answers.append(labels_row(c, stance, frame or "", note))
        try:
            self.save(self.answers)
        except BaseException:
            self.answers.pop()  # not in the file: not an answer
            raise
        self.pending.popleft()
        self.answered += 1
        self.write(f"saved: {stance} / {frame or '-'}\n")

    def undo(self) -> bool:
        if not self.answers:
            self.write("nothing to undo\n")
            return False
        row = self.answers.pop()
        try:
            self.save(self.answers)
        except BaseException:
            self.answers.append(row)
            raise
        self.undone += 1
        back = self.known.get(where(row)) or candidate(row)
        self.pending.appendleft(back)
        self.write(f"undone: {row['stance'] or '-'} / {row['frame'] or '-'} for \"{visible(row['text'][:60])}\"\n")
        return True

    def pick_frame(self, c: Candidate, choice: str, current: str | None) -> str | None:
        frames = ranked(c.p_frame, self.frames)
        if not choice:
            self.write(_columns([f"{LETTERS[i]}/{i + 1} {f}{_p(c.p_frame, f)}" for i, f in enumerate(frames)])
                       + "-  no frame (stance only)\n")
            choice = self.read("frame> ").strip()
        if choice == "q":  # quit works at every prompt; the sentence stays unanswered
            raise EOFError
        if choice == "-":
            return None
        if choice.isdigit() and 1 <= int(choice) <= len(frames):
            return frames[int(choice) - 1]
        if len(choice) == 1 and choice in LETTERS[:len(frames)]:
            return frames[LETTERS.index(choice)]
        if choice in frames:
            return choice
        self.write(f"no frame {visible(choice)!r}; frame stays {current or '(none)'}\n")
        return current

    # --- the screen ----------------------------------------------------------------------------

    def show(self, c: Candidate, stances: list[str], frame: str | None, note: str) -> None:
        width = max(40, min(100, shutil.get_terminal_size((80, 24)).columns))
        n = self.total - len(self.pending) + 1
        head = " · ".join(visible(x) for x in (c.source or "(no outlet)", c.title, c.date) if x)
        out = [f"\n── {min(n, self.total)}/{self.total} · {c.sample or 'queue'} · {visible(c.doc_id)} "
               f"[{c.start}:{c.end}]", head]
        if c.before:
            out += _wrap("   before: ", c.before, width)
        out += _wrap(" > ", c.text, width)
        if c.after:
            out += _wrap("   after:  ", c.after, width)
        out.append("stance: " + "   ".join(f"{i + 1} {s}{_p(c.p_stance, s)}" for i, s in enumerate(stances)))
        out.append(f"frame:  {frame or '-'}{_p(c.p_frame, frame)}"
                   + (f"   (suggested: {c.suggested_frame})" if frame != c.suggested_frame else ""))
        if c.suggested_stance:
            out.append(f"Enter saves the suggestion: {c.suggested_stance} / {frame or '-'}")
        out.append(KEYS)
        self.write("\n".join(out) + "\n")


def _p(probs: dict, k) -> str:
    return f" {probs[k]:.2f}" if k in probs else ""


def _wrap(lead: str, text: str, width: int) -> list[str]:
    return textwrap.wrap(visible(text), width, initial_indent=lead, subsequent_indent=" " * len(lead)) or [lead]


def _columns(items: list[str], per_row: int = 3) -> str:
    size = max(len(i) for i in items) + 2
    return "".join("".join(i.ljust(size) for i in items[r:r + per_row]).rstrip() + "\n"
                   for r in range(0, len(items), per_row))
