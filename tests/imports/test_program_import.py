"""The program's way of importing a torchvision model gives the library's spec, byte for byte.

``shapecalc import`` (the program) imports torchvision's model definitions lazily, without
torchvision's package ``__init__`` files, and builds the model on the meta device
(shapecalc/speedups.py: lazy-torchvision, meta-build, with meta-kernels). Here one process
runs the command as the program does for every torchvision family of test_torchvision.py,
and each spec is compared with :func:`shapecalc.from_torch` of the model built as usual (on
the CPU, with torchvision imported whole) in this process. The refusal of a transformer too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from imports.test_torchvision import FAMILIES, build
from shapecalc import ModelImportError, from_torch
from shapecalc.imports.torch_frontend import import_torchvision

import_torchvision()
from torchvision import models  # noqa: E402

#: Runs ``shapecalc import`` for each (name, input, kwargs) on argv as the program does, and
#: prints {name: [exit code, stdout, stderr]} and whether torch's compiler was imported.
PROGRAM = textwrap.dedent(
    """
    import json, sys
    from click.testing import CliRunner
    from shapecalc import speedups
    from shapecalc.cli import cli

    speedups.start_program()  # as console_main does; it would end the process after one
    results = {}
    for name, size, kwargs in json.loads(sys.argv[1]):
        args = ["import", f"torchvision.models:{name}", "--input", size]
        if kwargs:
            args += ["--kwargs", json.dumps(kwargs)]
        result = CliRunner().invoke(cli, args)
        results[name] = [result.exit_code, result.stdout, result.stderr]
    print(json.dumps({"results": results, "dynamo": "torch._dynamo" in sys.modules,
                      "lazy": "torchvision.datasets" not in sys.modules}))
    """
)

KWARGS = {"inception_v3": {"aux_logits": False, "init_weights": False}}
KWARGS["googlenet"] = KWARGS["inception_v3"]


def size(name: str) -> str:
    return "299x299x3" if name == "inception_v3" else "224x224x3"


@pytest.fixture(scope="module")
def program() -> dict[str, Any]:
    cases = [(name, size(name), KWARGS.get(name)) for name in [*FAMILIES, "vit_b_32"]]
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.slow
def test_the_program_imports_neither_the_compiler_nor_all_of_torchvision(
    program: dict[str, Any],
) -> None:
    assert program["lazy"]
    assert not program["dynamo"]


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_the_programs_spec_is_the_librarys(program: dict[str, Any], name: str) -> None:
    code, out, err = program["results"][name]
    assert code == 0, err
    assert out == from_torch(build(name), size(name), name=f"torchvision.models:{name}")


@pytest.mark.slow
def test_the_programs_refusal_is_the_librarys(program: dict[str, Any]) -> None:
    code, out, err = program["results"]["vit_b_32"]
    with pytest.raises(ModelImportError) as caught:
        from_torch(models.vit_b_32(), "224x224x3", name="torchvision.models:vit_b_32")
    assert (code, out, err) == (2, "", f"error: {caught.value}\n")
