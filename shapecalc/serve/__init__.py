"""``shapecalc serve``: a local playground page where the table, the formulas and the drawing
follow the spec as you type.

:func:`make_server` makes the server (the standard library's ``ThreadingHTTPServer``, see
:mod:`shapecalc.serve.server` for why), :mod:`shapecalc.serve.api` answers its JSON API with
the same library calls as the command line, and ``static/`` holds the page (plain HTML, CSS
and JavaScript) and KaTeX, vendored (see ``static/katex/README.txt``). Nothing here is
imported by the calculator: ``shapecalc serve`` imports it when it runs.
"""

from __future__ import annotations

from .server import CSP, MAX_BODY, PlaygroundServer, make_server, serve_in_thread

__all__ = ["CSP", "MAX_BODY", "PlaygroundServer", "make_server", "serve_in_thread"]
