"""`score --engine dask`: the checks and messages around engine_dask.score."""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput
from . import load, say

ENGINES = ("local", "dask")


def score_dask(inputs, fmt="parquet", level="sentence", output: Path | None = None, columns=None, scheduler=None,
               furniture=None, jobs=2, model=None) -> int:
    from .. import engine_dask
    from ..output import refuse_inputs_as_output
    from ..rows import columns as default_columns

    engine_dask._require_dask()  # before anything else: the one line that says what to install
    if level != "sentence":
        raise BadInput("--engine dask writes sentence rows; article profiles: --level article without it")
    if fmt not in ("parquet", "table"):  # table is score's default: taken as "the dataset"
        raise BadInput(f"--engine dask writes a Parquet dataset; --format {fmt} is not accepted with it")
    if output is None:
        raise BadInput("--engine dask needs --output DIR/ (a Parquet dataset folder)")
    refuse_inputs_as_output(output, inputs)
    n, failed = engine_dask.score(inputs, output, columns or default_columns(), load(model), say,
                                  scheduler=scheduler, furniture=furniture, workers=jobs)
    say(f"wrote {n} sentence records to {output}/")
    if failed:
        say(f"{len(failed)} input(s) could not be scored:")
        for origin, message in failed:
            say(f"  {origin}: {' '.join(str(message).split())}")
        return 1 if n else 2
    return 0
