"""Where the project's bundled files live, and loading its model with the staleness checks."""

from __future__ import annotations

import glob
from pathlib import Path

from . import artifact
from .labels import sha256_file

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "model"
LABELS_GLOB = "labels/*.csv"
SOURCES_CSV = "seeds/sources.csv"


def _label_files_now() -> dict[str, str]:
    files = sorted(glob.glob(str(ROOT / LABELS_GLOB))) + [str(ROOT / SOURCES_CSV)]
    return {str(Path(f).relative_to(ROOT)): sha256_file(Path(f)) for f in files if Path(f).is_file()}


def load_model(model_dir: Path | None = None, say=None) -> artifact.Model:
    """Load model/ (or `model_dir`), warning when it is stale.

    The bundled model folder is trained on first use when a fresh clone has none, saying so.
    """
    model_dir = Path(model_dir) if model_dir else MODEL_DIR
    bundled = model_dir.resolve() == MODEL_DIR
    recovered = artifact.recover(model_dir)  # a training killed while swapping the folder in
    if recovered and say:
        say(f"warning: {recovered}")
    if bundled and not (model_dir / artifact.MANIFEST).is_file() and (ROOT / "labels").is_dir():
        from .training import train

        if say:
            say(f"no trained model in {model_dir}; training one from labels/ first (about 15 s)")
        import os

        cwd = os.getcwd()
        os.chdir(ROOT)  # the manifest records label paths relative to the project
        try:
            train([LABELS_GLOB], [SOURCES_CSV], MODEL_DIR)
        finally:
            os.chdir(cwd)
    labels = _label_files_now() if bundled else None
    model = artifact.load(model_dir, labels)
    if say:
        for w in model.warnings:
            say(f"warning: {w}")
    return model
