"""The saved model: fitted pipelines, provenance and the checks made before trusting them.

``model/`` holds ``model.joblib`` (both fitted sklearn pipelines), ``scoring.json`` (the same
pipelines' weights and the stance quantifier as plain numbers, see `linear`), ``manifest.json``
(the sha256 of every file written, library versions, the labels' hashes), ``metrics.json`` and
``MODEL_CARD.md``. The tool reads only ``scoring.json`` (score, explain, sources, compare): nothing
is unpickled at run time. ``model.joblib`` is written for scikit-learn users and for the tests that
check the exported weights against the pipelines; a pickle can run code when loaded, and the sha256
in the unsigned manifest beside it proves nothing about who wrote it, so load it only if you made
it. To hand pipelines to someone else, use skops, which rebuilds them without running code::

    import skops.io as sio
    sio.dump(pipeline, "stance.skops")
    pipeline = sio.load("stance.skops", trusted=["stanceframe.features.clean",
                                                 "stanceframe.features.concepts"])

(the two preprocessors are plain functions so that this fixed list is all skops needs).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadInput, StanceframeError
from .labels import sha256_file

MODEL_FILE = "model.joblib"
SCORING_FILE = "scoring.json"
MANIFEST = "manifest.json"
FORMAT = 1
RETRAIN = "run `python train.py` (in a checkout; installed: `stanceframe train --out DIR` with your labels)"


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


def model_id(model: Model) -> str:
    """Which model this is, in scored output's metadata, in summaries' basis and in labelling tasks:
    the first 12 hex digits of its scoring.json sha256 (the manifest checks that file's bytes)."""
    return model.manifest["files"][SCORING_FILE][:12]


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


@contextmanager
def exclusive(lock: Path, busy: str):
    """Hold an advisory lock on the file `lock` for the block; while another process holds it, a
    one-line error `busy` (exit 1). The lock file stays: removing it would race with a third process."""
    import fcntl

    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StanceframeError(busy) from None
        yield
    finally:
        os.close(fd)


@contextmanager
def locked(out: Path):
    """Hold the lock of model folder `out` (``.out.lock`` beside it), so that two trainings on one
    folder cannot interleave; the second gets a one-line error (exit 1). Fails the same way when a
    new folder cannot be made beside `out`: checked before training, not after it."""
    out = Path(out)
    lock = out.parent / f".{out.name}.lock"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(lock, os.O_RDWR | os.O_CREAT, 0o644))
        os.rmdir(tempfile.mkdtemp(dir=out.parent, prefix=f"{out.name}.tmp-"))  # where the new folder is built
    except OSError as exc:
        raise StanceframeError(f"{out}: cannot write the model folder there ({exc.strerror})") from None
    with exclusive(lock, f"{out}: another training is writing this model folder now (it holds {lock}); "
                         "wait for it to finish or name another --out"):
        yield


@contextmanager
def _signals_held():
    """SIGINT, SIGTERM and SIGHUP wait (and are delivered after) while the block runs."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def replacing(out: Path):
    """Yield a new, empty folder beside `out` to write a model into; when the block ends without an
    error it replaces `out` whole. A kill or an error at any moment leaves the old model or the new one
    complete in `out` (or, killed between the two renames, the old one in ``out.old-*``, which
    `load` puts back). Files in the old folder that the new one lacks are carried over.
    Hold `locked(out)` around it."""
    out = Path(out)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f"{out.name}.tmp-*"):  # left by a killed training (we hold the lock)
        shutil.rmtree(stale, ignore_errors=True)
    new = Path(tempfile.mkdtemp(dir=parent, prefix=f"{out.name}.tmp-"))
    try:
        os.chmod(new, 0o755)
        yield new
        if out.is_dir():
            for item in out.iterdir():
                if not (new / item.name).exists() and not item.name.startswith("."):
                    (shutil.copytree if item.is_dir() else shutil.copy2)(item, new / item.name)
        _swap(new, out)
    finally:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)


def _swap(new: Path, out: Path) -> None:
    old = None
    _fsync_tree(new)
    with _signals_held():
        if out.exists():
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{out.name}.old-"))
            os.rename(out, old)  # onto the empty folder just made: a name nobody else uses
        os.rename(new, out)
    _fsync_dir(out.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    for stale in out.parent.glob(f"{out.name}.old-*"):  # left by a training killed after its swap
        shutil.rmtree(stale, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for item in folder.iterdir():
        if item.is_file():
            with open(item, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _complete(model_dir: Path) -> bool:
    try:
        manifest = _manifest(model_dir)
        for name in (MODEL_FILE, SCORING_FILE):
            _checked_bytes(model_dir, name, manifest)
        return True
    except ModelError:
        return False


def recover(model_dir: Path) -> str | None:
    """When `model_dir` is missing because a training was killed between its two renames, put the
    old model (``model_dir.old-*``, if complete) back; say what was done, or None."""
    model_dir = Path(model_dir)
    if model_dir.exists() or not model_dir.parent.is_dir():
        return None
    for old in sorted(model_dir.parent.glob(f"{model_dir.name}.old-*"), key=lambda p: p.stat().st_mtime,
                      reverse=True):
        if _complete(old):
            try:
                os.rename(old, model_dir)
            except OSError as exc:
                raise ModelError(f"{model_dir}: missing; a training was interrupted while replacing it and the "
                                 f"old model is in {old}, which could not be moved back ({exc.strerror}); "
                                 f"rename it to {model_dir.name}") from None
            return f"{model_dir}: a training was interrupted while replacing this model; the old model was put back"
    return None


def save(out: Path, stance, frame, quantifier, manifest: dict) -> dict:
    """Write model.joblib, scoring.json and manifest.json atomically; return the manifest with hashes.

    Each file is atomic, the folder is not: write into the folder `replacing` yields."""
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
    if not model_dir.exists():  # after recovery from an interrupted swap: a typo in --model is bad input
        raise BadInput(f"{model_dir}: no such model folder (--model names a folder train.py wrote)")
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
    recovered = recover(model_dir)
    manifest = _manifest(model_dir)
    data = _checked_bytes(model_dir, SCORING_FILE, manifest)
    try:
        spec = json.loads(data)
        linear, quantifier = LinearModel(spec["linear"]), Quantifier.from_dict(spec["quantifier"])
        if sorted(quantifier.classes) != sorted(linear.classes["stance"]):
            raise ValueError(f"the quantifier's classes {quantifier.classes} are not the stance model's "
                             f"{linear.classes['stance']}")
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ModelError(f"{model_dir / SCORING_FILE}: cannot be read ({exc}); {RETRAIN}") from None
    from .features import fingerprint

    if manifest.get("features_fingerprint") != fingerprint():
        raise ModelError(f"{model_dir}: trained with other feature code or word lists than this stanceframe has "
                         "(features fingerprint differs), so its weights may be read wrongly; " + RETRAIN)
    warnings = [recovered] if recovered else []
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
