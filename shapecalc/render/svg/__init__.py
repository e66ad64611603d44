"""NN-SVG-style drawings of an analysis: LeNet, AlexNet and FCNN styles as standalone SVG.

Pure functions, Analysis in, SVG text out; the geometry is computed in Python (no
JavaScript) and the output is the same, byte for byte, for the same spec and options.
``model`` picks the tensors to draw, ``layout`` places them, one module per style draws
them, and ``elements`` writes the SVG.
"""

from __future__ import annotations

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


def analysis_to_svg(analysis: Analysis, options: DrawOptions | None = None, **kwargs: Any) -> str:
    """The drawing of ``analysis`` as an SVG document.

    Args:
        analysis: the analysed network; symbolic specs need values (``analyze(spec, n=28)``)
            and keep their symbolic labels.
        options: a :class:`DrawOptions`; keyword arguments build or override one
            (``style="alexnet"``, ``max_channels=8``, ...).

    Raises:
        DrawError: bad options, or a style that cannot draw this network.
        SubstitutionError: a symbolic spec without values for its symbols.
    """
    options = (
        DrawOptions(**kwargs)
        if options is None
        else (DrawOptions(**{**options.__dict__, **kwargs}))
    )
    style = options.style or default_style(analysis)
    options = options.with_style(style)
    line: LineDrawer
    if style == "fcnn":
        from . import fcnn

        fcnn.check(stages(analysis), options)
        line = fcnn.line
    else:
        from . import alexnet, lenet

        one_line = alexnet.line if style == "alexnet" else lenet.line

        def line(
            drawn: list[Stage], options: DrawOptions, frame: Frame, lead: bool, *_: int
        ) -> list[Group]:
            return one_line(drawn, options, frame, lead)

    fitted = layout(analysis, options, line)
    root = finish(fitted.body, fitted.stages, options)
    title = options.title or f"{style} drawing of a network"
    # The spec on one line, without comments: what was drawn, for screen readers and search.
    lines = (line.split("#")[0].strip() for line in analysis.source.splitlines())
    spec = " ".join(line for line in lines if line)
    description = f"shapecalc {style} drawing of: {spec}"
    return document(
        root, title, description, ratio=fitted.ratio, size=(options.width, options.height)
    )


__all__ = [
    "DEFAULT_COLORS",
    "DIRECTIONS",
    "SCALES",
    "STYLES",
    "DrawError",
    "DrawOptions",
    "Stage",
    "analysis_to_svg",
    "default_style",
    "is_color",
    "parse_colors",
    "parse_fit",
    "stages",
]
