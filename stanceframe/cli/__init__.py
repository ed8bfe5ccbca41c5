"""The installed `stanceframe` command: score, explain, test, sources, compare, segment, suggest, label
and train in one group (`[project.scripts] stanceframe = "stanceframe.cli:main"`, and `python -m stanceframe`)."""

from __future__ import annotations

import typer

from . import predict, train
from .common import Version

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  no_args_is_help=True)


@app.callback()
def group(version: Version = None):
    """Stance and frame of news sentences: score articles, explain a decision, compare outlets, train.

    \b
    Examples:
      stanceframe score article.txt
      stanceframe sources corpus/ --chart outlets.png
      stanceframe train --out mymodel           # in a checkout (the labels are there)
    """


for _name in ("score", "explain", "test", "sources", "compare", "segment"):
    app.command(_name)(getattr(predict, _name))
for _name in ("suggest", "label"):  # labelling a corpus of one's own
    app.command(_name)(getattr(predict, _name))
app.command("train")(train.main)


def main() -> None:
    from ..output import run_cli

    run_cli(app)
