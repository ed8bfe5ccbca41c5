"""Train the stance and frame models from labels/ and report how well they do on unseen outlets.

    python train.py                       # labels/sentences.csv + labels/written.csv -> model/
    python train.py --labels labels/sentences.csv --labels mine.csv --sources my_sources.csv
    python train.py --no-written          # the seed labels only
    python train.py --check               # only validate the labels
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from stanceframe.errors import StanceframeError

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@app.command()
def main(
    labels: Annotated[list[str], typer.Option(
        "--labels", "-l", help="Labelled sentence CSV files or globs (repeatable). Default: labels/sentences.csv")] = None,
    written: Annotated[list[str], typer.Option(
        "--written", "-w", help="Written-corpus CSV files (invented sentences, no offsets; repeatable). "
        "Default: labels/written.csv")] = None,
    no_written: Annotated[bool, typer.Option("--no-written", help="Train without a written corpus.")] = False,
    compare: Annotated[bool, typer.Option("--compare/--no-compare",
                                          help="Also evaluate the alternatives the model card compares.")] = True,
    sources: Annotated[list[str], typer.Option(
        "--sources", "-s", help="sources.csv files listing every source the labels use (repeatable). "
        "Default: seeds/sources.csv")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")] = Path("model"),
    n_jobs: Annotated[int, typer.Option("--n-jobs", "-j", min=1, help="Processes for the evaluation folds.")] = 2,
    check: Annotated[bool, typer.Option("--check", help="Only validate the labels and sources, then exit.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")] = False,
):
    """Validate labels, evaluate by nested leave-one-source-out and k-fold CV, fit, and save model/."""
    from stanceframe import artifact, training

    labels = labels or list(training.DEFAULT_LABELS)
    sources = sources or list(training.DEFAULT_SOURCES)
    written = [] if no_written else (written or list(training.DEFAULT_WRITTEN))
    started = time.perf_counter()
    before = _stamp(out)
    from stanceframe.lifeline import capped_jobs

    n_jobs = capped_jobs(n_jobs, "--n-jobs", lambda m: typer.echo(m, err=True))
    try:
        if check:
            df, _, _ = training.load_training_data(labels, sources, written)
            training.check_trainable(df)
            typer.echo(f"ok: {len(df)} labelled sentences ({(df['origin'] == 'seed').sum()} seed, "
                       f"{(df['origin'] == 'written').sum()} written) in {df['group'].nunique()} sources and voices")
            return
        say = (lambda m: None) if quiet else (lambda m: typer.echo(m, err=True))
        with artifact.locked(out):
            result = training.train(labels, sources, out, n_jobs=n_jobs, progress=say, written_patterns=written,
                                    compare=compare)
    except StanceframeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:  # disk full while saving: the new folder is dropped, the old model stays
        typer.echo(f"error: cannot write the model to {out} ({exc.strerror or exc}); the model there, if any, "
                   "is unchanged", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        # the model folder is swapped in whole (artifact.replacing): it is the old one or the new one
        if check or _stamp(out) == before:
            typer.echo(f"interrupted; nothing was written over the old model in {out}", err=True)
        else:
            typer.echo(f"interrupted after the new model was written to {out}", err=True)
        raise typer.Exit(130) from None
    if not quiet:
        _print_tables(result.metrics)
    ev = result.metrics["evaluation"]
    typer.echo(
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


def _stamp(out: Path):
    """Which model is in `out`: its manifest's inode and time (None when there is none)."""
    try:
        st = (Path(out) / "manifest.json").stat()
        return st.st_ino, st.st_mtime_ns
    except OSError:
        return None


def _print_tables(metrics: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from stanceframe import card
    from stanceframe.output import plain_console

    console = plain_console(file=sys.stdout, width=max(Console().width, 140))
    tables = [("Held-out performance (nested; 95% bootstrap intervals)", card.HEADLINE_HEADER, card.headline_rows(metrics)),
              ("Side by side on the same folds", card.COMPARISON_HEADER, card.comparison_rows(metrics))]
    for view in card.views_in(metrics):
        tables.append((f"Lean of held-out groups, {card.VIEWS[view]}: gold vs estimates", card.LEAN_HEADER,
                       card.lean_rows(metrics, view)))
        for target in ("stance", "frame"):
            tables.append((f"{target}: per class, {card.VIEWS[view]}", card.PER_CLASS_HEADER,
                           card.per_class_rows(metrics, target, view)))
    if metrics.get("challenge"):
        tables.append(("Challenge suite (bench/challenge.csv)", card.CHALLENGE_HEADER, card.challenge_rows(metrics)))
    for title, header, rows in tables:
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        for h in header:
            table.add_column(h)
        for r in rows:
            table.add_row(*r)
        console.print(table)


if __name__ == "__main__":
    from stanceframe.output import run_cli

    run_cli(app)
