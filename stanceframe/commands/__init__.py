"""What each command does, as plain functions over the library (no typer here): the command-line
modules (stanceframe.cli, predict.py, train.py) parse options and call one of these.

Each takes the command's options as keywords, prints its results, says warnings on standard error
through `say`, raises a StanceframeError for a one-line failure and returns the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path


def say(msg: str) -> None:
    """One line on standard error."""
    print(msg, file=sys.stderr, flush=True)


def prog() -> str:
    """How the user called the tool, for messages that name another command ("predict.py segment")."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return f"python {name}" if name in ("predict.py", "train.py") else "stanceframe"


def finish(failures: list, n_ok: int, n_empty: int = 0, allow_empty: bool = True) -> int:
    """The exit code of a run over inputs: 1 when some failed (2 when all did), each said on one line;
    1 when documents gave no article sentence (each was warned about), unless allowed."""
    if failures:
        say(f"{len(failures)} input(s) could not be scored:")
        for f in failures:
            say(f"  {f.origin}: {' '.join(f.message.split())}")  # one line each, whatever a library said
        return 1 if n_ok else 2
    if n_empty and not allow_empty:
        say(f"{n_empty} document(s) gave no article sentences (see `{prog().replace('train.py', 'predict.py')} "
            "segment` for what each line became); pass --allow-empty to accept that")
        return 1
    return 0


def emit(text: str, output: Path | None) -> None:
    """`text` to standard output, or to `output` atomically."""
    if output is None:
        sys.stdout.write(text)
        return
    from ..artifact import write_atomic
    from ..output import output_folder

    output_folder(output)
    write_atomic(output, text)
    say(f"wrote {output}")


def load(model_dir):
    from ..project import load_model

    return load_model(model_dir, say=say)
