"""Reference PyTorch definitions of the examples whose counts come from papers or reference
code, not from a library's published figure: written here from those sources, independently
of shapecalc, so that tests can compare the example specs with them (counts and outputs).

- U-Net: Ronneberger, Fischer and Brox, 2015, Fig. 1: two unpadded 3x3 convolutions with
  ReLU per level, 2x2 max pooling, 2x2 up-convolutions that halve the channels, the skip
  cropped to the upsampled map and concatenated, a final 1x1 convolution to 2 classes.
  ``padded=True`` is the common variant with padding 1 (no crop needed).
- DCGAN: the PyTorch DCGAN tutorial's Generator and Discriminator (nz=100, ngf=ndf=64, nc=3),
  after Radford, Metz and Chintala, 2015.
- The convolutional autoencoder: encoder 28x28x1 -> 16 (s2) -> 32 (s2) -> 64 (7x7), decoder
  mirrored with transposed convolutions, as in the common PyTorch MNIST tutorial.
"""

from __future__ import annotations

import torch
from torch import nn


def _double_conv(c_in: int, c_out: int, pad: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=pad),
        nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=pad),
        nn.ReLU(),
    )


def _centre(skip: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """U-Net's crop: the centre of the skip map at the upsampled map's size."""
    dh = (skip.shape[2] - like.shape[2]) // 2
    dw = (skip.shape[3] - like.shape[3]) // 2
    return skip[:, :, dh : dh + like.shape[2], dw : dw + like.shape[3]]


class UNet(nn.Module):
    """U-Net of the paper: 64-128-256-512-1024 channels, 2 output classes."""

    def __init__(self, padded: bool = False, classes: int = 2) -> None:
        super().__init__()
        pad = 1 if padded else 0
        widths = [64, 128, 256, 512, 1024]
        self.down = nn.ModuleList()
        c_in = 1
        for width in widths:
            self.down.append(_double_conv(c_in, width, pad))
            c_in = width
        self.ups = nn.ModuleList()
        self.convs = nn.ModuleList()
        for width in reversed(widths[:-1]):
            self.ups.append(nn.ConvTranspose2d(width * 2, width, 2, stride=2))
            self.convs.append(_double_conv(width * 2, width, pad))
        self.head = nn.Conv2d(64, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, level in enumerate(self.down):
            x = level(x if i == 0 else nn.functional.max_pool2d(x, 2))
            skips.append(x)
        skips.pop()
        for up, conv in zip(self.ups, self.convs):
            x = up(x)
            x = conv(torch.cat([_centre(skips.pop(), x), x], dim=1))
        return self.head(x)


def dcgan_generator(nz: int = 100, ngf: int = 64, nc: int = 3) -> nn.Sequential:
    """The tutorial's Generator: a noise vector (as N x nz x 1 x 1) to a 64x64 image."""
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 8),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 4),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
        nn.Tanh(),
    )


def dcgan_discriminator(ndf: int = 64, nc: int = 3) -> nn.Sequential:
    """The tutorial's Discriminator: a 64x64 image to one probability."""
    return nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 4),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 8),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
        nn.Sigmoid(),
    )


def conv_autoencoder() -> nn.Sequential:
    """28x28x1 -> 1x1x64 -> 28x28x1."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 64, 7),
        nn.ConvTranspose2d(64, 32, 7),
        nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),
        nn.Sigmoid(),
    )
