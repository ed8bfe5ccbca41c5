"""`train`: validate the labels, evaluate, fit and save a model folder (what `python train.py` does)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..errors import BadInput, StanceframeError
from . import say


def _stamp(out: Path):
    """Which model is in `out`: its manifest's inode and time (None when there is none)."""
    try:
        st = (Path(out) / "manifest.json").stat()
        return st.st_ino, st.st_mtime_ns
    except OSError:
        return None


def _ok_line(df) -> str:
    n = {o: int((df["origin"] == o).sum()) for o in ("seed", "written", "corpus")}
    line = (f"ok: {len(df)} labelled sentences ({n['seed']} seed, {n['written']} written"
            + (f", {n['corpus']} corpus" if n["corpus"] else "") + f") in {df['group'].nunique()} sources and voices")
    partial = {t: int((df[t] != "").sum()) for t in ("stance", "frame")}
    if min(partial.values()) < len(df):
        line += f"; {partial['stance']} labelled for stance, {partial['frame']} for frame"
    return line + "; trainable"


def train(labels=None, written=None, no_written=False, compare=True, sources=None, out=Path("model"), jobs=2,
          check=False, quiet=False, fmt="table", corpus=None, text_column="text", id_column="id",
          no_seeds=False) -> int:
    """Train on `labels` (default: the bundled labels of a checkout) into `out`; with `check`, only validate.
    Corpus labels and exports are added to the bundled seed labels unless a seed-format file is among
    `labels` or `no_seeds` is given, as the written corpus is added unless `no_written`."""
    from .. import artifact, training
    from ..lifeline import capped_jobs
    from ..project import require_checkout
    from ..readers import Columns

    if fmt not in ("table", "json"):
        raise BadInput(f"unknown format {fmt!r}; accepted: table, json")
    seeded = bool(labels) and any(training.label_kind(p) == "seed" for p in training.expand(labels, "labels"))
    if not (seeded or no_seeds) or not (written or no_written):
        require_checkout("the default labels (labels/, seeds/sources.csv)", "name yours with --labels, --sources "
                         "and --written (or --no-written), and --no-seeds with labels of your corpus only")
    if not (seeded or no_seeds):
        labels = [*training.DEFAULT_LABELS, *(labels or [])]
    # seed labels need a sources.csv; corpus labels do not (installed, there is no bundled one)
    sources = sources or [s for s in training.DEFAULT_SOURCES if Path(s).is_file()]
    written = [] if no_written else (written or list(training.DEFAULT_WRITTEN))
    columns = Columns(text=text_column, id=id_column)
    started = time.perf_counter()
    before = _stamp(out)
    jobs = capped_jobs(jobs, "--jobs", say)
    try:
        if check:
            df, _, _ = training.load_training_data(labels, sources, written, corpus or (), say, columns)
            training.check_trainable(df, compare)
            print(_ok_line(df))
            return 0
        with artifact.locked(out):
            result = training.train(labels, sources, out, n_jobs=jobs, progress=(lambda m: None) if quiet else say,
                                    written_patterns=written, compare=compare, corpus=corpus or (), columns=columns,
                                    notes=say)
    except StanceframeError:
        raise
    except OSError as exc:  # disk full while saving: the new folder is dropped, the old model stays
        raise StanceframeError(f"cannot write the model to {out} ({exc.strerror or exc}); the model there, if "
                               "any, is unchanged") from None
    except KeyboardInterrupt:
        # the model folder is swapped in whole (artifact.replacing): it is the old one or the new one
        if check or _stamp(out) == before:
            say(f"interrupted; nothing was written over the old model in {out}")
        else:
            say(f"interrupted after the new model was written to {out}")
        return 130
    if fmt == "json":
        print(json.dumps(result.metrics, indent=2, ensure_ascii=False))
    elif not quiet:
        from ..render import metrics_tables

        metrics_tables(result.metrics)
    ev = result.metrics["evaluation"]
    line = (
        f"wrote {out}/ in {time.perf_counter() - started:.1f}s: stance LOSO macro-F1 "
        f"{ev['stance']['loso']['model']['macro_f1']['value']:.3f} (majority "
        f"{ev['stance']['loso']['baseline_majority']['macro_f1']['value']:.3f}), frame LOSO accuracy "
        f"{ev['frame']['loso']['model']['accuracy']['value']:.3f} (majority "
        f"{ev['frame']['loso']['baseline_majority']['accuracy']['value']:.3f}), LOSO lean error "
        f"{ev['stance']['loso']['quantification']['selected']['mean_lean_error']:.3f}"
        + (f"; LOVO stance macro-F1 {ev['stance']['lovo']['model']['macro_f1']['value']:.3f}, frame accuracy "
           f"{ev['frame']['lovo']['model']['accuracy']['value']:.3f}, lean error "
           f"{ev['stance']['lovo']['quantification']['selected']['mean_lean_error']:.3f}" if "lovo" in ev["stance"] else "")
    )
    if fmt == "json":
        say(line)
    else:
        print(line)
    return 0
