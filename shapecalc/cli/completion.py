"""Shell completion inside a spec: layer keywords after ``|`` (or ``(``, ``;``), a layer's
option names after its keyword.

click completes the commands and options itself (``_SHAPECALC_COMPLETE=zsh_source
shapecalc``, see the README); the SPEC argument and the group, where a spec stands first,
call :func:`spec_completions` for the spec's last word. A quoted spec comes as one word (bash
5.2 passes it so); a shell that hands over only its last word gets that completed as a layer
keyword.
"""

from __future__ import annotations

import re
from typing import Any

#: What separates the items of a spec, after which a layer keyword comes.
_ITEM_BREAKS = "|(;\n"


def spec_completions(incomplete: str) -> list[Any]:
    """click completion items for the spec typed so far: the whole text with its last word
    completed, one item per keyword or option that starts with that word."""
    from click.shell_completion import CompletionItem

    from ..layers import REGISTRY
    from ..parser import BRANCH_KINDS

    if not incomplete.strip():
        return []  # a spec starts with its input shape: nothing to propose
    match = re.search(r"[A-Za-z_]*$", incomplete)
    word = match.group(0) if match else ""
    head = incomplete[: len(incomplete) - len(word)]
    before = head.rstrip(" \t")
    if before and before[-1] not in _ITEM_BREAKS and head != before:
        # After a layer's words and a space: an option of that layer (or, for a missing '|',
        # nothing: options are what can follow here).
        item = re.split(r"[|(;\n]", before)[-1].split()
        keyword = re.match(r"[a-z_]+", item[0]) if item else None
        kind = REGISTRY.get(keyword.group(0)) if keyword else None
        names = sorted(kind.options) if kind is not None else []
    elif not before or before[-1] in _ITEM_BREAKS:
        # The input shape comes first: keywords only after a break, or for a bare word (bash).
        names = sorted({*REGISTRY, *BRANCH_KINDS}) if before or not head else []
    else:
        names = []
    return [CompletionItem(head + name) for name in names if name.startswith(word)]


def complete_spec(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """The SPEC argument's ``shell_complete``: :func:`spec_completions`."""
    return spec_completions(incomplete)
