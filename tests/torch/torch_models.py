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


# ---- a tiny GPT and a small CNN (issue 27): the models a course teaches, written here ----------

import math  # noqa: E402


class SelfAttention(nn.Module):
    """Causal multi-head self-attention; ``fused`` picks PyTorch's kernel or the written-out form."""

    def __init__(self, width: int, heads: int, block: int, fused: bool):
        super().__init__()
        self.heads, self.fused = heads, fused
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.register_buffer("allowed", torch.tril(torch.ones(block, block, dtype=torch.bool)))

    def forward(self, x):
        batch, steps, width = x.shape
        q, k, v = self.qkv(x).split(width, dim=2)
        q, k, v = (t.view(batch, steps, self.heads, width // self.heads).transpose(1, 2) for t in (q, k, v))
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
            scores = scores.masked_fill(~self.allowed[:steps, :steps], float("-inf"))
            y = scores.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).contiguous().view(batch, steps, width))


class Block(nn.Module):
    def __init__(self, width, heads, block, fused, gelu):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = SelfAttention(width, heads, block, fused)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(approximate=gelu), nn.Linear(4 * width, width),
                                 nn.Dropout(0.1))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """GPT-2's shape at toy size: token and position embeddings, pre-norm blocks, a head tied to the embedding."""

    def __init__(self, vocab=10, block=8, width=16, heads=2, layers=2):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            tok=nn.Embedding(vocab, width), pos=nn.Embedding(block, width),
            blocks=nn.ModuleList([Block(width, heads, block, fused=i % 2 == 0, gelu="none" if i % 2 == 0 else "tanh")
                                  for i in range(layers)]),
            ln_f=nn.LayerNorm(width)))
        self.head = nn.Linear(width, vocab, bias=False)
        self.transformer.tok.weight = self.head.weight  # tied weights, as GPT-2 does

    def forward(self, idx, targets):
        steps = idx.shape[1]
        x = self.transformer.tok(idx) + self.transformer.pos(torch.arange(steps))
        for block in self.transformer.blocks:
            x = block(x)
        logits = self.head(self.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), ignore_index=-1)


def tiny_gpt(seed: int = 0, dtype=torch.float32, layers: int = 2, batch: int = 2, steps: int = 8):
    """A TinyGPT, token ids and next-token targets with one position ignored (-1)."""
    torch.manual_seed(seed)
    model = TinyGPT(layers=layers).to(dtype)
    idx = torch.randint(0, 10, (batch, steps))
    targets = torch.roll(idx, -1, dims=1)
    targets[:, -1] = -1  # no next token after the last one
    return model, idx, targets


def small_cnn(seed: int = 0, dtype=torch.float32, batch: int = 2):
    """Conv–BatchNorm–ReLU–MaxPool–Dropout–Linear on 8×8 RGB images, 10 classes."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Dropout(0.25), nn.Flatten(), nn.Linear(4 * 4 * 4, 10)).to(dtype)
    X = torch.randn(batch, 3, 8, 8, dtype=dtype)
    y = torch.randint(0, 10, (batch,))
    return model, X, y


# ---- nanoGPT's shape (issue 27's 155-step model): its module names, its LayerNorm with an
# optional bias, the fused attention, dropout, a tied head, forward returning (logits, loss) ----

class NanoLayerNorm(nn.Module):
    """LayerNorm with an optional bias (PyTorch's has none to switch off), as nanoGPT writes it."""

    def __init__(self, width: int, bias: bool):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class NanoAttention(nn.Module):
    def __init__(self, width: int, heads: int, bias: bool, dropout: float):
        super().__init__()
        self.c_attn = nn.Linear(width, 3 * width, bias=bias)
        self.c_proj = nn.Linear(width, width, bias=bias)
        self.resid_dropout = nn.Dropout(dropout)
        self.heads, self.width, self.dropout = heads, width, dropout

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.width, dim=2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None,
                                           dropout_p=self.dropout if self.training else 0, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class NanoMLP(nn.Module):
    def __init__(self, width: int, bias: bool, dropout: float):
        super().__init__()
        self.c_fc = nn.Linear(width, 4 * width, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * width, width, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class NanoBlock(nn.Module):
    def __init__(self, width, heads, bias, dropout):
        super().__init__()
        self.ln_1, self.attn = NanoLayerNorm(width, bias), NanoAttention(width, heads, bias, dropout)
        self.ln_2, self.mlp = NanoLayerNorm(width, bias), NanoMLP(width, bias, dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class NanoGPT(nn.Module):
    def __init__(self, vocab=10, block=8, width=16, heads=2, layers=1, bias=True, dropout=0.0):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, width), wpe=nn.Embedding(block, width), drop=nn.Dropout(dropout),
            h=nn.ModuleList([NanoBlock(width, heads, bias, dropout) for _ in range(layers)]),
            ln_f=NanoLayerNorm(width, bias)))
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying

    def forward(self, idx, targets=None):
        pos = torch.arange(0, idx.size(1), dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


def nano_gpt(seed: int = 0, batch: int = 2, steps: int = 8):
    """nanoGPT's model at 1 layer, 2 heads, width 16, vocab 10, block 8; token ids and targets."""
    torch.manual_seed(seed)
    model = NanoGPT()
    idx = torch.randint(0, 10, (batch, steps))
    targets = torch.roll(idx, -1, dims=1)
    targets[:, -1] = -1
    return model, idx, targets
