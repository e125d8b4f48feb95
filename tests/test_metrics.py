"""Classification metrics against hand-worked confusion matrices (seed 000's definitions)."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphviz_nn import metrics

# Eight samples worked by hand at threshold 0.5:
#   score  0.95 0.80 0.70 0.60 0.45 0.40 0.30 0.10
#   label   1    1    0    1    1    0    0    0
#   pred    1    1    1    1    0    0    0    0   → TP 3 (0.95, 0.80, 0.60), FP 1 (0.70),
#                                                   FN 1 (0.45), TN 3 (0.40, 0.30, 0.10)
LABELS = [1, 1, 0, 1, 1, 0, 0, 0]
SCORES = [0.95, 0.80, 0.70, 0.60, 0.45, 0.40, 0.30, 0.10]


def test_hand_worked_confusion_matrix_and_rates():
    m = metrics.classification_metrics(LABELS, SCORES)
    assert m["confusion_matrix"] == [[3, 1], [1, 3]]  # rows actual P, N; columns predicted P, N
    assert m["accuracy"] == 6 / 8
    assert m["precision"] == 3 / 4 and m["recall"] == 3 / 4 and m["tpr"] == 3 / 4
    assert m["fpr"] == 1 / 4  # FP / (FP + TN) = P(Ŷ=1 | Y=0), not the slide's P(Ŷ=0 | Y=0)
    assert m["f1"] == pytest.approx(0.75)
    # ROC AUC by hand: of the 16 (positive, negative) pairs the positive outscores the
    # negative in all but 0.60 < 0.70 and 0.45 < 0.70: 14/16
    assert m["roc_auc"] == pytest.approx(14 / 16)
    # average precision by hand: positives at ranks 1, 2, 4, 5 → (1 + 1 + 3/4 + 4/5) / 4
    assert m["pr_auc"] == pytest.approx((1 + 1 + 3 / 4 + 4 / 5) / 4)


def test_a_lower_threshold_moves_samples_from_fn_to_tp_and_from_tn_to_fp():
    assert metrics.confusion(LABELS, SCORES, 0.35) == {"TP": 4, "FN": 0, "FP": 2, "TN": 2}


def test_no_predicted_positive_gives_precision_zero_not_a_division_error():
    m = metrics.classification_metrics([1, 0], [0.2, 0.1])
    assert m["precision"] == 0.0 and m["f1"] == 0.0 and m["recall"] == 0.0


def test_roc_curve_runs_from_origin_to_one_one():
    fpr, tpr = metrics.roc_curve(LABELS, SCORES)
    assert (fpr[0], tpr[0]) == (0.0, 0.0) and (fpr[-1], tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 labels but 2 scores"):
        metrics.confusion([1, 0, 1], [0.3, 0.2])


def test_text_has_the_slide_table_and_every_number():
    text = metrics.metrics_text(metrics.classification_metrics(LABELS, SCORES))
    for needle in ("TP, FN", "FP, TN", "accuracy  0.7500", "FPR       0.2500", "ROC AUC   0.8750"):
        assert needle in text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 20)), min_size=2, max_size=30)
       .filter(lambda rows: len({r[0] for r in rows}) == 2))
def test_roc_auc_is_the_probability_a_positive_outscores_a_negative(rows):
    labels = [int(r[0]) for r in rows]
    scores = [r[1] / 20 for r in rows]  # coarse scores: many ties
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    assert metrics.roc_auc(labels, scores) == pytest.approx(wins / (len(pos) * len(neg)))
