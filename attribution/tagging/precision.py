"""Numeric precision of the encoders in analysis and training: float32, or bfloat16 autocast where it is fast.

Running the encoders under ``torch.autocast`` with bfloat16 roughly halves analysis time on CPUs with
bfloat16 instructions (AVX-512 BF16 or AMX). Measured on a 2-core Xeon with AMX: the shipped analyzer went from
0.20-0.22 to 0.40-0.47 articles/s (``benchmarks/analyze_throughput.py --precision float32 bfloat16``), and the
all-mpnet-base-v2 attribution tagger alone ran 2.3 times faster with 99.99% of its token labels unchanged. On
CPUs without those instructions bfloat16 is emulated and many times slower, so ``auto`` takes it only where the
CPU reports them (or on a CUDA device that supports bfloat16). Weights stay as loaded; only the matrix products
run in bfloat16, and every probability is computed in float32 from the logits.

Training takes the same setting (:func:`training_uses_bf16`, ``attribution train --precision``): on the same
CPU the loaded-term branch took 2.0 instead of 2.5 minutes an epoch, with the same held-out scores.

Example:
    >>> resolve_precision("float32")
    'float32'
    >>> resolve_precision("auto", flags={"avx2", "avx512f"})
    'float32'
    >>> resolve_precision("auto", flags={"avx512f", "avx512_bf16"})
    'bfloat16'
    >>> with inference_precision("float32"):
    ...     pass

"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Collection, Iterator
from pathlib import Path

PRECISIONS = ("auto", "float32", "bfloat16")
"""What a user may ask for; ``auto`` resolves to one of the other two (:func:`resolve_precision`)."""

BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
"""CPU flags (as ``/proc/cpuinfo`` names them) that make bfloat16 matrix products fast."""


@functools.cache
def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags from ``/proc/cpuinfo``; empty where that file does not exist (macOS, Windows).

    Example:
        >>> cpu_flags("/nonexistent/cpuinfo")
        frozenset()

    """
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def check_precision(precision: str) -> None:
    """Raise ValueError, naming the value, when ``precision`` is not one of :data:`PRECISIONS`.

    Example:
        >>> check_precision("auto")
        >>> check_precision("bf16")
        Traceback (most recent call last):
        ...
        ValueError: precision must be one of auto, float32, bfloat16, got 'bf16'

    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")


def resolve_precision(precision: str, device_type: str = "cpu", *, flags: Collection[str] | None = None) -> str:
    """``float32`` or ``bfloat16`` for ``precision`` (one of :data:`PRECISIONS`) on ``device_type``.

    ``auto`` gives ``bfloat16`` on a CPU whose flags include one of :data:`BF16_CPU_FLAGS` and on a CUDA
    device that supports it, ``float32`` elsewhere. ``flags`` stands in for what the CPU reports.

    Raises:
        ValueError: for a precision that is not one of :data:`PRECISIONS`.

    Example:
        >>> resolve_precision("bfloat16")
        'bfloat16'
        >>> resolve_precision("fp16")
        Traceback (most recent call last):
        ...
        ValueError: precision must be one of auto, float32, bfloat16, got 'fp16'

    """
    check_precision(precision)
    if precision != "auto":
        return precision
    if device_type == "cuda":
        import torch

        return "bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "float32"
    found = cpu_flags() if flags is None else frozenset(flags)
    return "bfloat16" if device_type == "cpu" and found & BF16_CPU_FLAGS else "float32"


@contextlib.contextmanager
def inference_precision(precision: str, device_type: str = "cpu") -> Iterator[None]:
    """Run the model calls inside under bfloat16 autocast when ``precision`` is ``bfloat16``; else change nothing.

    ``precision`` is a resolved one (``float32`` or ``bfloat16``, see :func:`resolve_precision`).
    """
    if precision == "float32":
        yield
        return
    if precision != "bfloat16":
        raise ValueError(f"precision must be float32 or bfloat16 here (resolve 'auto' first), got {precision!r}")
    import torch

    with torch.autocast(device_type=device_type, dtype=torch.bfloat16):
        yield


def training_uses_bf16(precision: str) -> bool:
    """Whether a training run asked for ``precision`` trains under bfloat16 autocast (``TrainingArguments.bf16``).

    Resolved for the device the trainers use: a CUDA GPU when there is one, else the CPU. The optimiser
    and the master weights stay float32; only the forward and backward matrix products run in bfloat16.

    Example:
        >>> training_uses_bf16("float32")
        False
        >>> training_uses_bf16("bfloat16")
        True

    """
    import torch

    device_type = "cuda" if torch.cuda.is_available() else "cpu"
    return resolve_precision(precision, device_type) == "bfloat16"
