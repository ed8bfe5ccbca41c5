"""Score articles for stance and frame, explain a decision, and compare outlets.

    python predict.py score article.txt                 # a table on the terminal
    python predict.py score corpus.jsonl --format jsonl --output scored.jsonl
    python predict.py segment page.txt                  # every line: kept (as what) or dropped (by which rule)
    python predict.py explain "Baku did not join the sanctions against Russia."
    python predict.py sources                           # the seed outlets, from the gold labels
    python predict.py sources corpus/ --chart outlets.png
    python predict.py compare 000 004

The same commands as the installed `stanceframe` command (stanceframe/cli/predict.py).
"""

from stanceframe.cli.predict import app  # noqa: F401
from stanceframe.scoring import ARTICLE_FIELDS, SENTENCE_FIELDS  # noqa: F401  (the record schema)

if __name__ == "__main__":
    from stanceframe.output import run_cli

    run_cli(app)
