"""Tests of the NN-SVG-style drawings: structure, golden files and a real browser."""
