"""Train the stance and frame models from labels/ and report how well they do on unseen outlets.

    python train.py                       # labels/sentences.csv + labels/written.csv -> model/
    python train.py --labels labels/sentences.csv --labels mine.csv --sources my_sources.csv
    python train.py --no-written          # the seed labels only
    python train.py --check               # only validate the labels

The same command as `stanceframe train` (stanceframe/cli/train.py).
"""

from stanceframe.cli.train import app  # noqa: F401

if __name__ == "__main__":
    from stanceframe.output import run_cli

    run_cli(app)
