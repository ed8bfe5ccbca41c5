"""Where the project's bundled files live, and loading its model with the staleness checks.

In a checkout (the repository: pyproject.toml beside the package) the model is `model/` and the
labels are in `labels/` and `seeds/`. In an installed wheel the model's scoring files are package
data (`stanceframe/_model/`, copied from `model/` when the wheel is built) and there are no labels.
"""

from __future__ import annotations

import glob
from pathlib import Path

from . import artifact
from .labels import sha256_file

from .errors import BadInput

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "model").is_dir()
MODEL_DIR = ROOT / "model" if CHECKOUT else PACKAGE / "_model"
LABELS_GLOB = "labels/*.csv"
SOURCES_CSV = "seeds/sources.csv"


def _label_files_now() -> dict[str, str]:
    files = sorted(glob.glob(str(ROOT / LABELS_GLOB))) + [str(ROOT / SOURCES_CSV)]
    return {str(Path(f).relative_to(ROOT)): sha256_file(Path(f)) for f in files if Path(f).is_file()}


def load_model(model_dir: Path | None = None, say=None) -> artifact.Model:
    """Load model/ (or `model_dir`), warning when it is stale. Loading never trains."""
    model_dir = Path(model_dir) if model_dir else MODEL_DIR
    bundled = model_dir.resolve() == MODEL_DIR and CHECKOUT  # installed: no labels to compare with
    labels = _label_files_now() if bundled else None
    model = artifact.load(model_dir, labels)
    if say:
        for w in model.warnings:
            say(f"warning: {w}")
    return model


def require_checkout(what: str, instead: str) -> None:
    """Refuse, in one line, what needs the repository's labels when they are not there (an installed wheel)."""
    if not (ROOT / SOURCES_CSV).is_file():
        raise BadInput(f"{what} are bundled only in a checkout of the stanceframe repository, not in an installed "
                       f"package; {instead}")
