"""Does `python train.py` reproduce the committed model/ byte for byte? (The Quickstart retrains
over tracked files, so `git status` must stay clean after it.)

    python bench/reproduce.py

Trains into a temporary folder and compares every file with model/.
"""

import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
with tempfile.TemporaryDirectory() as tmp:
    out = Path(tmp) / "model"
    subprocess.run([sys.executable, str(root / "train.py"), "--quiet", "--out", str(out)], check=True)
    names = sorted(p.name for p in (root / "model").iterdir())
    differ = [n for n in names if not filecmp.cmp(root / "model" / n, out / n, shallow=False)]
    for n in names:
        print(f"{'same   ' if n not in differ else 'DIFFERS'} model/{n}")
    print("reproduced byte for byte" if not differ else f"{len(differ)} file(s) differ")
    sys.exit(1 if differ else 0)
