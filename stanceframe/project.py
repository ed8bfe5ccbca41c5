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
    """Load model/ (or `model_dir`), warning when it is stale. Loading never trains."""
    model_dir = Path(model_dir) if model_dir else MODEL_DIR
    bundled = model_dir.resolve() == MODEL_DIR
    labels = _label_files_now() if bundled else None
    model = artifact.load(model_dir, labels)
    if say:
        for w in model.warnings:
            say(f"warning: {w}")
    return model
