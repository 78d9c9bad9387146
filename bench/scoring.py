"""Precision and recall over sets of annotated facts, shared by the quality scripts in bench/."""

from __future__ import annotations


def score(gold: set, found: set) -> tuple[float, float, float, int, int, int]:
    """(precision, recall, F1, TP, FP, FN), micro-averaged over the facts of two sets."""
    tp, fp, fn = len(gold & found), len(found - gold), len(gold - found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn


HEADER = f"{'precision':>10}{'recall':>8}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}"


def row(name: str, gold: set, found: set, width: int = 16) -> str:
    precision, recall, f1, tp, fp, fn = score(gold, found)
    return f"{name:{width}}{precision:10.3f}{recall:8.3f}{f1:7.3f}{tp:6}{fp:5}{fn:5}"


def table(gold: set[tuple], found: set[tuple], classes, field: int, width: int = 12) -> list[str]:
    """The header and one row per class of fact (``fact[field]`` names its class), then "all"."""
    lines = [f"{'':{width}}{HEADER}"]
    for name in (*classes, "all"):
        lines.append(row(name, {f for f in gold if name in (f[field], "all")},
                         {f for f in found if name in (f[field], "all")}, width=width))
    return lines
