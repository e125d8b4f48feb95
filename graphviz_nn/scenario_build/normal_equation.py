"""The closed-form least-squares solution of seed 003, W = (XᵀX)⁻¹XᵀY, beside gradient descent.

X gets a column of ones so the bias is the last weight, as in the model's parameter order
(each neuron's weights, then its bias).
"""
from __future__ import annotations

import numpy as np

from .build import samples


def design_matrix(scenario):
    """(X with a ones column, Y) from the scenario's data."""
    xs, ys = samples(scenario)
    X = np.array(xs, dtype=np.float64)
    return np.hstack([X, np.ones((X.shape[0], 1))]), np.array(ys, dtype=np.float64)


def normal_equation(scenario) -> np.ndarray:
    """W = (XᵀX)⁻¹XᵀY, literally as on the slide (the weights, then the bias)."""
    X, Y = design_matrix(scenario)
    return (np.linalg.inv(X.T @ X) @ X.T @ Y).reshape(-1)


def mse(scenario, weights) -> float:
    X, Y = design_matrix(scenario)
    residual = X @ np.asarray(weights, dtype=np.float64).reshape(-1, 1) - Y
    return float(np.mean(residual ** 2))


def normal_equation_text(scenario, built) -> str:
    """Both solutions side by side: the closed form and the parameters gradient descent reached."""
    exact = normal_equation(scenario)
    learned = np.array([float(np.asarray(p.data).reshape(-1)[0]) if np.asarray(p.data).size == 1 else np.nan
                        for p in built.parameters])
    names = [f"w{i + 1}" for i in range(len(exact) - 1)] + ["b"]
    lines = ["Normal equation W = (XᵀX)⁻¹XᵀY beside gradient descent:",
             f"  {'':<4}{'(XᵀX)⁻¹XᵀY':>14}{'gradient descent':>18}"]
    for name, a, g in zip(names, exact, learned):
        lines.append(f"  {name:<4}{a:>14.4f}{g:>18.4f}")
    lines.append(f"  {'MSE':<4}{mse(scenario, exact):>14.4f}{mse(scenario, learned):>18.4f}")
    return "\n".join(lines)
