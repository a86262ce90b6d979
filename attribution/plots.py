"""Evaluation plots (PNG) for ``attribution evaluate --plots DIR``.

matplotlib is imported inside the functions and drawn through its Agg canvas directly (no pyplot, no
global backend switch), so importing this module costs nothing and works without a display.

Example:
    >>> from pathlib import Path
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "bias.png"
    >>> save_confusion_matrix([[5, 1], [2, 7]], ["biased", "not_biased"], path, "Sentence bias").stat().st_size > 0
    True

"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def save_confusion_matrix(matrix: Sequence[Sequence[int]], labels: Sequence[str], path: str | Path, title: str) -> Path:
    """Draw a confusion matrix (rows: gold, columns: predicted) with its counts and save it as a PNG.

    Cells are shaded by the share of their gold row (recall per class), so rare classes stay readable;
    the number in each cell is the count. Parent folders are created.

    Args:
        matrix: Square counts, ``matrix[gold][predicted]``.
        labels: Class names, one per row / column.
        path: Where to write the PNG.
        title: Figure title.

    Returns:
        ``path`` as a Path.

    Raises:
        ValueError: if ``matrix`` is not square with one row per label.

    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    counts = np.asarray(matrix, dtype=float)
    if counts.ndim != 2 or counts.shape != (len(labels), len(labels)):
        raise ValueError(
            f"confusion matrix for {path}: expected {len(labels)}x{len(labels)} counts for labels "
            f"{list(labels)}, got shape {counts.shape}"
        )
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    size = max(4.0, 0.55 * len(labels) + 2.5)
    figure = Figure(figsize=(size + 1.0, size), dpi=110)
    figure.set_layout_engine("tight")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04, label="share of gold row")
    rotation, fontsize = (60, 8) if len(labels) > 4 else (0, 10)
    axes.set_xticks(
        range(len(labels)),
        labels=list(labels),
        rotation=rotation,
        ha="right" if rotation else "center",
        fontsize=fontsize,
    )
    axes.set_yticks(range(len(labels)), labels=list(labels), fontsize=fontsize)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(title)
    for row in range(len(labels)):
        for column in range(len(labels)):
            if counts[row, column]:
                color = "white" if shares[row, column] > 0.6 else "black"
                axes.text(column, row, f"{int(counts[row, column])}", ha="center", va="center", fontsize=7, color=color)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


#: File names of :func:`save_evaluation_plots`, by the metrics entry they draw.
PLOT_FILES = {
    "techniques": "techniques-tc-confusion.png",
    "sentence_labels": "sentence-bias-confusion.png",
    "source_profile": "source-type-confusion.png",
}


def save_evaluation_plots(metrics: Mapping[str, Any], folder: str | Path) -> list[Path]:
    """The confusion matrices found in ``attribution evaluate`` metrics, one PNG each, in ``folder``.

    Draws ``metrics["techniques"]["tc_confusion"]`` (technique classification given gold spans),
    ``metrics["sentence_labels"]["confusion"]`` (sentence bias) and ``metrics["source_profile"]["confusion"]``
    (source type given gold spans) when present; see :data:`PLOT_FILES`.

    Returns:
        The written paths (empty when the metrics hold no confusion matrix).

    """
    folder = Path(folder)
    written = []
    tc = metrics.get("techniques", {}).get("tc_confusion")
    if tc:
        title = f"Technique classification given gold spans (micro-F1 {metrics['techniques']['tc_micro_f1']:.3f})"
        written.append(save_confusion_matrix(tc["matrix"], tc["labels"], folder / PLOT_FILES["techniques"], title))
    bias = metrics.get("sentence_labels", {}).get("confusion")
    if bias:
        title = f"Sentence bias given gold sentences (macro-F1 {metrics['sentence_labels']['macro_f1']:.3f})"
        path = folder / PLOT_FILES["sentence_labels"]
        written.append(save_confusion_matrix(bias["matrix"], bias["labels"], path, title))
    profile = metrics.get("source_profile", {})
    types = profile.get("confusion")
    if types and types.get("labels"):
        title = (
            f"Source type given gold spans (accuracy {profile['type_accuracy']:.3f}, "
            f"macro-F1 {profile['type_macro_f1']:.3f})"
        )
        path = folder / PLOT_FILES["source_profile"]
        written.append(save_confusion_matrix(types["matrix"], types["labels"], path, title))
    return written


def save_comparison_plot(result: Mapping[str, Any], path: str | Path) -> Path:
    """Draw ``attribution evaluate --compare`` rows as B - A with their intervals, one line per score.

    A dot right of zero means model B scored higher; the bar is the paired-bootstrap interval of
    B - A (absent with ``--bootstrap 0``). Rows keep the order of
    :func:`~attribution.comparison.format_comparison`.

    Example:
        >>> import tempfile
        >>> row = {"a": 0.5, "b": 0.6, "delta": 0.1, "delta_ci": {"low": -0.05, "high": 0.25}}
        >>> metrics = {"sentence_labels.macro_f1": row, "loaded_terms.micro.overlap.f1": row}
        >>> result = {"compare": {"a": "models", "b": "mine", "metrics": metrics}}
        >>> save_comparison_plot(result, Path(tempfile.mkdtemp()) / "comparison.png").name
        'comparison.png'

    Raises:
        ValueError: if ``result`` holds no comparison rows.

    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from attribution.comparison import comparison_rows

    compare = result["compare"]
    rows = comparison_rows(compare["metrics"])
    if not rows:
        raise ValueError(f"comparison plot {path}: the comparison has no rows")
    labels = [f"{layer}: {label}" for layer, label, _ in rows]
    deltas = [row["delta"] for _, _, row in rows]
    figure = Figure(figsize=(8.0, 1.2 + 0.32 * len(rows)), dpi=110)
    figure.set_layout_engine("tight")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]  # first row on top
    for y, (_, _, row) in zip(positions, rows, strict=True):
        interval = row.get("delta_ci")
        if interval:
            axes.plot([interval["low"], interval["high"]], [y, y], color="0.45", linewidth=2)
    colors = ["tab:green" if d > 0 else "tab:red" if d < 0 else "0.3" for d in deltas]
    axes.scatter(deltas, positions, color=colors, zorder=3)
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.set_yticks(positions, labels=labels, fontsize=8)
    axes.set_xlabel("B - A")
    axes.set_title(
        f"B - A per score, with its interval\nA: {_short(compare['a'])}\nB: {_short(compare['b'])}", fontsize=9
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _short(name: str, width: int = 70) -> str:
    """``name`` cut from the left to ``width`` characters (model folders are long paths)."""
    return name if len(name) <= width else "..." + name[-(width - 3) :]
