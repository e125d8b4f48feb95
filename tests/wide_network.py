"""A scenario whose neuron level is far too large to draw (two layers of 512), shared by the
view-budget tests of the renderer and the app."""

WIDE = """
id = "wide"
title = "A wide network"
kind = "model"
explanation = "Two layers of 512 neurons."

[model]
engine = "tensor"
inputs = 2
layers = [512, 512, 1]
seed = 0
loss = "mean((output - target) ** 2)"

[data]
dataset = "moons"
samples = 20
seed = 0
"""
