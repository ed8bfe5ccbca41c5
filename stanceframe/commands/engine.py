"""`score --engine dask`: the checks and messages around engine_dask.score."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from ..errors import BadInput
from ..readers import InputFailure
from ..scoring import no_sentences_warning
from . import finish, load, say

ENGINES = ("local", "dask")


def score_dask(inputs, fmt="parquet", level="sentence", output: Path | None = None, columns=None, scheduler=None,
               furniture=None, jobs=2, model=None, allow_empty=False) -> int:
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
    n, failed, empty = engine_dask.score(inputs, output, columns or default_columns(), load(model), say,
                                         scheduler=scheduler, furniture=furniture, workers=jobs)
    for origin in empty:
        say(no_sentences_warning(SimpleNamespace(origin=origin)))  # the warning needs only the origin
    say(f"wrote {n} sentence records to {output}/")
    return finish([InputFailure(origin, str(message)) for origin, message in failed], n, len(empty), allow_empty)
