"""`python -m stanceframe ...`: the installed `stanceframe` command."""

from .cli import main

main()
