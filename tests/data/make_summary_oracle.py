"""Run once with the main code at a5bef88 (before summary internals changed) to write today's results on the
invented corpus of tests/scored_corpus.py: `PYTHONPATH=. python tests/data/make_summary_oracle.py tests/data/summary_oracle.json`."""
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import scored_corpus
from typer.testing import CliRunner
import predict
r = CliRunner()
OUT = Path(sys.argv[1]).resolve()
d = Path(tempfile.mkdtemp())
corpus = scored_corpus.write(d / "corpus.jsonl")
scored_corpus.write_two(d)
os.chdir(d)
out = {}
for key, args in {"sources": ["sources", "corpus.jsonl"], "sources_over_month": ["sources", "corpus.jsonl", "--over", "month"],
                  "compare": ["compare", "a.jsonl", "b.jsonl"]}.items():
    res = r.invoke(predict.app, [*args, "--format", "json", "--n-boot", "200"])
    assert res.exit_code == 0, res.output
    out[key] = json.loads(res.stdout)
    print(key, res.stderr)
Path(OUT).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
