"""Converters for the loaded-terms data: PTC (SemEval-2020 Task 11), SemEval-2023 Task 3, BASIL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from attribution.annotations import (
    TECHNIQUE_TO_CATEGORY,
    TECHNIQUES,
    AnnotationError,
    GoldLoadedTerm,
    GoldTechnique,
    read_annotations,
)
from attribution.cli import main
from attribution.converters.basil import basil_text, read_basil
from attribution.converters.ptc import (
    article_number,
    ptc_split,
    read_ptc,
    techniques_to_loaded_terms,
)
from attribution.converters.semeval2023 import (
    DROPPED_2023,
    SEMEVAL2023_TECHNIQUES,
    SEMEVAL2023_TO_2020,
    read_semeval2023,
)
from attribution.training import load_labeled

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PTC_DATA = SHARED_DATA / "ptc_semeval2020"
SEMEVAL2023_DATA = SHARED_DATA / "semeval2023_t3_en"
BASIL_DATA = SHARED_DATA / "basil"
MINI = Path(__file__).parent / "data" / "ptc_mini"


def span_texts(record: Any, items: Any, label: str) -> list[tuple[str, str]]:
    return [(record.text[slice(*item.span[0])], getattr(item, label)) for item in items]


# --- PTC -------------------------------------------------------------------------------------------------------


def test_mini_fixture_reads_both_articles() -> None:
    first, second = read_ptc(MINI)
    assert (first.id, second.id) == ("ptc-1001", "ptc-1002")
    assert first.layers == ("techniques", "loaded_terms")
    assert first.extra == {"meta": {"source": "ptc_semeval2020", "article_id": "1001"}}
    assert len(first.techniques) == 9  # 10 label lines, one exact duplicate
    assert span_texts(second, second.techniques, "technique") == [("who really believes them?", "Doubt")]
    assert second.loaded_terms == ()


@pytest.mark.parametrize(
    ("phrase", "technique"),
    [
        ("Regime thugs", "Name_Calling,Labeling"),
        ("corrupt regime of thugs", "Name_Calling,Labeling"),  # overlaps "corrupt" and "thugs"
        ("corrupt", "Loaded_Language"),
        ("thugs", "Name_Calling,Labeling"),  # one span, two techniques
        ("thugs", "Loaded_Language"),
        ("brutal massacre", "Loaded_Language"),
        ("countless villages", "Exaggeration,Minimisation"),
        ("stand with our nation!", "Flag-Waving"),
        ("stand with our nation!", "Slogans"),
    ],
)
def test_mini_techniques(phrase: str, technique: str) -> None:
    record = read_ptc(MINI)[0]
    assert span_texts(record, record.techniques, "technique").count((phrase, technique)) == 1


def test_mini_loaded_terms_are_the_mapped_techniques() -> None:
    record = read_ptc(MINI)[0]
    assert sorted(span_texts(record, record.loaded_terms, "category")) == sorted(
        [
            ("Regime thugs", "name_calling"),
            ("corrupt regime of thugs", "name_calling"),
            ("corrupt", "loaded_language"),
            ("thugs", "name_calling"),
            ("thugs", "loaded_language"),
            ("brutal massacre", "loaded_language"),
            ("countless villages", "exaggeration"),
        ]
    )
    assert all(t.polarity is None and t.target is None and t.voice is None for t in record.loaded_terms)


def test_per_article_label_files_give_the_same_records(tmp_path: Path) -> None:
    root = shutil.copytree(MINI, tmp_path / "ptc")
    (root / "train-task-flc-tc.labels").unlink()
    assert read_ptc(root) == read_ptc(MINI)


def test_single_article_file_finds_its_labels() -> None:
    assert read_ptc(MINI / "train-articles" / "article1001.txt") == read_ptc(MINI)[:1]


def test_bad_fixture_line_is_named() -> None:
    message = r"article1003\.task-flc-tc\.labels:2: unknown technique 'Loaded-Language'"
    with pytest.raises(AnnotationError, match=message):
        read_ptc(MINI / "bad" / "article1003.txt")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("7\tDoubt\t0", "expected 4 tab-separated fields"),
        ("7\tDoubt\t0\t4\textra", "expected 4 tab-separated fields"),
        ("7\tdoubt\t0\t4", "unknown technique 'doubt'"),
        ("7\tDoubt\tzero\t4", "offsets 'zero', '4' are not integers"),
        ("7\tDoubt\t4\t4", r"offsets \[4, 4\] are not 0 <= start < end"),
        ("7\tDoubt\t-1\t4", r"offsets \[-1, 4\] are not 0 <= start < end"),
        ("7\tDoubt\t0\t99", r"offsets \[0, 99\] are outside article 7 \(length 11\)"),
        ("8\tDoubt\t0\t4", "article 8 has no file in"),
    ],
)
def test_bad_label_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "train-articles").mkdir()
    (tmp_path / "train-articles" / "article7.txt").write_text("Is it true?", encoding="utf-8")
    labels = tmp_path / "train-task-flc-tc.labels"
    labels.write_text(f"7\tDoubt\t0\t2\n{line}\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=f"^{labels}:2: {message}"):
        read_ptc(tmp_path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "not a PTC folder"),
        (lambda p: (p / "train-articles").mkdir() or p, "no technique labels"),
        (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "not a PTC article file"),
        (lambda p: (p / "article5.txt").write_text("x") and p / "article5.txt", "no labels file found"),
    ],
)
def test_not_ptc_input(tmp_path: Path, make: Any, message: str) -> None:
    with pytest.raises(FileNotFoundError, match=message):
        read_ptc(make(tmp_path))


def test_offsets_count_carriage_returns(tmp_path: Path) -> None:
    (tmp_path / "article9.txt").write_bytes(b"Title\r\n\r\nThey are thugs.\r\n")
    (tmp_path / "article9.labels").write_text("9\tName_Calling,Labeling\t18\t23\n", encoding="utf-8")
    [record] = read_ptc(tmp_path / "article9.txt")
    assert span_texts(record, record.techniques, "technique") == [("thugs", "Name_Calling,Labeling")]


def test_article_without_labels_is_annotated_and_empty(tmp_path: Path) -> None:
    (tmp_path / "article4.txt").write_text("Nothing here.", encoding="utf-8")
    (tmp_path / "article4.labels").write_text("", encoding="utf-8")
    [record] = read_ptc(tmp_path / "article4.txt")
    assert (record.techniques, record.loaded_terms, record.layers) == ((), (), ("techniques", "loaded_terms"))
    assert record.to_dict()["loaded_terms"] == []


# --- split --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("article_id", ["111111111", "111111113", "999", "1001"])
def test_split_is_deterministic_and_prefix_blind(article_id: str) -> None:
    side = ptc_split(article_id)
    assert side in ("train", "validation")
    assert ptc_split(f"ptc-{article_id}") == ptc_split(f"semeval2023-{article_id}") == side


@pytest.mark.parametrize("share", [0.1, 0.2, 0.5])
def test_split_proportion(share: float) -> None:
    ids = [str(i) for i in range(700_000_000, 700_020_000)]
    validation = sum(ptc_split(i, share) == "validation" for i in ids) / len(ids)
    assert abs(validation - share) < 0.01


def test_split_edges_and_nesting() -> None:
    ids = [str(i) for i in range(1000)]
    assert {ptc_split(i, 0.0) for i in ids} == {"train"}
    assert {ptc_split(i, 1.0) for i in ids} == {"validation"}
    # a larger share only adds validation articles
    assert all(ptc_split(i, 0.3) == "validation" for i in ids if ptc_split(i, 0.2) == "validation")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ptc_split("1", 1.5), "validation_share must be in"),
        (lambda: ptc_split("babe-1"), "not a PTC article number"),
        (lambda: article_number("ptc-"), "not a PTC article number"),
        (lambda: read_ptc(MINI, split="dev"), "split must be one of"),  # type: ignore[arg-type]
    ],
)
def test_split_rejects_bad_input(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_read_ptc_split_partitions_the_articles() -> None:
    everything = read_ptc(MINI)
    train, validation = read_ptc(MINI, split="train"), read_ptc(MINI, split="validation")
    assert sorted(r.id for r in train + validation) == [r.id for r in everything]
    assert all(ptc_split(r.id) == "validation" for r in validation)


# --- technique -> category ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("techniques", "expected"),
    [
        ([("Loaded_Language", (0, 4))], [("loaded_language", (0, 4))]),
        ([("Name_Calling,Labeling", (0, 4))], [("name_calling", (0, 4))]),
        ([("Exaggeration,Minimisation", (2, 9))], [("exaggeration", (2, 9))]),
        ([("Doubt", (0, 4)), ("Repetition", (0, 4)), ("Slogans", (1, 3))], []),
        ([("Loaded_Language", (0, 4)), ("Loaded_Language", (0, 4))], [("loaded_language", (0, 4))]),
        (
            [("Loaded_Language", (0, 4)), ("Name_Calling,Labeling", (0, 4))],
            [("loaded_language", (0, 4)), ("name_calling", (0, 4))],
        ),
    ],
)
def test_techniques_to_loaded_terms(techniques: list[tuple[str, tuple[int, int]]], expected: list[Any]) -> None:
    terms = techniques_to_loaded_terms(GoldTechnique((span,), name) for name, span in techniques)
    assert terms == tuple(GoldLoadedTerm((span,), category) for category, span in expected)


# --- SemEval-2023 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name_2023", "name_2020"),
    [
        ("Name_Calling-Labeling", "Name_Calling,Labeling"),
        ("Loaded_Language", "Loaded_Language"),
        ("Exaggeration-Minimisation", "Exaggeration,Minimisation"),
        ("Doubt", "Doubt"),
        ("Appeal_to_Fear-Prejudice", "Appeal_to_fear-prejudice"),
        ("Flag_Waving", "Flag-Waving"),
        ("Causal_Oversimplification", "Causal_Oversimplification"),
        ("Appeal_to_Authority", "Appeal_to_Authority"),
        ("Slogans", "Slogans"),
        ("Repetition", "Repetition"),
        ("Conversation_Killer", "Thought-terminating_Cliches"),
        ("False_Dilemma-No_Choice", "Black-and-White_Fallacy"),
        ("Whataboutism", "Whataboutism,Straw_Men,Red_Herring"),
        ("Red_Herring", "Whataboutism,Straw_Men,Red_Herring"),
        ("Straw_Man", "Whataboutism,Straw_Men,Red_Herring"),
        ("Appeal_to_Hypocrisy", "Whataboutism,Straw_Men,Red_Herring"),
        ("Appeal_to_Popularity", "Bandwagon,Reductio_ad_hitlerum"),
        ("Guilt_by_Association", "Bandwagon,Reductio_ad_hitlerum"),
    ],
)
def test_semeval2023_mapping(name_2023: str, name_2020: str) -> None:
    assert SEMEVAL2023_TO_2020[name_2023] == name_2020


def test_semeval2023_mapping_tables_are_consistent() -> None:
    assert len(SEMEVAL2023_TECHNIQUES) == 23
    assert not set(DROPPED_2023) & set(SEMEVAL2023_TO_2020)
    assert set(SEMEVAL2023_TO_2020.values()) == set(TECHNIQUES)  # every 2020 technique has a 2023 source
    term_techniques = ("Name_Calling-Labeling", "Loaded_Language", "Exaggeration-Minimisation")
    assert {SEMEVAL2023_TO_2020[n] for n in term_techniques} == set(TECHNIQUE_TO_CATEGORY)


def write_semeval2023(root: Path, articles: dict[str, tuple[str, list[tuple[str, str]]]]) -> Path:
    (root / "train-articles-subtask-3").mkdir(parents=True)
    (root / "train-labels-subtask-3-spans").mkdir()
    for article_id, (text, spans) in articles.items():
        (root / "train-articles-subtask-3" / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        lines = []
        for technique, phrase in spans:
            start = text.index(phrase)
            lines.append(f"{article_id}\t{technique}\t{start}\t{start + len(phrase)}\n")
        labels = root / "train-labels-subtask-3-spans" / f"article{article_id}-labels-subtask-3.txt"
        labels.write_text("".join(lines), encoding="utf-8")
    return root


SEMEVAL_MINI = {
    "1001": (
        "Regime thugs rant.\n\nIt is what it is. That is vague, somehow.\n",
        [
            ("Name_Calling-Labeling", "Regime thugs"),
            ("Loaded_Language", "thugs"),
            ("Conversation_Killer", "It is what it is."),
            ("Obfuscation-Vagueness-Confusion", "vague, somehow"),
        ],
    ),
    "1002": ("Nothing to see.\n", []),
}


def test_semeval2023_mini(tmp_path: Path) -> None:
    first, second = read_semeval2023(write_semeval2023(tmp_path, SEMEVAL_MINI))
    assert (first.id, second.id) == ("semeval2023-1001", "semeval2023-1002")
    assert sorted(span_texts(first, first.techniques, "technique")) == [
        ("It is what it is.", "Thought-terminating_Cliches"),
        ("Regime thugs", "Name_Calling,Labeling"),
        ("thugs", "Loaded_Language"),
    ]
    assert sorted(span_texts(first, first.loaded_terms, "category")) == [
        ("Regime thugs", "name_calling"),
        ("thugs", "loaded_language"),
    ]
    assert "Obfuscation-Vagueness-Confusion" in {t["technique"] for t in first.extra["techniques_2023"]}
    assert first.extra["meta"] == {"source": "semeval2023_t3_en", "article_id": "1001"}
    assert (second.techniques, second.layers) == ((), ("techniques", "loaded_terms"))


@pytest.mark.parametrize(
    ("exclude", "kept"),
    [
        ((), ["semeval2023-1001", "semeval2023-1002"]),
        (["1001"], ["semeval2023-1002"]),
        (["ptc-1001"], ["semeval2023-1002"]),
        (["semeval2023-1002", "ptc-1001"], []),
        (["4242"], ["semeval2023-1001", "semeval2023-1002"]),
    ],
)
def test_semeval2023_exclude_ids(tmp_path: Path, exclude: list[str], kept: list[str]) -> None:
    records = read_semeval2023(write_semeval2023(tmp_path, SEMEVAL_MINI), exclude_ids=exclude)
    assert [r.id for r in records] == kept


def test_semeval2023_split_follows_ptc_split(tmp_path: Path) -> None:
    root = write_semeval2023(tmp_path, SEMEVAL_MINI)
    for side in ("train", "validation"):
        assert [r.id for r in read_semeval2023(root, split=side)] == [
            f"semeval2023-{i}" for i in SEMEVAL_MINI if ptc_split(i) == side
        ]


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([("Loaded-Language", "Nothing")], "unknown technique 'Loaded-Language'"),
        ([("Loaded_Language", "Nothing"), ("Doubt", "")], r":2: offsets \[0, 0\] are not 0 <= start < end"),
    ],
)
def test_semeval2023_bad_lines(tmp_path: Path, spans: list[tuple[str, str]], message: str) -> None:
    root = write_semeval2023(tmp_path, {"5": ("Nothing to see.\n", spans)})
    with pytest.raises(AnnotationError, match=message):
        read_semeval2023(root)


def test_semeval2023_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="train-articles-subtask-3"):
        read_semeval2023(tmp_path)


# --- BASIL ------------------------------------------------------------------------------------------------------------


BASIL_ARTICLE = {
    "source": "nyt",
    "title": "Senate deal stalls",
    "date": "2013-01-01",
    "uuid": "u1",
    "triplet-uuid": "t1",
    "body-paragraphs": [
        ["The senator pushed a reckless plan.", "Critics called it “a disgrace.”"],
        ["Aides grumbled about the delay."],
    ],
}


def phrase(pid: str, txt: str, sentence: str, bias: str = "lex", **fields: str) -> dict[str, Any]:
    start = sentence.index(txt)
    base = {"id": pid, "txt": txt, "start": start, "end": start + len(txt), "bias": bias, "polarity": "neg"}
    base |= {"aim": "dir", "target": "The_senator", "quote": "no", "speaker": "", "indirect-target-name": ""}
    base |= {"indirect-ally-opponent-sentiment": ""}
    return base | fields


BASIL_PHRASES = [
    phrase("p0", "reckless", "The senator pushed a reckless plan."),
    phrase("p1", "a disgrace.", "Critics called it “a disgrace.”", quote="yes", speaker="other_anti"),
    phrase(
        "p2",
        "grumbled",
        "Aides grumbled about the delay.",
        aim="ind_pro",
        polarity="neg",
        **{"indirect-target-name": "Aides", "indirect-ally-opponent-sentiment": "neg"},
    ),
    phrase("p0", "pushed a reckless plan", "The senator pushed a reckless plan.", bias="inf"),
    phrase("title", "stalls", "Senate deal stalls", bias="inf"),
]


def write_basil(root: Path, phrases: list[dict[str, Any]]) -> Path:
    for folder in ("articles/2013", "annotations/2013"):
        (root / folder).mkdir(parents=True)
    (root / "articles/2013/t1_1.json").write_text(json.dumps(BASIL_ARTICLE), encoding="utf-8")
    annotation = {"article-level-annotations": {"relative_stance": "left"}, "phrase-level-annotations": phrases}
    (root / "annotations/2013/t1_1_ann.json").write_text(json.dumps(annotation), encoding="utf-8")
    (root / "articles/2013/t1_2.json").write_text(json.dumps(BASIL_ARTICLE), encoding="utf-8")  # no annotation
    return root


def test_basil_text_layout() -> None:
    text, anchors = basil_text(BASIL_ARTICLE)
    assert text == (
        "Senate deal stalls\n\nThe senator pushed a reckless plan. Critics called it “a disgrace.”\n\n"
        "Aides grumbled about the delay."
    )
    for start, sentence in anchors.values():
        assert text[start : start + len(sentence)] == sentence


@pytest.mark.parametrize(
    ("phrase_text", "polarity", "target", "voice"),
    [
        ("reckless", "negative", "The senator", None),
        ("a disgrace.", "negative", "The senator", "quoted"),
        ("grumbled", "negative", "Aides", None),  # indirect aim: the actor the phrase describes
    ],
)
def test_basil_lexical_spans(tmp_path: Path, phrase_text: str, polarity: str, target: str, voice: Any) -> None:
    [record] = read_basil(write_basil(tmp_path, BASIL_PHRASES))
    terms = {record.text[slice(*t.span[0])]: t for t in record.loaded_terms}
    assert set(terms) == {"reckless", "a disgrace.", "grumbled"}  # informational spans are left out
    term = terms[phrase_text]
    assert (term.category, term.polarity, term.target, term.voice) == ("loaded_language", polarity, target, voice)


def test_basil_record_keeps_all_phrases_and_meta(tmp_path: Path) -> None:
    [record] = read_basil(write_basil(tmp_path, BASIL_PHRASES))
    assert record.id == "basil-t1_1" and record.layers == ("loaded_terms",)
    assert record.extra["meta"]["outlet"] == "nyt" and record.extra["meta"]["relative_stance"] == "left"
    located = {p["id"] + p["bias"]: record.text[slice(*p["span"][0])] for p in record.extra["basil_phrases"]}
    assert located["titleinf"] == "stalls" and located["p0inf"] == "pushed a reckless plan"


@pytest.mark.parametrize(
    ("bad", "raises"),
    [
        (phrase("p0", "reckless", "The senator pushed a reckless plan.") | {"start": 3, "end": 11}, True),
        (phrase("p2", "nowhere", "nowhere") | {"start": 0, "end": 7}, True),
        (phrase("p2", "nowhere", "nowhere", bias="inf") | {"start": 0, "end": 7}, False),  # kept, span null
    ],
)
def test_basil_misplaced_phrases(tmp_path: Path, bad: dict[str, Any], raises: bool) -> None:
    root = write_basil(tmp_path, [bad])
    if raises:
        with pytest.raises(AnnotationError, match=r"t1_1_ann\.json: phrase '(p0|p2)'"):
            read_basil(root)
    else:
        [record] = read_basil(root)
        assert record.loaded_terms == () and record.extra["basil_phrases"][0]["span"] is None


def test_basil_misplaced_id_is_found_in_its_only_sentence(tmp_path: Path) -> None:
    moved = phrase("p2", "reckless", "The senator pushed a reckless plan.")  # wrong sentence id, unique text
    [record] = read_basil(write_basil(tmp_path, [moved]))
    assert [record.text[slice(*t.span[0])] for t in record.loaded_terms] == ["reckless"]


def test_basil_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a BASIL folder"):
        read_basil(tmp_path)


# --- wiring ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data_format", ["ptc", "semeval2023", "basil"])
def test_convert_cli_round_trips(tmp_path: Path, data_format: str) -> None:
    source = {
        "ptc": lambda: MINI,
        "semeval2023": lambda: write_semeval2023(tmp_path / "in", SEMEVAL_MINI),
        "basil": lambda: write_basil(tmp_path / "in", BASIL_PHRASES),
    }[data_format]()
    out = tmp_path / "out.jsonl"
    assert main(["convert", "--from", data_format, str(source), str(out)]) == 0
    assert list(read_annotations(out)) == load_labeled([source], data_format)  # type: ignore[arg-type]


# --- real data (skipped when ../shared/data is absent) ---------------------------------------------------------


def assert_spans_inside(records: Any) -> None:
    for record in records:
        for item in (*record.techniques, *record.loaded_terms):
            for start, end in item.span:
                assert 0 <= start < end <= len(record.text)
                assert record.text[start:end].strip()


@pytest.mark.data
@pytest.mark.skipif(not PTC_DATA.is_dir(), reason=f"{PTC_DATA} is absent")
def test_real_ptc() -> None:
    records = read_ptc(PTC_DATA)
    assert len(records) == 371
    label_lines = (PTC_DATA / "train-task-flc-tc.labels").read_text(encoding="utf-8").splitlines()
    assert len([line for line in label_lines if line.strip()]) == 6128
    assert sum(len(r.techniques) for r in records) == 6128  # the real data has no exact duplicates
    assert sum(len(r.loaded_terms) for r in records) == 2123 + 1058 + 466
    assert_spans_inside(records)
    validation = read_ptc(PTC_DATA, split="validation")
    assert 0.15 < len(validation) / len(records) < 0.25
    assert {r.id for r in validation} == {r.id for r in records if ptc_split(r.id) == "validation"}


@pytest.mark.data
@pytest.mark.skipif(not SEMEVAL2023_DATA.is_dir() or not PTC_DATA.is_dir(), reason="SemEval-2023 or PTC data absent")
def test_real_semeval2023_overlaps_ptc() -> None:
    records = read_semeval2023(SEMEVAL2023_DATA)
    assert len(records) == 371
    assert sum(len(r.extra["techniques_2023"]) for r in records) == 6136
    assert_spans_inside(records)
    ptc_ids = {article_number(r.id) for r in read_ptc(PTC_DATA)}
    assert {article_number(r.id) for r in records} == ptc_ids  # every SemEval-2023 EN train article is a PTC one
    validation = {r.id for r in read_ptc(PTC_DATA, split="validation")}
    train = read_semeval2023(SEMEVAL2023_DATA, split="train")
    assert [r.id for r in train] == [r.id for r in read_semeval2023(SEMEVAL2023_DATA, exclude_ids=validation)]
    assert not {article_number(r.id) for r in train} & {article_number(i) for i in validation}


@pytest.mark.data
@pytest.mark.skipif(not BASIL_DATA.is_dir(), reason=f"{BASIL_DATA} is absent")
def test_real_basil() -> None:
    records = read_basil(BASIL_DATA)
    assert len(records) == 240
    assert sum(len(r.loaded_terms) for r in records) == 360
    phrases = [p for r in records for p in r.extra["basil_phrases"]]
    assert len(phrases) == 1290 and all(p["span"] for p in phrases)
    assert_spans_inside(records)
    for record in records:
        lexical = {(p["span"][0][0], p["span"][0][1]) for p in record.extra["basil_phrases"] if p["bias"] == "lex"}
        assert {t.span[0] for t in record.loaded_terms} == lexical
