"""``python -m shapecalc``."""

from .cli import console_main

console_main()
