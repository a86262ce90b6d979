"""Shared fixtures: a tiny randomly initialised BERT tagger built offline, and paths."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from model_helpers import TINY_ENCODER

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLE = ROOT / "examples" / "frontline_report.txt"


def _write_vocab(path: Path) -> Path:
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    symbols = list(string.ascii_lowercase + string.digits + string.punctuation) + ["“", "”", "’", "‘", "—"]
    words = ["the", "said", "told", "source", "army", "military", "that", "according", "to", "officials"]
    pieces += symbols + [f"##{c}" for c in string.ascii_lowercase + string.digits] + words
    path.write_text("\n".join(pieces) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT encoder + WordPiece tokenizer saved like a real base model folder."""
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    from attribution.tagging.windows import LABEL2ID, LABELS

    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = _write_vocab(folder / "vocab.txt")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    tokenizer.save_pretrained(folder)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        **TINY_ENCODER,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=LABEL2ID,
    )
    import torch

    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_tagger(tiny_base_dir: Path):  # type: ignore[no-untyped-def]
    from attribution.tagging.attribution_tagger import AttributionTagger

    tagger = AttributionTagger.from_base(str(tiny_base_dir), max_length=32)
    tagger.model.eval()
    return tagger


@pytest.fixture(scope="session")
def tiny_analyzer_dir(tiny_tagger, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    from attribution.pipeline import Analyzer

    folder = tmp_path_factory.mktemp("tiny-analyzer")
    Analyzer(tiny_tagger).save_pretrained(folder)
    return folder


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"{SHARED_DATA} is absent")
    for item in items:
        if "data" in item.keywords:
            item.add_marker(skip)
