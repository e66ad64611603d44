"""The parameter types of the command line: each converts and checks one kind of value, and
fails with a usage error (exit code 2) that names the bad value."""

from __future__ import annotations

import re
from typing import Any, Literal

import click


class Assignments(click.ParamType):
    """``n=28,f=3`` -> {"n": 28, "f": 3}; integers only, never evaluated."""

    name = "NAME=INT[,NAME=INT...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, int]:
        if isinstance(value, dict):
            return value
        result: dict[str, int] = {}
        for part in str(value).split(","):
            name, sep, number = (s.strip() for s in part.partition("="))
            # ASCII digits only: str.isdigit() also takes '²', which int() then refuses.
            if not sep or not name.isidentifier() or not re.fullmatch(r"-?[0-9]+", number):
                self.fail(f"{part.strip()!r} is not name=integer (as in n=28)", param, ctx)
            if len(number) > 19:
                self.fail(f"{name}: the value is larger than 10**18", param, ctx)
            if name in result:
                self.fail(f"{name} is given twice", param, ctx)
            result[name] = int(number)
        return result


class Columns(click.ParamType):
    """``shape,params,macs`` -> the table's columns, checked against the known names."""

    name = "NAME[,NAME...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        from ..render.common import ColumnError, parse_columns

        try:
            return parse_columns(str(value))
        except ColumnError as err:
            self.fail(str(err), param, ctx)


class Ranges(click.ParamType):
    """``p=0..10`` -> {"p": (0, 10)}; integers only."""

    name = "NAME=LOW..HIGH"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, tuple[int, int]]:
        if isinstance(value, dict):
            return value
        result: dict[str, tuple[int, int]] = {}
        for part in str(value).split(","):
            match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*([0-9]{1,19})\.\.([0-9]{1,19})\s*", part)
            if match is None:
                self.fail(f"{part.strip()!r} is not name=low..high (as in p=0..10)", param, ctx)
            name, low, high = match.group(1), int(match.group(2)), int(match.group(3))
            if max(low, high) > 10**18:
                self.fail(f"{name}: the range goes beyond 10**18", param, ctx)
            if name in result:
                self.fail(f"{name} is given twice", param, ctx)
            result[name] = (low, high)
        return result


class SizePair(click.ParamType):
    """``2`` -> 2, ``2,1`` -> (2, 1): one size for both dims, or height,width."""

    name = "N[,N]"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | tuple[int, int]:
        if isinstance(value, (int, tuple)):
            return value
        parts = [p.strip() for p in str(value).split(",")]
        if len(parts) > 2 or not all(re.fullmatch(r"-?[0-9]{1,9}", p) for p in parts):
            self.fail(f"{value!r} is not an integer or a pair height,width (as in 2,1)", param, ctx)
        numbers = [int(p) for p in parts]
        return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])


class Padding(click.ParamType):
    """A conv's padding: ``1``, ``1,2``, or ``same`` (output size ceil(input/stride))."""

    name = "N[,N]|same"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | tuple[int, int] | Literal["same"]:
        if isinstance(value, str) and value.strip().lower() == "same":
            return "same"
        try:
            return SizePair().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{value!r} is not an integer, a pair height,width or 'same'", param, ctx)


class Colors(click.ParamType):
    """``conv=#ff0000,pool=orange`` -> {"conv": "#ff0000", "pool": "orange"}."""

    name = "KIND=COLOUR[,KIND=COLOUR...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        from ..render.svg import DrawError, parse_colors

        try:
            return parse_colors(str(value))
        except DrawError as err:
            self.fail(str(err), param, ctx)
