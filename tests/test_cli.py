"""The one installed command (stanceframe.cli): its subcommands, --version and an example in every
--help, the same flags in every command, `python -m stanceframe`, tables at 80 columns, and what an
installed package without the repository's labels says. bench/wheel_install.py checks a built wheel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import predict
import train
from stanceframe import __version__
from stanceframe.cli import app

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "article.md"
COMMANDS = ("score", "explain", "test", "sources", "compare", "segment", "train", "suggest", "label")
runner = CliRunner()


def invoke(*args, app=app, env=None):
    result = runner.invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_one_command_with_every_subcommand():
    assert {c.name for c in app.registered_commands} == set(COMMANDS)
    assert "stanceframe" in (ROOT / "pyproject.toml").read_text() and \
        'stanceframe = "stanceframe.cli:main"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_version_and_an_example(command):
    assert invoke(command, "--version").stdout.strip() == f"stanceframe {__version__}"
    help_ = invoke(command, "--help").stdout
    assert "Example" in help_ and f"stanceframe {command}" in help_


@pytest.mark.parametrize("command", ["score", "explain", "sources", "compare", "segment", "train"])
def test_flags_mean_the_same_everywhere(command):
    help_ = invoke(command, "--help").stdout
    assert "-f, --format" in help_ and "--output" in help_ and "-o," in help_
    if command in ("score", "sources", "compare", "train"):
        assert "-j, --jobs" in help_


def test_train_keeps_n_jobs_and_out_as_before():
    help_ = invoke("--help", app=train.app).stdout
    assert "--n-jobs" in help_ and "--out" in help_ and "--jobs" in help_
    assert invoke("--version", app=train.app).stdout.strip() == f"stanceframe {__version__}"
    assert invoke("--version", app=predict.app).stdout.strip() == f"stanceframe {__version__}"


def test_python_m_stanceframe(tmp_path):
    done = subprocess.run([sys.executable, "-m", "stanceframe", "explain", "Baku sent aid to Ukraine.", "-f", "json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stance"]["label"] == "pro_ukraine"


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").splitlines()


@pytest.mark.parametrize("args", [("score", ARTICLE), ("score", ARTICLE, "--level", "article"), ("sources",),
                                  ("explain", "Baku did not join the Western sanctions against Russia."),
                                  ("compare", "000", "004")])
def test_tables_fit_80_columns(args):
    """At COLUMNS=80 no line is wider than 80, no table is cropped, and no cell is cut to a column of
    single characters (the narrow layouts stack figures instead)."""
    args = (*args, "--n-boot", "50") if args[0] in ("sources", "compare") else args
    result = invoke(*args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    lines = _lines(result.stdout)
    assert lines and max(len(ln) for ln in lines) <= 80
    rows = [ln.rstrip() for ln in lines if ln[:1] in "┏┃┡│└├"]
    assert rows and all(r[-1:] in "┓┃┩│┘┤" for r in rows)  # every row keeps its right border: nothing cropped
    cells = [c.strip() for r in rows for c in r.strip("┃│").replace("┃", "│").split("│")]
    assert not any(c.endswith("…") for c in cells)
    header = [r for r in rows if r.startswith("┃")]
    assert all(len(c.strip()) != 1 or c.strip() == "#" for h in header for c in h.strip("┃").split("┃"))


def test_score_table_at_80_columns_shows_every_sentence_whole():
    result = invoke("score", ARTICLE, env={"COLUMNS": "80"})
    text = " ".join(ln.strip("│ ").split("│")[-1].strip() for ln in _lines(result.stdout) if ln.startswith("│"))
    assert "Azerbaijan sent another shipment of humanitarian aid to Ukraine" in " ".join(text.split())
    stance_frame = [ln.split("│")[2].strip() for ln in _lines(result.stdout) if ln.startswith("│ 1 ")]
    assert stance_frame and stance_frame[0].startswith("pro_ukraine ")


def test_installed_package_without_labels_says_so_in_one_line(monkeypatch, tmp_path):
    from stanceframe import project

    monkeypatch.setattr(project, "ROOT", tmp_path)  # as in a wheel: no seeds/ or labels/ beside the package
    result = invoke("sources")
    assert result.exit_code == 2
    lines = _lines(result.stderr)
    assert len(lines) == 1 and "only in a checkout" in lines[0]
    result = invoke("train", "--check")
    assert result.exit_code == 2 and len(_lines(result.stderr)) == 1 and "only in a checkout" in result.stderr


def test_the_wheel_ships_the_model_files():
    setup = (ROOT / "setup.py").read_text()
    for name in ("scoring.json", "manifest.json", "MODEL_CARD.md", "metrics.json", "model.joblib"):
        assert f'"{name}"' in setup and (ROOT / "model" / name).is_file()
