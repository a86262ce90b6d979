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


def write_card(path: str | Path, lines: list[str]) -> Path:
    """Write the card's ``lines`` to ``path/README.md``; returns the file."""
    card = Path(path) / "README.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def started_from(init: str | None, what: str, base_model: str | None) -> str:
    """The model-card line that says which model a training run started from (``--init-model`` or the base).

    Example:
        >>> started_from("models/source-profile", "source profiler", "x")
        '- started from: the saved source profiler `models/source-profile` (all its weights, fine-tuned further)'
        >>> started_from(None, "source profiler", "sentence-transformers/all-MiniLM-L6-v2")
        '- started from: the base encoder `sentence-transformers/all-MiniLM-L6-v2` (new task head)'

    """
    if init:
        return f"- started from: the saved {what} `{init}` (all its weights, fine-tuned further)"
    return f"- started from: the base encoder `{base_model}` (new task head)"


def write_model_card(
    path: str | Path, *, training: dict[str, Any], metrics: dict[str, Any], lora: dict[str, Any] | None = None
) -> Path:
    """Render and write ``path/README.md``; returns the file path (``lora``: the adapters' settings, if any)."""
    import torch
    import transformers

    from attribution import __version__

    path = Path(path)
    data_format = training.get("data_format", "jsonl")
    weights = (
        f"Weights here are LoRA adapters (rank {lora['rank']}, alpha {lora['alpha']}) on every linear layer of the "
        "encoder's blocks and the classification head, in float16; the base encoder comes from its package."
        if lora
        else "Weights here are the fine-tuned encoder layers and head in float16; the frozen word embeddings come "
        "from the base encoder's package."
    )
    lines = [
        "# Attribution tagger (SOURCE / CUE / CONTENT)",
        "",
        "A BIO token classifier fine-tuned from the base encoder "
        f"`{training.get('base_model')}` for the `attribution` package. {weights}",
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
        started_from(training.get("init_tagger"), "attribution tagger", training.get("base_model")),
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
    return write_card(path, lines)


_TERM_DATA_NOTES = {
    "ptc": (
        "PTC v2, SemEval-2020 Task 11 training articles (Da San Martino et al. 2019, 2020): 371 news articles "
        "with 14 propaganda techniques marked at character level. **Licence unknown; research use only**; "
        "the weights are derived from it, so treat them as research-only too."
    ),
    "semeval2023": "SemEval-2023 Task 3 English spans (relabelled PTC articles). Research use only.",
    "basil": "BASIL (Fan et al. 2019) lexical-bias spans. Research use; check its licence before redistribution.",
    "jsonl": "User-supplied annotation JSONL (annotation-guidelines.md section 5); licence as its owner states.",
}

_TERM_LIMITATIONS = """\
- PTC is mostly US and international politics from 2017-2018 outlets; war and state-media vocabulary comes
  only from the hand-written set (a few hundred sentences), so unseen war terms are found less reliably.
- `delegitimizing` is learned from the hand-written set alone; PTC does not mark it.
- Polarity is learned from the hand-written set and, for PTC terms, weak labels from a subjectivity lexicon's
  prior polarity (where given at training); treat it as a hint.
- The branch reads the attribution tagger's hidden states: it is only valid with the attribution tagger whose
  weight hash is in `term_tagger_config.json` (the analyzer checks this).
- Technique spans such as Doubt or Appeal_to_fear are long and vague; their boundaries are less reliable
  than those of single loaded words.
"""


def _short_path(path: str) -> str:
    """A packaged file's path from the package folder on (``attribution/resources/...``), else as given."""
    marker = "/attribution/resources/"
    return "attribution/resources/" + path.split(marker, 1)[1] if marker in path else path


def _soup_lines(metrics: dict[str, Any]) -> list[str]:
    """The card's line on the greedy soup (``soup_with`` in training), none when no soup was tried.

    >>> metrics = {"soup_with": ["b", "c"], "soup_kept": ["b", "run"],
    ...            "dev_selection_alone": {"run": 0.41, "b": 0.42, "c": 0.40}, "dev_selection_by_soup": {"run": 0.43}}
    >>> print(*_soup_lines(metrics))  # doctest: +NORMALIZE_WHITESPACE
    - a greedy soup of: b, run (this run's branch and b, c scored alone on dev, {'run': 0.41, 'b': 0.42, 'c': 0.4},
    then tried best first, each joining only if dev scored better; dev selection scores {'run': 0.43})
    >>> _soup_lines({**metrics, "soup_rank": 32, "soup_rank_error": 0.0123})[1]
    "- the soup's adapters cut to rank 32 (truncated SVD of each averaged change; relative error 1.2%)"
    >>> _soup_lines({})
    []
    """
    if not metrics.get("soup_with"):
        return []
    kept = ", ".join(metrics.get("soup_kept") or [])
    lines = [
        f"- a greedy soup of: {kept} (this run's branch and {', '.join(metrics['soup_with'])} scored alone on dev, "
        f"{metrics.get('dev_selection_alone')}, then tried best first, each joining only if dev scored better; "
        f"dev selection scores {metrics.get('dev_selection_by_soup')})"
    ]
    if metrics.get("soup_rank"):
        lines.append(
            f"- the soup's adapters cut to rank {metrics['soup_rank']} (truncated SVD of each averaged change; "
            f"relative error {metrics['soup_rank_error']:.1%})"
        )
    return lines


def _verifier_section(verifier: dict[str, Any] | None) -> list[str]:
    """The card's account of the loaded-term verifier (``attribution.term_verifier_training``), if one was fitted.

    Example:
        >>> report = {"categories": {"exaggeration": {"skipped": "12 terms, 3 right"}}}
        >>> _verifier_section(report)[4]
        '- exaggeration: no verifier (12 terms, 3 right).'

    """
    if not verifier:
        return []
    lines = [
        "## Verifier",
        "",
        "A logistic regression per category over each decoded term's score, length, case and the span head's "
        "probabilities over its tokens, fitted on the branch's terms in the training articles (a term is right "
        "when it overlaps a gold term of its category); a term below its category's threshold, chosen on dev, is "
        "dropped"
        + (
            ", unless it overlaps a war-lexicon match of its category (the lexicon prior's terms)"
            if verifier.get("keeps_lexicon_terms", True)
            else ""
        )
        + ". Technique spans are not verified.",
        "",
    ]
    for category, report in verifier.get("categories", {}).items():
        if "skipped" in report:
            lines.append(f"- {category}: no verifier ({report['skipped']}).")
            continue
        threshold = report.get("threshold")
        use = f"threshold {threshold}" if threshold else "not used (threshold 0, keeping every term, scored best)"
        lines.append(
            f"- {category}: {report['examples']} training terms, {_fmt(report['share_right'])} right; C {report['c']} "
            f"(grouped cross-validation ROC AUC {_fmt(report['cv_auc'])}); {use}."
        )
    return lines + [""]


def write_term_model_card(path: str | Path, *, training: dict[str, Any], metrics: dict[str, Any]) -> Path:
    """Render and write ``path/README.md`` for a loaded-term / technique branch."""
    import torch
    import transformers

    from attribution import __version__

    path = Path(path)
    data_format = training.get("data_format", "jsonl")
    validation = metrics.get("validation") or {}
    trained = (
        f"copied, with LoRA adapters (rank {training['lora_rank']}) trained on them and merged at loading"
        if training.get("lora_rank")
        else "copied and fine-tuned"
    )
    lines = [
        "# Loaded-term and persuasion-technique tagger (branch on the attribution tagger)",
        "",
        (
            "All encoder layers of the attribution tagger (after its embeddings)"
            if training.get("trunk_layer") == 0
            else f"Encoder layers after layer {training.get('trunk_layer')} of the attribution tagger"
        )
        + f", {trained}, with two heads: "
        "an O/B/I decision per token for each of the 14 SemEval-2020 techniques and `delegitimizing`, and a "
        "token polarity head. "
        + (
            "The branch starts from the attribution tagger's embedding output: only the embedding lookup is "
            "shared, and its own layers are a second encoder pass."
            if training.get("trunk_layer") == 0
            else "The hidden states up to that layer come from the attribution tagger's own forward pass, so "
            "one encoder pass serves both models."
        )
        + " Weights in float16.",
        "",
        "## Intended use",
        "",
        "Marking words that carry a judgement (`name_calling`, `loaded_language`, `delegitimizing`, "
        "`exaggeration`) and persuasion-technique spans in news articles, for a human reviewer. Not for "
        "automated decisions about outlets or people.",
        "",
        "## Training data and licence",
        "",
        _TERM_DATA_NOTES.get(data_format, _TERM_DATA_NOTES["jsonl"]),
        "",
        "Hand-written war-vocabulary sentences (this project's own, same licence as the project): "
        f"{', '.join(_short_path(x) for x in training.get('extra_train_data', [])) or 'none'}, "
        f"repeated {training.get('extra_repeats')}x.",
        "",
        f"- train: {', '.join(training.get('train_data', []))} ({metrics.get('train_articles')} articles, "
        f"{metrics.get('train_windows')} distinct windows incl. the hand-written set"
        + (
            f", {metrics['train_windows_per_epoch']} per epoch with its repeats)"
            if metrics.get("train_windows_per_epoch")
            else ")"
        ),
        "- dev (chooses the epoch and the decoding settings): "
        + (
            ", ".join(training.get("dev_data", []))
            or f"{training.get('dev_share')} of the training articles, by id hash"
        ),
        "- validation (held out, only measured): "
        + (", ".join(training.get("validation_data", [])) or "the PTC articles `ptc_split` holds out (by article)"),
        f"- started from: the saved term tagger `{training['init_branch']}` ("
        + ("its branch, fine-tuned further)" if metrics.get("epochs_run") else "not trained further)")
        if training.get("init_branch")
        else f"- started from: a copy of the attribution tagger's layers after layer {training.get('trunk_layer')} "
        "(new heads)",
        *_soup_lines(metrics),
        "",
        "## Metrics on the validation articles",
        "",
    ]
    if validation:
        techniques = validation.get("techniques", {})
        lines += [
            f"SemEval-2020 Task 11 span identification: P {_fmt(techniques.get('si_precision'))}, "
            f"R {_fmt(techniques.get('si_recall'))}, F1 {_fmt(techniques.get('si_f1'))}.",
            "",
            "| loaded-term category | exact F1 | overlap P | overlap R | overlap F1 | gold spans |",
            "|---|---|---|---|---|---|",
        ]
        for category, scores in validation.get("loaded_terms", {}).items():
            if category == "micro" or not isinstance(scores, dict) or "overlap" not in scores:
                continue
            o, e = scores["overlap"], scores.get("exact", {})
            lines.append(
                f"| {category} | {_fmt(e.get('f1', ''))} | {_fmt(o['precision'])} | {_fmt(o['recall'])} | "
                f"{_fmt(o['f1'])} | {scores.get('n_gold', '')} |"
            )
        lines += [
            "",
            f"Validation: {metrics.get('validation_articles')} PTC articles held out by article; the epoch and the "
            f"decoding settings were chosen on {metrics.get('dev_articles')} other training articles (dev), so "
            "these are held-out numbers.",
            "",
        ]
        if metrics.get("decoding_note"):
            lines += [f"Decoding: {metrics['decoding_note']}.", ""]
    else:
        lines += ["No validation data was given; no held-out metrics.", ""]
    lines += _verifier_section(metrics.get("verifier"))
    lines += [
        "## Hyperparameters",
        "",
        *(f"- {k}: {v}" for k, v in training.items() if k not in ("train_data", "validation_data")),
        f"- epochs run: {metrics.get('epochs_run')} (best: {metrics.get('best_epoch')}), "
        f"training time: {metrics.get('train_seconds')} s",
        "",
        "## Limitations and biases",
        "",
        _TERM_LIMITATIONS,
        "## Versions",
        "",
        f"attribution {__version__}, transformers {transformers.__version__}, torch {torch.__version__}, "
        f"Python {platform.python_version()}.",
        "",
    ]
    return write_card(path, lines)


def write_ranker_model_card(path: str | Path, metrics: dict[str, Any]) -> Path:
    """Render and write ``path/README.md`` for a target ranker (:mod:`attribution.target_ranking_training`)."""
    import sklearn

    from attribution import __version__

    path = Path(path)
    fit = metrics["fit"]
    before = metrics["dev_without_ranker"]
    chosen = metrics["dev_by_threshold"][str(metrics["threshold"])]
    rows = [
        f"| {t} | {s.get('accuracy', 0.0):.3f} | {s.get('given', 0.0):.0%} | {s.get('precision_when_given', 0.0):.3f} "
        f"| {s.get('given_without_gold', 0)} | {s.get('net', '')} |"
        for t, s in metrics["dev_by_threshold"].items()
    ]
    lines = [
        "# Target ranker for loaded terms (logistic regression)",
        "",
        "Chooses whom a loaded term is about when the rules leave it open: it scores every actor mention of the "
        "article for the term (`attribution/target_ranking.py`, `FEATURES`) and gives the best one as target when "
        f"its probability reaches {metrics['threshold']}. Use it with `attribution analyze --target-ranker "
        f"{_short_path(str(path))}` or `Analyzer.from_pretrained(target_ranker=...)`.",
        "",
        "## Training data and licence",
        "",
        f"- train: {', '.join(map(_short_path, metrics['train_data']))} ({metrics['train_articles']} articles; "
        f"{fit['terms']} open terms matched to a gold term, {fit['terms_with_a_right_mention']} with a mention of "
        "the gold target); licence as the data's owner states (the packaged war articles: the project's own).",
        f"- dev (chooses the threshold): {', '.join(map(_short_path, metrics['dev_data']))} "
        f"({metrics['dev_articles']} articles).",
        "- The ranker learns from the analyzer's reports of these articles; see that analyzer's cards for the data "
        "its models were trained on.",
        "",
        "## Metrics",
        "",
        f"Grouped 5-fold cross-validated top-1 accuracy by C: {fit['cv_top_one_accuracy_by_c']} (chosen C {fit['c']}).",
        "",
        f"Dev target accuracy {before.get('accuracy', 0.0):.3f} without the ranker, {chosen.get('accuracy', 0.0):.3f} "
        f"with it (right when given {before.get('precision_when_given', 0.0):.3f} -> "
        f"{chosen.get('precision_when_given', 0.0):.3f}). The threshold has the most targets right less those wrong:",
        "",
        "| threshold | target accuracy | given | right when given | given where gold has none | right - wrong |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "These are dev numbers (the threshold was chosen on them); measure held-out data with `attribution evaluate "
        "--compare` before using the ranker.",
        "",
        "## Limitations",
        "",
        "- The speaker's side is read from names and source types; victims and targets the text names in other "
        "words are rarely found. Retrain after changing the analyzer's term tagger or target rules.",
        "",
        "## Versions",
        "",
        f"attribution {__version__}, scikit-learn {sklearn.__version__}, Python {platform.python_version()}; "
        f"{metrics['train_seconds']} s.",
        "",
    ]
    return write_card(path, lines)
