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
