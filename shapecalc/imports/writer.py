"""The spec text of an imported model: repeated submodules as named blocks with parameters,
comments naming the module paths each line came from.

Factoring. The items of a line are grouped by the submodule instance that encloses them
(the outermost one below the enclosing block that is not a pure container such as
``nn.Sequential``): a run of items of one instance is a *use* of that instance, its items
factored the same way one level down. A class with two or more instances becomes a named
block; the others are written inline. Each instance's body is written with its numbers, and
the instances whose bodies are the same text but for the numbers share one definition: a
number that is the same in every instance stays, the others become parameters (numbers equal
in every instance share one), so ResNet-50's sixteen bottlenecks are
``bottleneck(a, b)`` and ``bottleneck_b(a, b, c)`` (the first of each stage projects its
shortcut). Instances of one class whose bodies differ otherwise (a projection shortcut or
none) get one definition per form, named ``name``, ``name_b``, ... Consecutive uses with the
same arguments are one repeated use, ``bottleneck(64, 256)x2``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..layers import REGISTRY
from ..shape import Shape
from ..symbolic import fmt
from .graph import Graph, Node, Scope
from .structure import Item, LayerItem, structure

#: Spec lines are wrapped at a ``|`` to stay within this width where they can.
WIDTH = 100

#: A number in spec text (sizes, probabilities, repeat counts): what parameters replace.
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(eq=False)
class Block:
    """A ``res``/``concat``/``mul`` block whose paths are factored."""

    kind: str
    paths: tuple[tuple[Element, ...], ...]
    merge: Node
    scopes: tuple[Scope, ...]


@dataclass(eq=False)
class Use:
    """The items of one submodule instance; ``call`` is set once it has a definition."""

    scope: Scope
    body: tuple[Element, ...]
    call: str | None = None


Element = LayerItem | Block | Use


def _candidate(chain: tuple[Scope, ...], depth: int) -> Scope | None:
    """The outermost instance in ``chain`` below ``depth`` that is no pure container."""
    for scope in chain[depth:]:
        if not scope.container:
            return scope
    return None


def factor(items: Sequence[Item], depth: int = 0) -> tuple[Element, ...]:
    """The items grouped into uses of the instances that enclose them (see the module
    docstring); ``depth`` scopes of every item's chain are the enclosing ones'."""
    out: list[Element] = []
    i = 0
    while i < len(items):
        scope = _candidate(items[i].scopes, depth)
        if scope is None:
            out.append(_convert(items[i]))
            i += 1
            continue
        j = i
        while j < len(items) and _candidate(items[j].scopes, depth) == scope:
            j += 1
        level = items[i].scopes.index(scope) + 1
        out.append(Use(scope, factor(items[i:j], level)))
        i = j
    return tuple(out)


def _convert(item: Item) -> Element:
    if isinstance(item, LayerItem):
        return item
    depth = len(item.scopes)
    return Block(
        item.kind, tuple(factor(path, depth) for path in item.paths), item.merge, item.scopes
    )


def _text(element: Element) -> str:
    if isinstance(element, LayerItem):
        assert element.node.layer is not None
        return element.node.layer.to_spec()
    if isinstance(element, Use):
        return element.call if element.call is not None else line(element.body)
    if element.kind in ("concat", "split"):
        paths = [line(path) if path else "identity" for path in element.paths]
    else:
        paths = [line(path) for path in element.paths]
    return f"{element.kind}({' ; '.join(paths)})"


def line(elements: Sequence[Element]) -> str:
    """Elements as spec items joined by ``|``, repeated uses collapsed (``b(64)x3``)."""
    return " | ".join(text for text, _ in _runs(elements))


def _runs(elements: Sequence[Element]) -> list[tuple[str, list[Element]]]:
    """Each element's text, consecutive uses of one call merged into ``callxN``."""
    runs: list[tuple[str, list[Element]]] = []
    texts: list[str] = []  # each run's text without its repeat count
    for element in elements:
        text = _text(element)
        # A call or a block takes a repeat count; a layer or an inline body does not.
        repeatable = isinstance(element, Block) or (isinstance(element, Use) and element.call)
        if runs and repeatable and texts[-1] == text:
            runs[-1][1].append(element)
            runs[-1] = (f"{text}x{len(runs[-1][1])}", runs[-1][1])
            continue
        runs.append((text, [element]))
        texts.append(text)
    return runs


def _uses(elements: Sequence[Element]) -> list[Use]:
    """Every use in ``elements``, inner ones before the uses that hold them."""
    found: list[Use] = []
    for element in elements:
        if isinstance(element, Use):
            found += _uses(element.body)
            found.append(element)
        elif isinstance(element, Block):
            for path in element.paths:
                found += _uses(path)
    return found


def _height(use: Use) -> int:
    inner = [u for u in _uses(use.body) if u is not use]
    return 1 + max((_height(u) for u in inner), default=0)


def block_name(cls: str) -> str:
    """A class name as a block name: ``BasicBlock`` -> ``basic_block``,
    ``Conv2dNormActivation`` -> ``conv_norm_activation`` (names have no digits)."""
    text = re.sub(r"\d+[dD]?", "", cls).strip("_")
    text = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text).lower()
    text = re.sub(r"[^a-z_]+", "_", text).strip("_") or "block"
    return f"{text}_block" if text in REGISTRY or text in ("res", "concat", "mul") else text


