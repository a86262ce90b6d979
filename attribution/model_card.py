"""Write the model card (``README.md``) of a trained tagger folder.

The card records the training data and its licence, hyperparameters, the metrics measured on
held-out data, library versions, intended use and limitations.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

_DATA_NOTES = {
    "polnear": (
        "PolNeAR v1.0.0 (Newell, Margolin, Ruths, LREC 2018): US political news from 2015-2016, "
        "attribution relations (source / cue / content) in brat standoff. **The corpus states no licence**: "
        "treat the trained weights as research-use only until that is clarified."
    ),
    "jsonl": (
        "User-supplied annotation JSONL (see annotation-guidelines.md section 5); licence as the data's owner states."
    ),
}

_LIMITATIONS = """\
- Trained on US political news (2015-2016, PolNeAR). War reporting, state-media style and non-US outlets
  are out of domain: expect lower recall for sources such as "a military source" relayed through an agency.
- The base encoder is uncased (all-MiniLM-L6-v2), so capitalisation does not help to find named sources.
- Windows are at most `max_length` word pieces of whole sentences; content that runs on past a window is cut.
- Linking cues to sources and content is rule-based (nearest span, sentence-aware); nested attributions
  ("X said Y told him that ...") are flattened.
- The PolNeAR annotators themselves agree at about 0.78 / 0.71 / 0.68 exact F1 (source / cue / content);
  scores near those numbers are close to the ceiling of the data.
"""


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def write_model_card(path: str | Path, *, training: dict[str, Any], metrics: dict[str, Any]) -> Path:
    """Render and write ``path/README.md``; returns the file path."""
    import torch
    import transformers

    from attribution import __version__

    path = Path(path)
    data_format = training.get("data_format", "jsonl")
    lines = [
        "# Attribution tagger (SOURCE / CUE / CONTENT)",
        "",
        "A BIO token classifier fine-tuned from the base encoder "
        f"`{training.get('base_model')}` for the `attribution` package. Weights here are the fine-tuned "
        "encoder layers and head in float16; the frozen word embeddings come from the base encoder's package.",
        "",
        "## Intended use",
        "",
        "Finding who a news article attributes each claim to (source), the words that mark the attribution "
        "(cue) and what is attributed (content), as the first stage of `attribution analyze`. Not for "
        "judging whether a claim is true, and not for automated decisions about outlets or people.",
        "",
        "## Training data and licence",
        "",
        _DATA_NOTES.get(data_format, _DATA_NOTES["jsonl"]),
        "",
        f"- train: {', '.join(training.get('train_data', []))} ({metrics.get('train_articles')} articles, "
        f"{metrics.get('train_windows')} windows)",
        f"- model selection (best epoch): {', '.join(training.get('dev_data', [])) or 'none'}",
        "",
        "## Metrics (held-out dev data, character-level, see `attribution/evaluation.py`)",
        "",
    ]
    dev = metrics.get("dev")
    if dev:
        lines += [
            "| span | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 | support |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for role in ("source", "cue", "content"):
            e, o = dev[role]["exact"], dev[role]["overlap"]
            lines.append(
                f"| {role} | {_fmt(e['precision'])} | {_fmt(e['recall'])} | {_fmt(e['f1'])} | "
                f"{_fmt(o['precision'])} | {_fmt(o['recall'])} | {_fmt(o['f1'])} | {dev[role]['support']} |"
            )
        r = dev["relation"]
        lines += [
            "",
            f"Relation (cue, source and content each overlapping): P {_fmt(r['precision'])}, "
            f"R {_fmt(r['recall'])}, F1 {_fmt(r['f1'])} ({r['support']} gold attributions).",
            "",
        ]
        lines += ["The dev split chose the best epoch, so these numbers are slightly optimistic for new data.", ""]
        if metrics.get("dev_note"):
            lines += [f"Note: {metrics['dev_note']}.", ""]
    else:
        lines += ["No dev data was given; no held-out metrics.", ""]
    lines += [
        "## Hyperparameters",
        "",
        *(f"- {k}: {v}" for k, v in training.items() if k not in ("train_data", "dev_data")),
        f"- epochs run: {metrics.get('epochs_run')}, training time: {metrics.get('train_seconds')} s",
        "",
        "## Limitations and biases",
        "",
        _LIMITATIONS,
        "## Versions",
        "",
        f"attribution {__version__}, transformers {transformers.__version__}, torch {torch.__version__}, "
        f"Python {platform.python_version()}.",
        "",
    ]
    card = path / "README.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card
