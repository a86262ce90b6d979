"""Corpus mode: many articles into one output folder, resumable, with an index page."""

from __future__ import annotations

import json
import random
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from attribution.cli import main
from attribution.corpus import CorpusOptions, analyze_corpus, safe_name
from attribution.output_folder import ANNOTATIONS, INDEX, LEDGER, PENDING, _lock
from attribution.pipeline import Analyzer
from attribution.report.index_page import IndexRow, outlet_rows, render_index

SOURCES = (
    "A military source",
    "The defence ministry",
    "Local residents",
    "A spokesman for the provincial governor",
    "Witnesses",
    "The Syrian Observatory for Human Rights",
    "An army officer",
    "Medical staff at the city hospital",
    "Officials",
    "The UN envoy",
)
CUES = ("told FNA that", "said that", "stated that", "reported that", "claimed that", "announced that")
CLAIMS = (
    "heavy clashes are underway near the airport",
    "the army took control of two villages east of the river",
    "dozens of militants were killed in overnight air strikes",
    "the main road to the city was closed after shelling",
    "aid convoys could not reach the eastern districts",
    "a local ceasefire was holding in the north",
    "artillery shelled positions outside the town at dawn",
    "hundreds of families fled towards the border",
    "engineers cleared mines from the highway",
    "reinforcements arrived from the capital on Monday",
)
NARRATION = (
    "The army set up checkpoints in several areas to protect the locals.",
    "Fighting continued into the night.",
    "Smoke rose over the old quarter.",
    "Power was cut in much of the province.",
    "The bridge over the river was destroyed last year.",
    "Several schools have been turned into shelters.",
)
QUOTES = (
    '"We will not retreat," the commander said.',
    '"The situation is critical," a doctor told reporters.',
    '"Nobody warned us," one resident said.',
)
PLACES = ("Aleppo", "Deir ez-Zor", "Hama", "Idlib", "Raqqa", "Homs", "Daraa", "Palmyra")
OUTLETS = ("FNA", "SANA", "Reuters")
N_TXT, N_JSONL = 35, 15


def war_report(number: int) -> tuple[str, str]:
    """A short, varied war-report article: (title, body)."""
    rng = random.Random(number)
    sentences = []
    for _ in range(rng.randint(3, 6)):
        kind = rng.random()
        if kind < 0.55:
            sentences.append(f"{rng.choice(SOURCES)} {rng.choice(CUES)} {rng.choice(CLAIMS)}.")
        elif kind < 0.75:
            sentences.append(rng.choice(QUOTES))
        else:
            sentences.append(rng.choice(NARRATION))
    place = rng.choice(PLACES)
    title = f"Day {number}: clashes near {place}"
    return title, f"{sentences[0][:-1]} in {place}. " + " ".join(sentences[1:])


def write_corpus(folder: Path, n_txt: int = N_TXT, n_jsonl: int = N_JSONL) -> Path:
    """``n_txt`` .txt files in two subfolders and ``n_jsonl`` JSONL lines with ``meta.outlet``."""
    for number in range(n_txt):
        title, body = war_report(number)
        sub = folder / ("north" if number % 2 else "south")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"report-{number:03d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    if n_jsonl:
        lines = []
        for number in range(n_jsonl):
            title, body = war_report(1000 + number)
            meta = {"outlet": OUTLETS[number % len(OUTLETS)], "date": f"2016-03-{number + 1:02d}"}
            lines.append(json.dumps({"id": f"wire-{number:03d}", "title": title, "text": body, "meta": meta}))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class _Tables(HTMLParser):
    """Rows of each ``<table id=...>``: a list of cell texts per body row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: dict[str, str] = {}
        self._table: str | None = None
        self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self._table = values.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "a":
            self._href = values.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None
        elif tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
            if self._href is not None and self._table == "articles":
                self.links[data] = self._href


def read_index(out: Path) -> _Tables:
    parser = _Tables()
    parser.feed((out / INDEX).read_text(encoding="utf-8"))
    return parser


def annotation_ids(out: Path) -> list[str]:
    """Ids of annotations.jsonl, asserting that every line is complete JSON."""
    text = (out / ANNOTATIONS).read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line)["id"] for line in text.splitlines()]


def ledger_ids(out: Path) -> list[str]:
    text = (out / LEDGER).read_text(encoding="utf-8")
    assert not text or text.endswith("\n")
    return [json.loads(line)["id"] for line in text.splitlines()]


def stamps(out: Path) -> dict[str, int]:
    """Modification times of the per-article outputs and annotations.jsonl."""
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.suffix in (".json", ".md", ".html", ".jsonl")}


def run_cli(inputs: list[Path], out: Path, model: Path, *extra: str) -> int:
    args = ["analyze", *map(str, inputs), "--out", str(out), "--model", str(model), "--no-progress", *extra]
    return main(args)


ALL_IDS = sorted([f"report-{n:03d}" for n in range(N_TXT)] + [f"wire-{n:03d}" for n in range(N_JSONL)])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "in")


@pytest.fixture(scope="module")
def analyzed(corpus: Path, tiny_analyzer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 50-article corpus analyzed once into a folder that tests copy (and never change)."""
    out = tmp_path_factory.mktemp("analyzed") / "out"
    assert run_cli([corpus], out, tiny_analyzer_dir, "--format", "json,md,html,jsonl") == 0
    return out


