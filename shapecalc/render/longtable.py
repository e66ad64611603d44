"""A rich table of plain-text cells that renders long tables quickly, with rich's exact layout.

rich lays out every cell of a :class:`rich.table.Table` through its general machinery
(measure, wrap, pad, crop), about 100 µs a cell here: a 10,000-layer table took 4 s. Almost
every cell of ours is short ASCII text that fits its column, and such a cell renders as the
text padded to the column's width. :class:`PlainTable` keeps rich for everything that
decides the layout and for any cell that is not that simple, so its output is byte for byte
rich's (``tests/properties/test_longtable_vs_rich.py`` compares the two over generated tables):

- the column widths are rich's own, computed on a stand-in table that holds, per column,
  only the cell that needs the most room unwrapped and the one with the longest word (a
  column's measurement is the largest of its cells', so these two decide it);
- the header row, and every row with a cell that is not simple (wide or non-ASCII
  characters, a trailing space, text longer than the column, so that it wraps), is
  rendered by rich's cell code exactly as :class:`rich.table.Table` renders it;
- every other row is joined as one string; its cells and borders have no style, so how the
  text is split into segments does not change what is printed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import speedups

#: The private members of rich's Table the fast path uses. They exist in rich 13 to 15;
#: that they behave as the fast path expects is what tests/properties/
#: test_longtable_vs_rich.py checks, against the installed rich only.
_BORROWED = ("_extra_width", "_calculate_column_widths")


def simple(text: str) -> bool:
    """Printable ASCII (one column a character, no tabs or line breaks) without trailing
    space: rich renders it as the text itself, padded."""
    return text.isascii() and text.isprintable() and not text.endswith(" ")


def _measure(text: str) -> tuple[int, int]:
    """rich's (minimum, maximum) width of ``Text(text)``: its longest word, its longest line."""
    if text.isascii() and text.isprintable():
        words = text.split()
        return (max(map(len, words)) if words else len(text)), len(text)
    from rich.cells import cell_len
    from rich.text import Text

    plain = Text(text).plain  # as rich sees it: control codes removed
    lines = plain.splitlines()
    widest = max((cell_len(line) for line in lines), default=0)
    words = plain.split()
    return (max(cell_len(word) for word in words) if words else widest), widest