def _parameter_name(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else f"p{index}"


@dataclass
class Definition:
    """A named block: its name, parameters, body and the instances that use it."""

    name: str
    params: list[str]
    body: str
    cls: str
    paths: list[str] = field(default_factory=list)


def define(elements: Sequence[Element]) -> list[Definition]:
    """Gives every use of a class with two or more instances its call (``basic_block(64)``)
    and returns the definitions, each after the ones its body uses."""
    uses = _uses(elements)
    by_class: dict[str, list[Use]] = {}
    for use in uses:
        by_class.setdefault(use.scope.cls, []).append(use)
    heights = {cls: max(_height(u) for u in group) for cls, group in by_class.items()}
    taken: set[str] = set()
    definitions: list[Definition] = []
    for cls in sorted(by_class, key=lambda c: heights[c]):
        group = by_class[cls]
        if len(group) < 2:
            continue
        variants: dict[str, list[tuple[Use, list[str]]]] = {}
        for use in group:
            text = line(use.body)
            variants.setdefault(_NUMBER.sub("#", text), []).append((use, _NUMBER.findall(text)))
        base = block_name(cls)
        for skeleton, instances in variants.items():
            name = _free_name(base, taken)
            definitions.append(_definition(name, cls, skeleton, instances))
    return definitions


def _free_name(base: str, taken: set[str]) -> str:
    name, suffix = base, 1
    while name in taken:
        name = f"{base}_{chr(ord('a') + suffix)}"
        suffix += 1
    taken.add(name)
    return name


def _definition(
    name: str, cls: str, skeleton: str, instances: list[tuple[Use, list[str]]]
) -> Definition:
    columns = list(zip(*(numbers for _, numbers in instances))) if instances[0][1] else []
    names: dict[tuple[str, ...], str] = {}
    slots: list[str] = []
    for column in columns:
        if len(set(column)) == 1:
            slots.append(column[0])
            continue
        if column not in names:
            names[column] = _parameter_name(len(names))
        slots.append("{" + names[column] + "}")
    pieces = iter(slots)
    body = re.sub("#", lambda _: next(pieces), skeleton)
    params = list(names.values())
    for index, (use, _) in enumerate(instances):
        args = ", ".join(column[index] for column in names)
        use.call = f"{name}({args})"
    return Definition(name, params, body, cls, [use.scope.path for use, _ in instances])


def paths_text(paths: Sequence[str]) -> str:
    """Module paths listed briefly: consecutive numbers at the end of one prefix as a range
    (``denselayer1-6``)."""
    out: list[str] = []
    run: tuple[str, int, int] | None = None
    for path in [*paths, ""]:
        match = re.fullmatch(r"(.*?)(\d+)", path)
        if run is not None and match and match[1] == run[0] and int(match[2]) == run[2] + 1:
            run = (run[0], run[1], int(match[2]))
            continue
        if run is not None:
            prefix, first, last = run
            out.append(f"{prefix}{first}" if first == last else f"{prefix}{first}-{last}")
            run = None
        if match:
            run = (match[1], int(match[2]), int(match[2]))
        elif path:
            out.append(path)
    return ", ".join(out)


def _comment(text: str, first: str = "# ", rest: str = "#   ") -> list[str]:
    lines = textwrap.wrap(text, WIDTH - len(first), break_on_hyphens=False, break_long_words=False)
    return [(first if i == 0 else rest) + part for i, part in enumerate(lines)]


def wrap_items(head: str, text: str, indent: int) -> list[str]:
    """``head + text`` broken after a ``|`` where it passes :data:`WIDTH` (the spec reads a
    line ending in ``|`` as going on)."""
    parts = text.split(" | ")
    lines: list[str] = []
    current = head + parts[0]
    for part in parts[1:]:
        if len(current) + 5 + len(part) > WIDTH:
            lines.append(current + " |")
            current = " " * indent + part
        else:
            current += " | " + part
    return [*lines, current]


def input_text(shape: Shape) -> str:
    """The input shape as the spec writes it: ``224x224x3``, ``HxWx3``, ``{h_in}x{w_in}x3``."""
    parts = []
    for dim in shape.dims:
        text = fmt(dim)
        bare = text.isdigit() or (text.isalpha() and "x" not in text)
        parts.append(text if bare else "{" + text + "}")
    return "x".join(parts)


def _where(element: Element) -> str:
    if isinstance(element, LayerItem):
        node = element.node
        return f"{node.path}: {node.origin}" if node.path else node.origin
    if isinstance(element, Use):
        return f"{element.scope.path}: {element.scope.cls}"
    if element.scopes:
        return f"{element.scopes[-1].path}: {element.scopes[-1].cls}"
    return element.merge.origin


def _top_lines(elements: Sequence[Element], where: Callable[[Element], str]) -> list[str]:
    lines: list[str] = []
    for text, run in _runs(elements):
        paths = [where(e).split(": ")[0] for e in run]
        label = where(run[0])
        if len(run) > 1:
            cls = label.split(": ", 1)[1] if ": " in label else ""
            label = f"{paths_text(paths)}: {cls}" if cls else paths_text(paths)
        body = wrap_items("", text, 4)
        body[-1] += f"  # {label}"
        lines += body
    return lines


def write_spec(graph: Graph) -> str:
    """The spec text of ``graph``: a header, the named blocks, the input and the layers.

    Raises:
        ModelImportError: the graph has forks that no nesting of blocks expresses.
    """
    elements = factor(structure(graph))
    definitions = define(elements)
    lines = _comment(f"{graph.model}, imported by shapecalc import.") if graph.model else []
    for note in graph.notes:
        lines += _comment(note)
    for definition in definitions:
        lines.append("")
        lines += _comment(f"{definition.cls}: {paths_text(definition.paths)}")
        head = f"{definition.name}({', '.join(definition.params)}) = "
        lines += wrap_items(head, definition.body, len(head))
    lines += ["", input_text(graph.input_shape)]
    lines += _top_lines(elements, _where)
    return "\n".join(lines) + "\n"


__all__ = ["Block", "Definition", "Element", "Use", "block_name", "define", "factor", "write_spec"]
