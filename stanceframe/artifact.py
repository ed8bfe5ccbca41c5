"""The saved model: fitted pipelines, provenance and the checks made before trusting them.

``model/`` holds ``model.joblib`` (both fitted sklearn pipelines), ``scoring.json`` (the same
pipelines' weights and the stance quantifier as plain numbers, see `linear`), ``manifest.json``
(the sha256 of every file written, library versions, the labels' hashes), ``metrics.json`` and
``MODEL_CARD.md``. Scoring reads only ``scoring.json``. joblib files are pickles, which can run
code when loaded, so ``model.joblib`` is unpickled (for ``explain``) only when its sha256 is the
one recorded when the project wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StanceframeError
from .labels import sha256_file

MODEL_FILE = "model.joblib"
SCORING_FILE = "scoring.json"
MANIFEST = "manifest.json"
FORMAT = 1
RETRAIN = "run `python train.py`"


class ModelError(StanceframeError):
    """The model folder is missing, corrupt or foreign (exit 1)."""


@dataclass
class Model:
    """What scoring needs: the exported weights, the stance quantifier, provenance and warnings."""

    linear: object  # stanceframe.linear.LinearModel
    quantifier: object  # stanceframe.quantify.Quantifier
    manifest: dict
    model_dir: Path
    warnings: list[str] = field(default_factory=list)

    def pipelines(self):
        """The fitted sklearn pipelines (stance, frame), checked and unpickled on demand."""
        return load_pipelines(self.model_dir, self.manifest)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    from .output import direct_target, rename_target

    data = data.encode("utf-8") if isinstance(data, str) else data
    if direct_target(path):  # a device or FIFO (/dev/null, /dev/stdout): written in place, never renamed over
        with open(path, "wb") as fh:
            fh.write(data)
        return
    path = rename_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(out: Path, stance, frame, quantifier, manifest: dict) -> dict:
    """Write model.joblib, scoring.json and manifest.json atomically; return the manifest with hashes."""
    import joblib

    from .linear import export

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scoring = json.dumps({"linear": json.loads(export(stance, frame)), "quantifier": quantifier.to_dict()},
                         separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{MODEL_FILE}.", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump({"format": FORMAT, "stance": stance, "frame": frame}, tmp)
        digest = sha256_file(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out / MODEL_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    write_atomic(out / SCORING_FILE, scoring)
    files = {MODEL_FILE: digest, SCORING_FILE: hashlib.sha256(scoring.encode("utf-8")).hexdigest()}
    manifest = {**manifest, "format": FORMAT, "files": files}
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def library_versions() -> dict:
    import joblib
    import numpy
    import scipy
    import sklearn

    return {"scikit-learn": sklearn.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "joblib": joblib.__version__}


def _manifest(model_dir: Path) -> dict:
    path = model_dir / MANIFEST
    if not path.is_file():
        raise ModelError(f"{model_dir}: no trained model here (no {MANIFEST}); {RETRAIN}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not all(isinstance(manifest["files"][f], str) for f in (MODEL_FILE, SCORING_FILE)):
            raise TypeError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ModelError(f"{path}: not a stanceframe manifest; {RETRAIN}") from None
    return manifest


def _checked_bytes(model_dir: Path, name: str, manifest: dict) -> bytes:
    path = model_dir / name
    if not path.is_file():
        raise ModelError(f"{path}: missing; {RETRAIN}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != manifest["files"][name]:
        raise ModelError(
            f"{path}: its sha256 is not the one recorded when it was written (corrupt, truncated or replaced); "
            f"not loading it; {RETRAIN}"
        )
    return data


def load(model_dir: Path, labels: dict[str, str] | None = None) -> Model:
    """Load a model folder for scoring after checking it; `labels` maps label files to their sha256 now."""
    from .linear import LinearModel
    from .quantify import Quantifier

    model_dir = Path(model_dir)
    manifest = _manifest(model_dir)
    data = _checked_bytes(model_dir, SCORING_FILE, manifest)
    try:
        spec = json.loads(data)
        linear, quantifier = LinearModel(spec["linear"]), Quantifier.from_dict(spec["quantifier"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{model_dir / SCORING_FILE}: cannot be read ({exc}); {RETRAIN}") from None
    warnings = []
    if labels is not None and manifest.get("labels", {}) != labels:
        warnings.append(f"the model was trained on other labels than those in labels/ now; {RETRAIN}")
    return Model(linear, quantifier, manifest, model_dir, warnings)


def load_pipelines(model_dir: Path, manifest: dict | None = None):
    """The fitted (stance, frame) pipelines; warns (returned) when scikit-learn's version differs."""
    model_dir = Path(model_dir)
    manifest = manifest or _manifest(model_dir)
    data = _checked_bytes(model_dir, MODEL_FILE, manifest)
    import io

    import joblib
    import sklearn

    try:
        bundle = joblib.load(io.BytesIO(data))
        stance, frame = bundle["stance"], bundle["frame"]
    except Exception as exc:  # a pickle from an incompatible library version fails in many ways
        raise ModelError(f"{model_dir / MODEL_FILE}: cannot be loaded ({type(exc).__name__}: {exc}); {RETRAIN}") from None
    warnings = []
    saved = manifest.get("versions", {}).get("scikit-learn")
    if saved != sklearn.__version__:
        warnings.append(f"the model was saved with scikit-learn {saved}, this is {sklearn.__version__}; {RETRAIN}")
    return stance, frame, warnings
