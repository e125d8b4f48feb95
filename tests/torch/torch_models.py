"""Small float64 models shared by the bridge's tests."""
import torch
import torch.nn.functional as F
from torch import nn


def two_layer(seed: int = 0, inputs: int = 4, hidden: int = 5, classes: int = 3, batch: int = 6):
    """nn.Sequential(Linear, ReLU, Linear) in float64, a batch X and class labels y."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, classes)).double()
    X = torch.randn(batch, inputs, dtype=torch.float64)
    y = torch.randint(0, classes, (batch,))
    return model, X, y


def torch_grads(model, loss_fn) -> dict:
    """PyTorch's own gradients: named_parameters() name -> numpy array, from loss_fn().backward()."""
    model.zero_grad()
    loss_fn().backward()
    return {name: p.grad.detach().numpy().copy() for name, p in model.named_parameters()}


def cross_entropy_of(model, X, y):
    return lambda: F.cross_entropy(model(X), y)