@pytest.fixture()
def analyzed_copy(analyzed: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(analyzed, out)
    (out / ".lock").unlink(missing_ok=True)
    return out


@pytest.fixture(scope="module")
def analyzer(tiny_analyzer_dir: Path) -> Analyzer:
    return Analyzer.from_pretrained(tiny_analyzer_dir)


# --------------------------------------------------------------------------- a corpus of 50


def test_corpus_of_50_writes_every_report_and_the_index(analyzed: Path) -> None:
    for article_id in ALL_IDS:
        for suffix in ("json", "md", "html"):
            assert (analyzed / f"{article_id}.{suffix}").is_file(), f"{article_id}.{suffix}"
    assert sorted(annotation_ids(analyzed)) == ALL_IDS
    assert sorted(ledger_ids(analyzed)) == ALL_IDS
    index = read_index(analyzed)
    rows = index.tables["articles"]
    assert len(rows) == 50
    assert sorted(row[0] for row in rows) == ALL_IDS
    assert all(index.links[article_id] == f"{article_id}.html" for article_id in ALL_IDS)
    by_id = {row[0]: row for row in rows}
    report = json.loads((analyzed / "wire-004.json").read_text(encoding="utf-8"))
    row = by_id["wire-004"]
    assert row[1] == report["article"]["title"] and row[2] == "SANA"
    assert int(row[3]) == report["summary"]["n_sentences"]
    assert int(row[5]) == report["summary"]["n_attributions"]
    assert by_id["report-007"][1] == war_report(7)[0]
    outlets = {row[0]: row for row in index.tables["outlets"]}
    assert set(outlets) == {"FNA", "SANA", "Reuters", "no outlet"}
    assert [int(outlets[name][1]) for name in ("FNA", "SANA", "Reuters", "no outlet")] == [5, 5, 5, 35]
    assert not list(analyzed.glob(".*.tmp")) and not (analyzed / PENDING).exists()


def test_summary_line_and_progress_bar(
    corpus: Path, tiny_analyzer_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    files = sorted(corpus.rglob("*.txt"))[:3]
    assert main(["analyze", *map(str, files), "--out", str(out), "--model", str(tiny_analyzer_dir), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "3/3" in err  # the tqdm bar, on stderr
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"wrote 3 report(s) to {out} in ") and "articles/s" in last and "skipped" not in last
    assert run_cli(files, out, tiny_analyzer_dir) == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(", 3 skipped (already done)")


# --------------------------------------------------------------------------- resuming


def test_rerun_skips_everything_and_writes_nothing_new(
    corpus: Path, analyzed_copy: Path, tiny_analyzer_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = analyzed_copy
    before = stamps(out)
    annotations = (out / ANNOTATIONS).read_bytes()
    ledger = (out / LEDGER).read_bytes()
    assert run_cli([corpus], out, tiny_analyzer_dir, "--format", "json,md,html,jsonl") == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("wrote 0 report(s)") and last.endswith(", 50 skipped (already done)")
    assert stamps(out) == before
    assert (out / ANNOTATIONS).read_bytes() == annotations and (out / LEDGER).read_bytes() == ledger
    assert len(read_index(out).tables["articles"]) == 50


def test_force_and_changed_text_reanalyze_without_duplicate_lines(
    corpus: Path, analyzed_copy: Path, tiny_analyzer_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = analyzed_copy
    changed = tmp_path / "in"
    shutil.copytree(corpus, changed)
    target = changed / "north" / "report-001.txt"
    target.write_text("Officials said the road reopened.\n", encoding="utf-8")
    assert run_cli([changed], out, tiny_analyzer_dir, "--format", "json,md,html,jsonl") == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("wrote 1 report(s)")
    assert json.loads((out / "report-001.json").read_text())["article"]["text"].startswith("Officials said")
    ids = annotation_ids(out)
    assert sorted(ids) == ALL_IDS
    lines = {json.loads(line)["id"]: json.loads(line) for line in (out / ANNOTATIONS).read_text().splitlines()}
    assert lines["report-001"]["text"].startswith("Officials said")
    assert run_cli([changed], out, tiny_analyzer_dir, "--format", "json,md,html,jsonl", "--force") == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("wrote 50 report(s)")
    assert sorted(annotation_ids(out)) == ALL_IDS
    assert sorted(ledger_ids(out)) == ALL_IDS  # compacted at the end of the run
    assert not (out / PENDING).exists()


def test_killed_midway_then_resumed_loses_nothing(
    corpus: Path, analyzer: Analyzer, tiny_analyzer_dir: Path, tmp_path: Path
) -> None:
    class Killed(Analyzer):
        calls = 0

        def analyze_many(self, articles, **kwargs):  # type: ignore[no-untyped-def]
            Killed.calls += 1
            if Killed.calls == 3:
                raise KeyboardInterrupt  # Ctrl-C while analyzing the third chunk
            return super().analyze_many(articles, **kwargs)

    out = tmp_path / "out"
    killer = Killed(analyzer.tagger, analyzer.segmenter)
    options = CorpusOptions(formats=("json", "html", "jsonl"), chunk_size=4)
    with pytest.raises(KeyboardInterrupt):
        analyze_corpus([corpus], out, options, analyzer=killer)
    assert len(ledger_ids(out)) == 8 and len(annotation_ids(out)) == 8
    assert len(list(out.glob("*.json"))) == 8
    assert len(read_index(out).tables["articles"]) == 8  # the index is rebuilt even after Ctrl-C
    run = analyze_corpus([corpus], out, options, analyzer=analyzer)
    assert (run.written, run.skipped, run.failures) == (42, 8, ())
    assert sorted(annotation_ids(out)) == ALL_IDS and sorted(ledger_ids(out)) == ALL_IDS
    assert sorted(p.stem for p in out.glob("*.json")) == ALL_IDS


def test_first_20_then_all_50(corpus: Path, tiny_analyzer_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = sorted(corpus.rglob("*.txt"))[:20]
    assert run_cli(files, out, tiny_analyzer_dir, "--format", "json,jsonl") == 0
    assert len(annotation_ids(out)) == 20
    assert run_cli([corpus], out, tiny_analyzer_dir, "--format", "json,jsonl") == 0
    assert sorted(annotation_ids(out)) == ALL_IDS and sorted(ledger_ids(out)) == ALL_IDS
    assert len(read_index(out).tables["articles"]) == 50
    assert [p.name for p in out.glob("*.html")] == [INDEX]
    assert read_index(out).links == {}  # no report pages to link to


def _cut_last_line(path: Path, keep: int) -> str:
    """Cut the last line of a file to its first ``keep`` characters (no line break), as a kill would."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][:keep], encoding="utf-8")
    return json.loads(lines[-1])["id"]


def test_truncated_ledger_and_annotation_lines_are_repaired(
    corpus: Path, analyzed_copy: Path, analyzer: Analyzer
) -> None:
    out = analyzed_copy
    options = CorpusOptions(formats=("json", "md", "html", "jsonl"))
    victim = _cut_last_line(out / LEDGER, 25)  # killed while appending its ledger entry
    assert _cut_last_line(out / ANNOTATIONS, 40) == victim  # ... and while appending its annotation line
    run = analyze_corpus([corpus], out, options, analyzer=analyzer)
    assert (run.written, run.skipped) == (1, 49)
    assert sorted(annotation_ids(out)) == ALL_IDS and sorted(ledger_ids(out)) == ALL_IDS


def test_annotation_written_but_not_in_ledger_is_not_duplicated(
    corpus: Path, analyzed_copy: Path, analyzer: Analyzer
) -> None:
    out = analyzed_copy
    lines = (out / LEDGER).read_text(encoding="utf-8").splitlines(keepends=True)
    (out / LEDGER).write_text("".join(lines[:-1]), encoding="utf-8")  # killed after the annotation line
    (out / ".report-000.json.12345.tmp").write_text("{", encoding="utf-8")  # and a half-written temporary file
    run = analyze_corpus([corpus], out, CorpusOptions(formats=("json", "jsonl")), analyzer=analyzer)
    assert (run.written, run.skipped) == (1, 49)
    ids = annotation_ids(out)
    assert sorted(ids) == ALL_IDS and len(ids) == len(set(ids))
    assert not list(out.glob(".*.tmp"))


def test_new_format_on_rerun_reanalyzes(corpus: Path, analyzer: Analyzer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = sorted(corpus.rglob("*.txt"))[:3]
    assert analyze_corpus(files, out, CorpusOptions(formats=("json",)), analyzer=analyzer).written == 3
    run = analyze_corpus(files, out, CorpusOptions(formats=("json", "md")), analyzer=analyzer)
    assert (run.written, run.skipped) == (3, 0) and len(list(out.glob("*.md"))) == 3
    for formats in (("md",), ("json",), ("json", "md")):  # both were written for these texts
        run = analyze_corpus(files, out, CorpusOptions(formats=formats), analyzer=analyzer)
        assert (run.written, run.skipped) == (0, 3)
    (out / f"{files[0].stem}.md").unlink()  # a deleted report is written again
    assert analyze_corpus(files, out, CorpusOptions(formats=("md",)), analyzer=analyzer).written == 1


def test_output_folder_inside_the_input_folder_is_not_read_back(
    tiny_analyzer_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(tmp_path / "in", n_txt=2, n_jsonl=1)
    out = folder / "reports"
    for _ in range(2):
        assert run_cli([folder], out, tiny_analyzer_dir, "--format", "json,html,jsonl") == 0
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(", 3 skipped (already done)")
    assert sorted(ledger_ids(out)) == ["report-000", "report-001", "wire-000"]


def test_a_second_run_on_the_same_folder_is_refused(corpus: Path, analyzer: Analyzer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    holder = _lock(out)
    try:
        with pytest.raises(OSError, match="another attribution run"):
            analyze_corpus([corpus], out, analyzer=analyzer)
    finally:
        holder.close()


# --------------------------------------------------------------------------- workers


@pytest.mark.slow
def test_two_workers_write_the_same_reports_as_one(corpus: Path, tiny_analyzer_dir: Path, tmp_path: Path) -> None:
    files = sorted(corpus.rglob("*.txt"))[:5] + [corpus / "wire.jsonl"]  # 5 + 15 articles
    outs = {}
    for workers in (1, 2):
        outs[workers] = tmp_path / f"out{workers}"
        options = CorpusOptions(
            formats=("json", "md", "html", "jsonl"), model=tiny_analyzer_dir, workers=workers, chunk_size=3
        )
        started = time.perf_counter()
        run = analyze_corpus(files, outs[workers], options)
        print(f"workers={workers}: {time.perf_counter() - started:.1f} s")
        assert (run.written, run.failures) == (20, ())
    names = sorted(p.name for p in outs[1].iterdir() if p.name != ".lock")
    assert names == sorted(p.name for p in outs[2].iterdir() if p.name != ".lock")
    assert len([n for n in names if n.endswith(".json")]) == 20
    for name in names:
        assert (outs[1] / name).read_bytes() == (outs[2] / name).read_bytes(), name


def test_worker_failing_to_load_the_model_is_one_line_error(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(corpus.rglob("*.txt"))[:2]
    status = main(
        ["analyze", *map(str, files), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "nope")]
        + ["--workers", "2", "--no-progress"]
    )
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("attribution: error:") and "nope" in err and "\n" not in err


# --------------------------------------------------------------------------- bad and duplicate inputs


def test_duplicate_ids_are_suffixed_not_overwritten(
    tiny_analyzer_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "x.txt").write_text("A military source said the town fell.", encoding="utf-8")
    (folder / "b" / "x.txt").write_text("Residents said the town held.", encoding="utf-8")
    (folder / "c.jsonl").write_text(json.dumps({"id": "x", "text": "The army denied it."}) + "\n", encoding="utf-8")
    (folder / "d").mkdir()
    (folder / "d" / "X.txt").write_text("Witnesses said shelling resumed.", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli([folder], out, tiny_analyzer_dir, "--format", "json,jsonl") == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3
    assert any("b/x.txt: duplicate id 'x'" in w and "a/x.txt" in w and "'x-2'" in w for w in warnings)
    assert any("c.jsonl:1: duplicate id 'x'" in w and "'x-3'" in w for w in warnings)
    assert any("X.txt: duplicate id 'X'" in w and "'X-4'" in w for w in warnings)  # x-2, x-3 are taken
    texts = {p.stem: json.loads(p.read_text())["article"] for p in out.glob("*.json")}
    assert sorted(texts) == ["X-4", "x", "x-2", "x-3"]
    assert texts["x"]["text"].startswith("A military") and texts["x-2"]["text"].startswith("Residents")
    assert texts["x-2"]["origin"].endswith("b/x.txt") and texts["x-3"]["text"].startswith("The army")
    assert sorted(annotation_ids(out)) == ["X-4", "x", "x-2", "x-3"]
    assert run_cli([folder], out, tiny_analyzer_dir, "--format", "json,jsonl") == 0  # same names again: all done
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(", 4 skipped (already done)")


def test_bad_inputs_are_reported_and_the_good_ones_written(
    tiny_analyzer_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(tmp_path / "in", n_txt=3, n_jsonl=0)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    good = json.dumps({"id": "j1", "text": "Officials said water ran low.", "meta": {"outlet": "FNA"}})
    (folder / "feed.jsonl").write_text(good + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):
        assert run_cli([folder], out, tiny_analyzer_dir, "--format", "json,html,jsonl") == 1
        err = capsys.readouterr().err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 2
        assert any("empty.txt: empty file" in line for line in errors)
        assert any("feed.jsonl:2: not JSON" in line for line in errors)
        assert err.strip().splitlines()[-1].endswith("; 2 input(s) failed")
        assert "Traceback" not in err
    assert sorted(annotation_ids(out)) == ["j1", "report-000", "report-001", "report-002"]
    assert sorted(row[0] for row in read_index(out).tables["articles"]) == sorted(annotation_ids(out))


def test_an_article_that_fails_analysis_is_reported_and_the_others_written(
    corpus: Path, analyzer: Analyzer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Picky(Analyzer):
        def analyze_many(self, articles, **kwargs):  # type: ignore[no-untyped-def]
            articles = list(articles)
            if any(article.id == "report-001" for article in articles):
                raise RuntimeError("tokenizer exploded")
            return super().analyze_many(articles, **kwargs)

    files = sorted(corpus.rglob("*.txt"))[:4]
    run = analyze_corpus(files, tmp_path / "out", CorpusOptions(formats=("json",)), analyzer=Picky(analyzer.tagger))
    assert run.written == 3 and len(run.failures) == 1
    assert run.failures[0].endswith("report-001.txt: analysis failed (RuntimeError: tokenizer exploded)")
    assert "error: " + run.failures[0] in capsys.readouterr().err


# --------------------------------------------------------------------------- the index page


def test_index_escapes_article_text(tiny_analyzer_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    record = {
        "id": 'evil"><img src=x onerror=alert(1)>',
        "title": "<script>alert('title')</script>",
        "text": "A source said <b>bold</b> things.",
        "meta": {"outlet": "<i>Outlet</i>"},
    }
    (folder / "evil.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli([folder], out, tiny_analyzer_dir, "--format", "html") == 0
    page = (out / INDEX).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    assert "<img" not in page and "<i>Outlet" not in page and "&lt;i&gt;Outlet&lt;/i&gt;" in page
    assert page.count("<script>") == 1  # the page's own sorting script, pinned by the CSP
    index = read_index(out)
    assert index.tables["articles"][0][:3] == [record["id"], record["title"], "<i>Outlet</i>"]
    assert index.links == {record["id"]: f"{safe_name(record['id'])}.html"}


def test_render_index_without_outlets_has_no_outlet_table() -> None:
    rows = [IndexRow(f"a{i}", None, None, None, 3, 30, 0.5, 2, 1, 0, (("Police", 2),)) for i in range(3)]
    page = render_index(rows)
    assert 'id="outlets"' not in page and page.count("<tr>") == 4  # header + 3 rows
    assert "Police (2)" in page and "50.0%" in page
    assert outlet_rows(rows)[0].outlet is None
