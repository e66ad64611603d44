"""``shapecalc import``: the command, its options and its refusals (one line, exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.install import install_hint

NET = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(8 * 16 * 16, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv(x)))
        return self.fc(x.view(x.size(0), -1))


def make(width: int = 4) -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, width, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())


instance = make(6)
"""

UNSUPPORTED = """
import torch
from torch import nn


class MyAttention(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = x.flatten(2)
        return torch.matmul(q.transpose(1, 2), q).sum() * x


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.attn = MyAttention()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attn(self.conv(x))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layer = nn.Sequential(Block(), Block())
        self.rnn = nn.LSTM(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer(self.stem(x))
        return self.rnn(x.flatten(2).transpose(1, 2))[0]
"""

DATA_DEPENDENT = """
import torch
from torch import nn


class Gate(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return x
        return -x


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.gate = Gate()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gate(self.conv(x))
"""


MISMATCHED = """
from torch import nn


def make():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(10, 2))
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def models(tmp_path: Path) -> Path:
    for name, text in [
        ("net", NET),
        ("odd", UNSUPPORTED),
        ("gated", DATA_DEPENDENT),
        ("mismatched", MISMATCHED),
    ]:
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    (tmp_path / "broken.py").write_text("import torch\nraise ValueError('no weights here')\n")
    return tmp_path


@pytest.mark.slow
def test_a_class_from_a_file(models: Path) -> None:
    code, out = run("import", f"{models}/net.py:Net", "--input", "32x32x3")
    assert code == 0, out
    analysis = analyze(out)
    assert analysis.totals.trainable == (3 * 9 + 1) * 8 + (8 * 16 * 16 + 1) * 10
    assert [row.spec for row in analysis.rows] == [
        "conv3x3x8 pad1",
        "relu",
        "maxpool2",
        "flatten",
        "dense10",
    ]
    assert "conv3x3x8 pad1  # conv: Conv2d" in out


@pytest.mark.slow
def test_kwargs_factory_instance_output_and_analyze(models: Path, tmp_path: Path) -> None:
    code, out = run(
        "import", f"{models}/net.py:Net", "--input", "32x32x3", "--kwargs", '{"classes": 7}'
    )
    assert code == 0 and analyze(out).output_shape.dims == (7,)
    target = tmp_path / "made.shape"
    code, out = run(
        "import", f"{models}/net.py:make", "--kwargs", '{"width": 5}', "-o", str(target)
    )
    assert code == 0 and out == ""
    assert "globalavgpool" in target.read_text()
    code, out = run("import", f"{models}/net.py:instance", "--input", "HxWx3", "--analyze")
    assert code == 0
    assert "Total params:          168" in out  # (27 + 1) * 6


@pytest.mark.slow
def test_every_unsupported_module_named_in_one_line(models: Path) -> None:
    code, out = run("import", f"{models}/odd.py:Net", "--input", "16x16x3")
    assert code == 2
    assert out.count("\n") == 1 and "Traceback" not in out
    assert out.startswith("error: cannot import")
    for where in ["layer.0.attn: MyAttention", "layer.1.attn: MyAttention", "rnn: LSTM"]:
        assert where in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("gated.py:Net", "cannot trace"),
        # torch's own reason, and the module that gave it (no traceback from the pass).
        (
            "mismatched.py:make",
            "fails on an input of (1, 3, 224, 224) in 2: Linear: RuntimeError: a and b must "
            "have same reduction dim",
        ),
        ("broken.py:Net", "importing"),
        ("net.py:Nope", "has no 'Nope'"),
        ("net.py", "is not MODULE:NAME"),
        ("missing.py:Net", "no file"),
        ("net.py:instance --kwargs {}", "is a module instance"),
    ],
)
def test_bad_models_are_one_line_exit_2(models: Path, target: str, said: str) -> None:
    first, *rest = target.split(" ")
    code, out = run("import", f"{models}/{first}", *rest)
    assert code == 2, out
    assert said in out and out.count("\n") == 1 and "Traceback" not in out


@pytest.mark.slow
def test_data_dependent_control_flow_names_the_module(models: Path) -> None:
    code, out = run("import", f"{models}/gated.py:Net")
    assert code == 2
    assert "cannot trace" in out and "in gate: Gate" in out


@pytest.mark.slow
def test_bad_input_and_kwargs(models: Path) -> None:
    code, out = run("import", f"{models}/net.py:Net", "--input", "32x32x")
    assert code == 2 and "error:" in out
    code, out = run("import", f"{models}/net.py:Net", "--kwargs", "{classes: 7}")
    assert code == 2 and "--kwargs" in out


@pytest.mark.slow
def test_a_module_by_import_name_pipes_into_the_calculator() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shapecalc", "import", "torchvision.models:resnet18"],
        capture_output=True,
        text=True,
        check=True,
    )
    table = subprocess.run(
        [sys.executable, "-m", "shapecalc", "-"], input=done.stdout, capture_output=True, text=True
    )
    assert table.returncode == 0, table.stderr
    assert "11,689,512" in table.stdout


@pytest.mark.slow
def test_without_torch_one_line_telling_how_to_install() -> None:
    blocked = (
        "import sys; sys.modules['torch'] = None; from shapecalc.cli.program import main; "
        "sys.argv = ['shapecalc', 'import', 'torchvision.models:resnet18']; main()"
    )
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert f"needs PyTorch: {install_hint('torch')}" in done.stderr