class PlainTable:
    """A rich renderable printing as the table ``make_table()`` with ``rows`` added as plain
    text (``Text(cell)``, never markup) prints, in time linear in the cells with a small
    constant.

    ``make_table`` returns a new :class:`rich.table.Table` with its columns and no rows.
    Tables with a title, caption, footer, row styles, styled columns or borders, or other
    than rich's default cell padding are rendered by rich itself (the fast path writes
    unstyled cells).
    """

    def __init__(self, make_table: Callable[[], Any], rows: Sequence[Sequence[str]]) -> None:
        self.make_table = make_table
        self.table = make_table()
        self.rows = [tuple(row) for row in rows]
        self._stand_in: Any = None
        self._full: Any = None

    def _plain_styles(self, console: Any) -> bool:
        t = self.table

        def styled(style: Any) -> bool:
            return bool(console.get_style(style or ""))

        return not (
            t.title
            or t.caption
            or t.show_footer
            or not t.show_header
            or t.show_lines
            or t.leading
            or styled(t.style)
            or styled(t.border_style)
            or t.row_styles
            or t.collapse_padding
            or not t.pad_edge
            or tuple(t.padding) != (0, 1, 0, 1)
            or t.box is None
            or not t.show_edge
            or any(styled(c.style) or c.vertical != "top" or c.highlight for c in t.columns)
        )

    def _copy(self, rows: Sequence[Sequence[str]]) -> Any:
        """A rich table with these columns and ``rows``."""
        from rich.text import Text

        table = self.make_table()
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        return table

    def full(self) -> Any:
        """The same table built by rich, every cell laid out by rich (slow on long tables)."""
        if self._full is None:
            self._full = self._copy(self.rows)
        return self._full

    def stand_in(self) -> Any:
        """A table that rich measures as it measures the full one, with at most two rows."""
        if self._stand_in is None:
            if not self.rows:
                self._stand_in = self._copy([])
            else:
                widest: list[tuple[int, str]] = []  # per column: largest maximum, its cell
                longest: list[tuple[int, str]] = []  # per column: largest minimum, its cell
                for column in zip(*self.rows):
                    measured = [(_measure(cell), cell) for cell in column]
                    widest.append(max(((m[1], c) for m, c in measured), key=lambda x: x[0]))
                    longest.append(max(((m[0], c) for m, c in measured), key=lambda x: x[0]))
                self._stand_in = self._copy(
                    [tuple(c for _, c in widest), tuple(c for _, c in longest)]
                )
        return self._stand_in

    def rendered_width(self, console: Any, max_width: int) -> int:
        """How wide the table prints at ``max_width``: rich's own column widths, which can
        exceed it (a column's ``min_width`` wins over the width available)."""
        from rich.measure import Measurement

        stand_in = self.stand_in() if speedups.long_table() else self.full()
        if not all(hasattr(stand_in, name) for name in _BORROWED):
            options = console.options.update_width(max_width)
            return int(Measurement.get(console, options, stand_in).maximum)
        extra = stand_in._extra_width
        options = console.options.update_width(max(1, max_width - extra))
        return int(sum(stand_in._calculate_column_widths(console, options)) + extra)

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        measured = self.stand_in() if speedups.long_table() else self.full()
        return measured.__rich_measure__(console, options)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        # Without the private members the fast path borrows, rich's own layout.
        borrowed = all(hasattr(self.table, name) for name in _BORROWED)
        fast = speedups.long_table()  # off: rich's own layout (shapecalc.speedups)
        if not fast or not borrowed or not self._plain_styles(console) or not self.table.columns:
            yield from self.full().__rich_console__(console, options)
            return
        yield from self._render(console, options)

    def _render(self, console: Any, options: Any) -> Any:
        """As ``Table.__rich_console__`` then ``Table._render`` for this table's settings."""
        from rich.padding import Padding
        from rich.segment import Segment
        from rich.style import Style
        from rich.text import Text

        table = self.table
        stand_in = self.stand_in()
        max_width = options.max_width if table.width is None else table.width
        extra_width = stand_in._extra_width
        widths = stand_in._calculate_column_widths(
            console, options.update_width(max_width - extra_width)
        )
        options = options.update(
            width=sum(widths) + extra_width, highlight=table.highlight, height=None
        )
        safe = console.safe_box if table.safe_box is None else table.safe_box
        box = table.box.substitute(options, safe=safe)
        border = console.get_style(table.style or "") + console.get_style(table.border_style or "")
        new_line = Segment.line()
        columns = table.columns
        header_style = console.get_style(table.header_style or "")
        padding = (0, 1, 0, 1)

        def rendered_row(cells: Sequence[Any], styles: Sequence[Any], header: bool) -> Any:
            """Every cell's lines as rich's table renders them, padded to one height."""
            lines = []
            for width, cell, style, column in zip(widths, cells, styles, columns):
                cell_options = options.update(
                    width=width,
                    justify=column.justify,
                    no_wrap=column.no_wrap,
                    overflow=column.overflow,
                    height=None,
                    highlight=column.highlight,
                )
                lines.append(
                    console.render_lines(Padding(cell, padding), cell_options, style=style)
                )
            # As rich: cells are aligned to the tallest and shaped to at least one line.
            tallest = max(len(cell) for cell in lines)
            height = max(1, tallest)
            align = Segment.align_bottom if header else Segment.align_top
            return [
                Segment.set_shape(align(cell, width, tallest, style), width, height)
                for cell, width, style in zip(lines, widths, styles)
            ], height

        def emit(cells: list[Any], height: int, left: Any, right: Any, divider: Any) -> Any:
            for line_no in range(height):
                yield left
                for index, cell in enumerate(cells):
                    yield from cell[line_no]
                    if index < len(cells) - 1:
                        yield divider
                yield right
                yield new_line

        yield Segment(box.get_top(widths), border)
        yield new_line
        head = (
            Segment(box.head_left, border),
            Segment(box.head_right, border),
            Segment(box.head_vertical, border),
        )
        mid = (
            Segment(box.mid_left, border),
            Segment(box.mid_right, border),
            Segment(box.mid_vertical, border),
        )
        foot = (
            Segment(box.foot_left, border),
            Segment(box.foot_right, border),
            Segment(box.foot_vertical, border),
        )
        header_styles = [header_style + console.get_style(c.header_style or "") for c in columns]
        null = Style.null()
        body_styles = [null] * len(columns)
        cells, height = rendered_row(
            [c.header for c in columns], header_styles, header=True
        )
        yield from emit(cells, height, *head)  # the first row takes the head's edges
        yield Segment(box.get_row(widths, "head", edge=True), border)
        yield new_line
        inner = [w - 2 for w in widths]
        justify = [c.justify for c in columns]
        fast = all(how in ("left", "right") for how in justify)
        for number, row in enumerate(self.rows, start=1):
            left, right, divider = foot if number == len(self.rows) else mid
            if fast and all(len(cell) <= room and simple(cell) for cell, room in zip(row, inner)):
                parts = [
                    " " + (cell.rjust(room) if how == "right" else cell.ljust(room)) + " "
                    for cell, room, how in zip(row, inner, justify)
                ]
                yield Segment(left.text + divider.text.join(parts) + right.text, null)
                yield new_line
                continue
            cells, height = rendered_row([Text(c) for c in row], body_styles, header=False)
            yield from emit(cells, height, left, right, divider)
        yield Segment(box.get_bottom(widths), border)
        yield new_line

