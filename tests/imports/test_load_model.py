"""load_model's ways to a model faster: built on the meta device, torchvision imported lazily;
each falls back to the usual way when it cannot be taken."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from shapecalc.imports.torch_frontend import load_model, torch_counts

NET = """
import torch
from torch import nn


def make(width=4):
    return nn.Sequential(nn.Conv2d(3, width, 3), nn.BatchNorm2d(width), nn.ReLU())


class Computed(nn.Module):
    # Its __init__ reads a tensor's value, which a meta tensor has not.
    def __init__(self):
        super().__init__()
        width = int(torch.tensor(6).item())
        self.conv = nn.Conv2d(3, width, 3)

    def forward(self, x):
        return self.conv(x)


instance = make(5)
"""


@pytest.fixture
def net(tmp_path: Path) -> str:
    path = tmp_path / "meta_net.py"
    path.write_text(NET, encoding="utf-8")
    return str(path)


def devices(model: torch.nn.Module) -> set[str]:
    return {t.device.type for t in (*model.parameters(), *model.buffers())}


def test_a_factory_builds_on_the_meta_device_with_the_same_counts(net: str) -> None:
    meta = load_model(f"{net}:make", {"width": 8}, device="meta")
    usual = load_model(f"{net}:make", {"width": 8})
    assert devices(meta) == {"meta"} and devices(usual) == {"cpu"}
    assert torch_counts(meta) == torch_counts(usual) == ((27 + 1) * 8 + 2 * 8, 2 * 8)


def test_a_model_that_cannot_be_built_on_meta_is_built_as_usual(net: str) -> None:
    model = load_model(f"{net}:Computed", device="meta")
    assert devices(model) == {"cpu"}
    assert model.conv.out_channels == 6


def test_an_instance_is_taken_as_it_is(net: str) -> None:
    assert devices(load_model(f"{net}:instance", device="meta")) == {"cpu"}


#: load_model with lazy_torchvision in a fresh process (torchvision not yet imported): the
#: model's class (or the error) and whether torchvision was imported whole.
LAZY = textwrap.dedent(
    """
    import json, sys
    from shapecalc import ModelImportError
    from shapecalc.imports.torch_frontend import load_model

    def attempt(target):
        try:
            got = type(load_model(target, lazy_torchvision=True)).__name__
        except ModelImportError as err:
            got = str(err)
        return [got, "torchvision.datasets" in sys.modules]

    print(json.dumps(attempt(sys.argv[1])))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "got", "whole"),
    [
        ("torchvision.models:resnet18", "ResNet", False),
        ("torchvision.models.vgg:vgg11", "VGG", False),
        # A name the lazy torchvision.models lacks sends load_model to the usual import (whole
        # torchvision), which decides: the same one-line error as always.
        ("torchvision.models:nosuch", "torchvision.models has no 'nosuch'", True),
        # A subpackage of models (detection, video, ...) is imported as usual.
        (
            "torchvision.models.detection:nosuch",
            "torchvision.models.detection has no 'nosuch'",
            True,
        ),
    ],
)
def test_torchvision_lazily_and_the_usual_import_when_that_fails(
    target: str, got: str, whole: bool
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LAZY, target], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [got, whole]
