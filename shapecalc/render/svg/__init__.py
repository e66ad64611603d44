"""NN-SVG-style drawings of an analysis: LeNet, AlexNet, FCNN and graph styles as standalone
SVG.

Pure functions, Analysis in, SVG text out; the geometry is computed in Python (no
JavaScript) and the output is the same, byte for byte, for the same spec and options.
``model`` picks the tensors to draw, ``layout`` places them, one module per style draws
them, and ``elements`` writes the SVG.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...analysis import Analysis
from ...errors import DrawError
from .elements import Group, document
from .fit import LineDrawer, layout
from .layout import (
    DEFAULT_COLORS,
    DIRECTIONS,
    SCALES,
    STYLES,
    DrawOptions,
    Frame,
    finish,
    is_color,
    parse_colors,
    parse_fit,
)
from .model import Stage, stages


def default_style(analysis: Analysis) -> str:
    """lenet when the network has feature maps, fcnn when every tensor is a vector."""
    shapes = [analysis.input_shape, *(row.output_shape for row in analysis.rows)]
    return "fcnn" if all(s.is_flat for s in shapes) else "lenet"


def _drawing(analysis: Analysis, options: DrawOptions) -> tuple[Group, float | None, str]:
    """The drawing's tree, the ratio its page is padded to, and the style it was drawn in."""
    style = options.style or default_style(analysis)
    options = options.with_style(style)
    line: LineDrawer
    shape = ""
    if style == "fcnn":
        from . import fcnn

        fcnn.check(stages(analysis), options)
        line = fcnn.line
    elif style == "graph":
        from . import graph

        line = graph.line
    else:
        from . import alexnet, branches, lenet

        one_line = alexnet.line if style == "alexnet" else lenet.line
        shape = "u" if branches.is_u(analysis) else "lanes"
        u_shape = shape == "u"

        def line(
            drawn: list[Stage], options: DrawOptions, frame: Frame, lead: bool, *_: int
        ) -> list[Group]:
            return one_line(drawn, options, frame, lead, u_shape)

    fitted = layout(analysis, options, line, shape)
    return finish(fitted.body, fitted.stages, options), fitted.ratio, style


def _options(options: DrawOptions | None, kwargs: dict[str, Any]) -> DrawOptions:
    if options is None:
        return DrawOptions(**kwargs)
    return DrawOptions(**{**options.__dict__, **kwargs})


def analysis_to_svg(analysis: Analysis, options: DrawOptions | None = None, **kwargs: Any) -> str:
    """The drawing of ``analysis`` as an SVG document.

    Args:
        analysis: the analysed network; symbolic specs need values (``analyze(spec, n=28)``)
            and keep their symbolic labels.
        options: a :class:`DrawOptions`; keyword arguments build or override one
            (``style="alexnet"``, ``max_channels=8``, ``fit="16:9"``, ``depth=1``, ...).

    Raises:
        DrawError: bad options, or a style that cannot draw this network.
        SubstitutionError: a symbolic spec without values for its symbols.
    """
    options = _options(options, kwargs)
    root, ratio, style = _drawing(analysis, options)
    title = options.title or f"{style} drawing of a network"
    # The spec on one line, without comments: what was drawn, for screen readers and search.
    lines = (line.split("#")[0].strip() for line in analysis.source.splitlines())
    spec = " ".join(line for line in lines if line)
    description = f"shapecalc {style} drawing of: {spec}"
    return document(root, title, description, ratio=ratio, size=(options.width, options.height))


def analysis_preview(
    analysis: Analysis,
    options: DrawOptions | None = None,
    columns: int = 100,
    env: Mapping[str, str] | None = None,
    protocol: str | None = None,
    width_px: int | None = None,
    required: bool = False,
    **kwargs: Any,
) -> str:
    """The drawing for a terminal: an image in ``protocol`` (``kitty`` or ``sixel``), or
    the same layout in Unicode, ``columns`` wide, for ``text`` (see :mod:`.terminal`).

    Args:
        protocol: ``kitty``, ``sixel`` or ``text``; None: kitty when ``env`` (default: the
            process's environment) says the terminal is kitty, else text. Sixel is never
            guessed from the environment: the command line asks the terminal.
        width_px: the image's width at most, in pixels (the terminal's); default
            ``columns`` cells of :data:`.terminal.CELL_WIDTH_PX`.
        required: raise when the image cannot be made (no resvg-py) instead of falling
            back to the Unicode rendering, as a protocol asked for by name does.

    Raises:
        DrawError, SubstitutionError: as :func:`analysis_to_svg`; DrawError also for an
            unknown protocol, and for no image when ``required``.
    """
    import os

    from .terminal import CELL_WIDTH_PX, PROTOCOLS, image_protocol, terminal_image, to_text

    options = _options(options, kwargs)
    if protocol is None:
        protocol = image_protocol(os.environ if env is None else env) or "text"
    if protocol != "text" and protocol not in PROTOCOLS:
        raise DrawError(f"unknown preview {protocol!r}: {', '.join((*PROTOCOLS, 'text'))}")
    if protocol != "text":
        svg = analysis_to_svg(analysis, options)
        try:
            return terminal_image(svg, protocol, width_px or columns * CELL_WIDTH_PX)
        except DrawError:
            if required:
                raise
            # No resvg-py, say: the Unicode rendering is still a picture.
    root, _, _ = _drawing(analysis, options)
    return to_text(root, columns)


__all__ = [
    "DEFAULT_COLORS",
    "DIRECTIONS",
    "SCALES",
    "STYLES",
    "DrawError",
    "DrawOptions",
    "Stage",
    "analysis_preview",
    "analysis_to_svg",
    "default_style",
    "is_color",
    "parse_colors",
    "parse_fit",
    "stages",
]
