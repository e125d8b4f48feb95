"""The closed-form least-squares solution of seed 003 beside gradient descent.

One convention, the slides' layout: X is features × samples, Ŷ = XᵀW, MSE = (1/n)(Y - XᵀW)ᵀ(Y - XᵀW),
whose gradient (2/n)X(XᵀW - Y) is zero at W = (XXᵀ)⁻¹XY. The slide writes W = (XᵀX)⁻¹XᵀY, the
same solution for X laid out as samples × features. X gets a row of ones so the bias is the last
weight, as in the model's parameter order (each neuron's weights, then its bias).
"""
from __future__ import annotations

import numpy as np

from .build import samples


FORMULA = "W = (XXᵀ)⁻¹XY"
CONVENTION = ("X: features × samples, Ŷ = XᵀW; the slide's (XᵀX)⁻¹XᵀY is the same "
              "for X as samples × features")


def design_matrix(scenario):
    """(X as features × samples with a row of ones, Y as a column) from the scenario's data."""
    xs, ys = samples(scenario)
    X = np.array(xs, dtype=np.float64).T
    return np.vstack([X, np.ones((1, X.shape[1]))]), np.array(ys, dtype=np.float64)


def normal_equation(scenario) -> np.ndarray:
    """W = (XXᵀ)⁻¹XY, where the gradient (2/n)X(XᵀW - Y) is zero (the weights, then the bias)."""
    X, Y = design_matrix(scenario)
    return (np.linalg.inv(X @ X.T) @ X @ Y).reshape(-1)


def mse(scenario, weights) -> float:
    X, Y = design_matrix(scenario)
    residual = X.T @ np.asarray(weights, dtype=np.float64).reshape(-1, 1) - Y
    return float(np.mean(residual ** 2))


def normal_equation_text(scenario, built) -> str:
    """Both solutions side by side: the closed form and the parameters gradient descent reached."""
    exact = normal_equation(scenario)
    learned = np.array([float(np.asarray(p.data).reshape(-1)[0]) if np.asarray(p.data).size == 1 else np.nan
                        for p in built.parameters])
    names = [f"w{i + 1}" for i in range(len(exact) - 1)] + ["b"]
    lines = [f"Normal equation {FORMULA} ({CONVENTION}) beside gradient descent:",
             f"  {'':<4}{'(XXᵀ)⁻¹XY':>14}{'gradient descent':>18}"]
    for name, a, g in zip(names, exact, learned):
        lines.append(f"  {name:<4}{a:>14.4f}{g:>18.4f}")
    lines.append(f"  {'MSE':<4}{mse(scenario, exact):>14.4f}{mse(scenario, learned):>18.4f}")
    return "\n".join(lines)
