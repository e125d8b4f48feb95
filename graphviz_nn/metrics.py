"""Classification metrics of lecture 3 (seed 000): from labels and scores, in plain numpy.

The confusion matrix is laid out as on the slide: rows are the actual class (P, N), columns
the predicted class (P, N)::

    >>> m = classification_metrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1])
    >>> m["confusion_matrix"], m["accuracy"], m["precision"], m["recall"]
    ([[1, 1], [1, 1]], 0.5, 0.5, 0.5)
    >>> m["roc_auc"]
    0.75

FPR is FP / (FP + TN) = P(Ŷ = 1 | Y = 0); the slide writes P(Ŷ = 0 | Y = 0), which is the
true negative rate (a typo). PR AUC is average precision, Σ (R_k - R_{k-1}) P_k over the
thresholds (the step-wise area, as scikit-learn computes it); ROC AUC is the trapezoid area,
which equals the probability that a random positive scores above a random negative.
"""
from __future__ import annotations

import numpy as np

THRESHOLD = 0.5  # "Changing threshold (default is 0.5)" (seed 000)


def _ratio(num: float, den: float) -> float:
    """num / den, with 0 for an empty denominator (no predicted positives: precision 0)."""
    return float(num) / float(den) if den else 0.0


def _arrays(labels, scores):
    y = np.asarray(labels, dtype=float).reshape(-1)
    s = np.asarray(scores, dtype=float).reshape(-1)
    if y.shape != s.shape:
        raise ValueError(f"{y.size} labels but {s.size} scores")
    return y > 0.5, s


def confusion(labels, scores, threshold: float = THRESHOLD) -> dict:
    """TP, FN, FP, TN at a threshold (a score ≥ threshold predicts the positive class)."""
    y, s = _arrays(labels, scores)
    predicted = s >= threshold
    return {"TP": int(np.sum(y & predicted)), "FN": int(np.sum(y & ~predicted)),
            "FP": int(np.sum(~y & predicted)), "TN": int(np.sum(~y & ~predicted))}


def accuracy(labels, scores, threshold: float = THRESHOLD) -> float:
    """#correct predictions / #samples."""
    c = confusion(labels, scores, threshold)
    return _ratio(c["TP"] + c["TN"], sum(c.values()))


def roc_curve(labels, scores) -> tuple:
    """(FPR, TPR) arrays from threshold +∞ (nothing predicted positive) down to the lowest score."""
    y, s = _arrays(labels, scores)
    thresholds = np.unique(s)[::-1]
    positives, negatives = int(y.sum()), int((~y).sum())
    fpr, tpr = [0.0], [0.0]
    for t in thresholds:
        predicted = s >= t
        tpr.append(_ratio(np.sum(y & predicted), positives))
        fpr.append(_ratio(np.sum(~y & predicted), negatives))
    return np.array(fpr), np.array(tpr)


def pr_curve(labels, scores) -> tuple:
    """(recall, precision) arrays, one point per distinct score from the highest down."""
    y, s = _arrays(labels, scores)
    positives = int(y.sum())
    recall, precision = [], []
    for t in np.unique(s)[::-1]:
        predicted = s >= t
        tp = np.sum(y & predicted)
        recall.append(_ratio(tp, positives))
        precision.append(_ratio(tp, np.sum(predicted)))
    return np.array(recall), np.array(precision)


def roc_auc(labels, scores) -> float:
    fpr, tpr = roc_curve(labels, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def pr_auc(labels, scores) -> float:
    """Average precision: the step-wise area under the precision-recall curve."""
    recall, precision = pr_curve(labels, scores)
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision))


def classification_metrics(labels, scores, threshold: float = THRESHOLD) -> dict:
    """Every metric of the slides at once, as plain floats and ints (JSON-ready)."""
    c = confusion(labels, scores, threshold)
    precision = _ratio(c["TP"], c["TP"] + c["FP"])
    recall = _ratio(c["TP"], c["TP"] + c["FN"])
    return {
        "threshold": float(threshold),
        "confusion_matrix": [[c["TP"], c["FN"]], [c["FP"], c["TN"]]],
        "accuracy": _ratio(c["TP"] + c["TN"], sum(c.values())),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "tpr": recall,
        "fpr": _ratio(c["FP"], c["FP"] + c["TN"]),
        "roc_auc": roc_auc(labels, scores),
        "pr_auc": pr_auc(labels, scores),
    }


def metrics_text(m: dict) -> str:
    """The metrics as the slide's table and one line per number (for ``show``, ``train``, the app)."""
    (tp, fn), (fp, tn) = m["confusion_matrix"]
    width = max(len(str(v)) for v in (tp, fn, fp, tn)) + 2
    lines = [f"Confusion matrix at threshold {m['threshold']:g} (rows: actual class, columns: predicted class)",
             f"{'':>10}{'P':>{width}}{'N':>{width}}",
             f"{'actual P':>10}{tp:>{width}}{fn:>{width}}     TP, FN",
             f"{'actual N':>10}{fp:>{width}}{tn:>{width}}     FP, TN",
             f"accuracy  {m['accuracy']:.4f}   (TP + TN) / all",
             f"precision {m['precision']:.4f}   TP / (TP + FP)",
             f"recall    {m['recall']:.4f}   TP / (TP + FN) = TPR",
             f"F1        {m['f1']:.4f}   2PR / (P + R)",
             f"TPR       {m['tpr']:.4f}   TP / (TP + FN)",
             f"FPR       {m['fpr']:.4f}   FP / (FP + TN) = P(Ŷ=1 | Y=0)",
             f"ROC AUC   {m['roc_auc']:.4f}   area under TPR vs FPR",
             f"PR AUC    {m['pr_auc']:.4f}   average precision over the thresholds"]
    return "\n".join(lines)
