"""Build hook: the trained model's files ship in the wheel as package data (stanceframe/_model/).

model/ stays the source of truth in the repository and is what a checkout loads; building a wheel
copies its scoring files into the built package, so `pip install <wheel>` gives a working tool.
Metadata lives in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODEL_FILES = ("scoring.json", "manifest.json", "MODEL_CARD.md", "metrics.json", "model.joblib")


class build_py_with_model(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads model/ in place
            return
        source = Path(__file__).resolve().parent / "model"
        target = Path(self.build_lib) / "stanceframe" / "_model"
        target.mkdir(parents=True, exist_ok=True)
        for name in MODEL_FILES:
            shutil.copyfile(source / name, target / name)


setup(cmdclass={"build_py": build_py_with_model})
