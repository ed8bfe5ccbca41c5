"""The saved model: fitted pipelines, provenance and the checks made before trusting them.

``model/`` holds ``model.joblib`` (both pipelines and the stance quantifier), ``manifest.json`` (the
sha256 of every file written, library versions, the labels' hashes), ``metrics.json`` and
``MODEL_CARD.md``. joblib files are pickles, which can run code when loaded, so a model file is
unpickled only when its sha256 is the one recorded when the project wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StanceframeError

MODEL_FILE = "model.joblib"
MANIFEST = "manifest.json"
FORMAT = 1
RETRAIN = "run `python train.py`"


class ModelError(StanceframeError):
    """The model folder is missing, corrupt or foreign (exit 1)."""


@dataclass
class Model:
    stance: object  # fitted sklearn Pipeline
    frame: object
    quantifier: object  # stanceframe.model.Quantifier
    manifest: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def stance_classes(self) -> list[str]:
        return list(self.stance.classes_)

    @property
    def frame_classes(self) -> list[str]:
        return list(self.frame.classes_)

    def vocabulary(self) -> dict:
        """The word vocabulary of the stance model, for the coverage check."""
        return self.stance.named_steps["features"].transformer_list[0][1].vocabulary_


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(out: Path, stance, frame, quantifier, manifest: dict) -> dict:
    """Write model.joblib and manifest.json atomically; return the manifest with the file hash."""
    import joblib

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{MODEL_FILE}.", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump({"format": FORMAT, "stance": stance, "frame": frame, "quantifier": quantifier}, tmp)
        digest = sha256(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out / MODEL_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    manifest = {**manifest, "format": FORMAT, "files": {MODEL_FILE: digest}}
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def library_versions() -> dict:
    import joblib
    import numpy
    import scipy
    import sklearn

    return {"scikit-learn": sklearn.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "joblib": joblib.__version__}


def load(model_dir: Path, labels: dict[str, str] | None = None) -> Model:
    """Load a model folder after checking it; `labels` maps label file paths to their current sha256."""
    model_dir = Path(model_dir)
    manifest_path = model_dir / MANIFEST
    if not manifest_path.is_file():
        raise ModelError(f"{model_dir}: no trained model here (no {MANIFEST}); {RETRAIN}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        recorded = manifest["files"][MODEL_FILE]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ModelError(f"{manifest_path}: not a stanceframe manifest; {RETRAIN}") from None
    model_path = model_dir / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{model_path}: missing; {RETRAIN}")
    if sha256(model_path) != recorded:
        raise ModelError(
            f"{model_path}: its sha256 is not the one recorded when it was written (corrupt, truncated or "
            f"replaced); not loading it, since joblib files are pickles; {RETRAIN}"
        )
    import joblib

    try:
        bundle = joblib.load(model_path)
        stance, frame, quantifier = bundle["stance"], bundle["frame"], bundle["quantifier"]
    except Exception as exc:  # a pickle from an incompatible library version fails in many ways
        raise ModelError(f"{model_path}: cannot be loaded ({type(exc).__name__}: {exc}); {RETRAIN}") from None
    warnings = []
    import sklearn

    saved = manifest.get("versions", {}).get("scikit-learn")
    if saved != sklearn.__version__:
        warnings.append(f"the model was saved with scikit-learn {saved}, this is {sklearn.__version__}; {RETRAIN}")
    if labels is not None:
        trained = manifest.get("labels", {})
        if trained != labels:
            warnings.append(f"the model was trained on other labels than those in labels/ now; {RETRAIN}")
    return Model(stance, frame, quantifier, manifest, warnings)
