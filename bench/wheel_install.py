"""Does `pip install <built wheel>` give a working tool? Builds the wheel from a copy of the project,
installs it into a fresh virtual environment and runs it from a directory outside the repository.

    python bench/wheel_install.py                # deps from PyPI into the fresh venv (a few minutes cold)
    python bench/wheel_install.py --reuse-deps   # the fresh venv sees this interpreter's packages (~15 s)

Checks, each printed ok/FAILED (exit 1 on any failure):
  - the wheel holds stanceframe/_model/ (scoring.json, manifest.json, MODEL_CARD.md, metrics.json,
    model.joblib) and neither labels/ nor bench/;
  - `stanceframe score article.txt` and `python -m stanceframe score article.txt` from another
    directory give the article's table, and the aid sentence comes out pro_ukraine;
  - `python -c "import stanceframe; m = stanceframe.load(); print(m.score([...]))"` works, and
    stanceframe is imported from the fresh venv, not from the checkout;
  - `stanceframe --version`, `stanceframe explain ...`, and `stanceframe sources` without a corpus
    says in one line that the bundled labels are only in a checkout (exit 2).
Too slow for pytest (a venv and an install); .ci/run runs it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILES = ("scoring.json", "manifest.json", "MODEL_CARD.md", "metrics.json", "model.joblib")
SENTENCE = "Baku sent aid to Ukraine."
failures: list[str] = []


def check(ok: bool, what: str, detail: str = "") -> None:
    print(f"{'ok    ' if ok else 'FAILED'} {what}" + (f"\n       {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(what)


def run(cmd, cwd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=900, **kw)


def build(tmp: Path, isolation: bool) -> Path:
    """The wheel, built from a copy (no build/ or egg-info left in the checkout)."""
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("stanceframe", "model"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "_model"))
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp / "dist", src]
    if not isolation:
        cmd.insert(6, "--no-build-isolation")
    started = time.perf_counter()
    done = run(cmd, tmp)
    if done.returncode:
        sys.exit(f"building the wheel failed:\n{done.stdout}{done.stderr}")
    print(f"built the wheel in {time.perf_counter() - started:.1f} s")
    return next((tmp / "dist").glob("stanceframe-*.whl"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reuse-deps", action="store_true", help="let the fresh venv import this interpreter's "
                    "packages (numpy, scikit-learn...) instead of installing them from PyPI")
    ap.add_argument("--no-build-isolation", action="store_true", help="build with this interpreter's setuptools "
                    "(>= 68) instead of an isolated build environment")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sf-wheel-") as t:
        tmp = Path(t)
        wheel = build(tmp, isolation=not args.no_build_isolation)
        names = zipfile.ZipFile(wheel).namelist()
        check(all(f"stanceframe/_model/{f}" in names for f in MODEL_FILES), "the wheel holds stanceframe/_model/")
        check(not any(n.startswith(("labels/", "bench/", "seeds/", "model/")) for n in names),
              "the wheel holds no labels/, seeds/, bench/ or top-level model/")
        venv = tmp / "venv"
        run([sys.executable, "-m", "venv", venv], tmp).check_returncode()
        py, tool = venv / "bin" / "python", venv / "bin" / "stanceframe"
        install = [py, "-m", "pip", "install", "-q", wheel]
        if args.reuse_deps:
            install.insert(4, "--no-deps")
            site = Path(run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).stdout.strip())
            (site / "_reused_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        started = time.perf_counter()
        done = run(install, tmp)
        check(done.returncode == 0, "pip install <wheel> into a fresh venv", done.stderr[-2000:])
        print(f"installed in {time.perf_counter() - started:.1f} s")
        elsewhere = tmp / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "article.txt").write_text((ROOT / "examples" / "article.md").read_text(encoding="utf-8"),
                                               encoding="utf-8")
        for cmd in ([tool, "score", "article.txt"], [py, "-m", "stanceframe", "score", "article.txt"]):
            done = run(cmd, elsewhere, env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"})
            aid = [ln for ln in done.stdout.splitlines() if "Azerbaijan sent" in ln]
            check(done.returncode == 0 and bool(aid) and "pro_ukraine" in aid[0],
                  f"{Path(cmd[0]).name} {' '.join(map(str, cmd[1:]))} from another directory",
                  done.stdout[-1500:] + done.stderr[-1500:])
        code = ("import stanceframe; m = stanceframe.load(); r = m.score([%r]); print(r); "
                "print('FROM', stanceframe.__file__); print('STANCE', r[0]['stance'])" % SENTENCE)
        done = run([py, "-c", code], elsewhere)
        check(done.returncode == 0 and f"FROM {venv}" in done.stdout and "STANCE pro_ukraine" in done.stdout,
              "python -c 'import stanceframe; stanceframe.load().score([...])' (from the fresh venv)",
              done.stdout[-1500:] + done.stderr[-1500:])
        done = run([tool, "--version"], elsewhere)
        check(done.returncode == 0 and done.stdout.startswith("stanceframe "), "stanceframe --version", done.stderr)
        done = run([tool, "explain", SENTENCE, "--format", "json"], elsewhere)
        check(done.returncode == 0 and '"label": "pro_ukraine"' in done.stdout, "stanceframe explain",
              done.stderr[-1500:])
        done = run([tool, "sources"], elsewhere)
        lines = done.stderr.strip().splitlines()
        check(done.returncode == 2 and len(lines) == 1 and "only in a checkout" in lines[0],
              "stanceframe sources without a corpus: one line, the labels are only in a checkout", done.stderr)
    print("all held" if not failures else f"{len(failures)} check(s) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
