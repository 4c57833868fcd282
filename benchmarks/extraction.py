"""How good ``policykg extract`` is: ``make eval`` (``python -m benchmarks.extraction``).

It drafts entries from the first article (``articles/000_4c0c3ce27df01a83.txt`` beside DESIGN.md,
or the copy under ``tests/fixtures/``) and from the news-style texts written for the tests
(``tests/fixtures/extract/*.txt``), without a store, and compares each draft with what curators
recorded: the entry file in ``data/`` for the article, the ``*.gold.yaml`` beside each test text.

- **quotes**: a drafted quote is right when its words are exactly a curated quote's (trailing
  ``,``/``.``/``;``/``:`` and surrounding space aside: the curators keep a full stop only when it
  ends the speaker's sentence). Precision is over drafted quotes, recall over curated ones.
- **speaker**: of the quotes found, the share attributed to the curated speaker: a name (label or
  alternative label) of the drafted speaker — an actor, or for a resolution's quoted text the
  resolution — is a name of the curated one.
- **date**: of the quotes found that curators dated and the draft has as a statement, the share
  with the same date and precision (a resolution's quoted text, a provision, has no date of its
  own in the entry format: the test texts' gold gives it the adoption date, not scored).
- **reported speech** (no target): curated statements without quotes found among drafted ones
  of the same speaker.
- **stances** (no target): curated positions whose holder and stance a drafted position has.

Results go to ``benchmarks/results/extraction/<date>.json`` and the table of
``docs/extraction.md`` between its ``eval`` marks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import kg
from kg.extract import extract

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "tests" / "fixtures" / "extract"
ARTICLE_ENTRIES = ROOT / "data" / "ap-2024-07-02-un-ai-resolutions.yaml"
ARTICLE_CANDIDATES = (ROOT.parent / "shared" / "articles" / "000_4c0c3ce27df01a83.txt",
                      ROOT / "tests" / "fixtures" / "articles" / "000_4c0c3ce27df01a83.txt")
RESULTS = ROOT / "benchmarks" / "results" / "extraction"
DOC = ROOT / "docs" / "extraction.md"
TARGETS = {"quote_precision": 0.9, "quote_recall": 0.9, "speaker_accuracy": 0.9, "date_accuracy": 0.9}


def norm_quote(text: str) -> str:
    """A quote's words for comparison: trailing punctuation and outer space aside.

    >>> norm_quote(" great and far-reaching,”") == norm_quote("great and far-reaching")
    True
    """
    return re.sub(r"[\s,.;:”\"]+$", "", text.strip().lstrip("“\"")).strip()


def norm_name(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text)


@dataclass
class Item:
    """One curated statement, provision quote or reported statement."""

    speakers: set[str]
    quote: str | None = None
    reported: str | None = None  # exact words (test texts) …
    paraphrase: str | None = None  # … or the curators' paraphrase (the article)
    date: str | None = None
    precision: str | None = None


@dataclass
class Gold:
    name: str
    text: str
    published: dt.date
    publisher: str | None
    title: str | None
    items: list[Item] = field(default_factory=list)
    stances: list[tuple[set[str], str]] = field(default_factory=list)


def _names(entry: dict[str, Any]) -> set[str]:
    alt = entry.get("altLabel") or []
    return {norm_name(n) for n in [entry.get("label", entry["id"]), *(alt if isinstance(alt, list) else [alt])]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def article_gold() -> Gold:
    """The curated entries of the first article, as items to find."""
    article = next((p for p in ARTICLE_CANDIDATES if p.is_file()), None)
    if article is None:
        raise SystemExit("the first article is not here: looked for " + ", ".join(map(str, ARTICLE_CANDIDATES)))
    data = yaml.safe_load(ARTICLE_ENTRIES.read_text(encoding="utf-8"))
    names = {e["id"]: _names(e) for section in ("actors", "resolutions", "measures") for e in data.get(section) or []}
    publisher = data["source"]["publisher"]
    gold = Gold("first article (AP, 2 July 2024)", article.read_text(encoding="utf-8"),
                dt.date.fromisoformat(str(data["source"]["issued"])), "Associated Press", data["source"]["title"])
    for entry in data.get("provisions") or []:
        for quote in _as_list(entry.get("quote")):
            gold.items.append(Item(names[entry["partOf"]], quote=quote))
    for entry in data.get("statements") or []:
        if entry["speaker"] == publisher:
            continue  # the article's own voice: not a statement the extractor looks for
        speakers, date = names[entry["speaker"]], str(entry["date"])
        for quote in _as_list(entry.get("quote")):
            gold.items.append(Item(speakers, quote=quote, date=date, precision=entry.get("datePrecision")))
        if not entry.get("quote"):
            gold.items.append(Item(speakers, paraphrase=entry.get("paraphrase"), date=date,
                                   precision=entry.get("datePrecision")))
    for entry in data.get("positions") or []:
        gold.stances.append((names[entry["holder"]], entry["stance"]))
    return gold


def text_gold(path: Path) -> Gold:
    """A test text and its ``.gold.yaml``."""
    data = yaml.safe_load(path.with_suffix(".gold.yaml").read_text(encoding="utf-8"))
    gold = Gold(path.name, path.read_text(encoding="utf-8"), dt.date.fromisoformat(str(data["published"])),
                data.get("publisher"), data.get("title"))
    for entry in data.get("statements") or []:
        date = entry.get("date")
        gold.items.append(Item({norm_name(entry["speaker"])}, quote=entry.get("quote"), reported=entry.get("reported"),
                               date=str(date) if date else None, precision=entry.get("datePrecision")))
    for entry in data.get("stances") or []:
        gold.stances.append(({norm_name(entry["holder"])}, entry["stance"]))
    return gold


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")) if len(w) > 3}


def score(gold: Gold, entries: dict[str, Any]) -> dict[str, Any]:
    """Counts of one draft against its gold (see the module's docstring)."""
    names = {e["id"]: _names(e) for s in ("actors", "resolutions", "measures") for e in entries.get(s) or []}

    def speaker_names(slug: str) -> set[str]:
        return names.get(slug, {norm_name(slug.replace("-", " "))})

    drafted = []  # (quote, speaker names, date, precision)
    for entry in entries.get("provisions") or []:
        for quote in _as_list(entry.get("quote")):
            drafted.append((quote, speaker_names(entry["partOf"]), None, None))
    for entry in entries.get("statements") or []:
        for quote in _as_list(entry.get("quote")):
            drafted.append((quote, speaker_names(str(entry["speaker"])), entry.get("date"), entry.get("datePrecision")))
    wanted = [i for i in gold.items if i.quote]
    free = list(range(len(drafted)))
    found = speaker_right = dated = date_right = 0
    misses, wrong = [], []
    for item in wanted:
        match = next((k for k in free if norm_quote(drafted[k][0]) == norm_quote(item.quote)), None)
        if match is None:
            misses.append(item.quote)
            continue
        free.remove(match)
        found += 1
        _, speakers, date, precision = drafted[match]
        if speakers & item.speakers:
            speaker_right += 1
        else:
            wrong.append({"quote": item.quote, "speaker": sorted(speakers), "expected": sorted(item.speakers)})
        if item.date and date is not None:  # a resolution's quoted text has no date of its own
            dated += 1
            if str(date) == item.date and precision == item.precision:
                date_right += 1
            else:
                wrong.append({"quote": item.quote, "date": f"{date} {precision}",
                              "expected": f"{item.date} {item.precision}"})
    reported = [i for i in gold.items if not i.quote]
    reported_found = 0
    for item in reported:
        for entry in entries.get("statements") or []:
            if not (speaker_names(str(entry["speaker"])) & item.speakers) or not entry.get("paraphrase"):
                continue
            text = entry["paraphrase"]
            if item.reported and norm_quote(item.reported).lower() in text.lower():
                reported_found += 1
                break
            if item.paraphrase and len(_words(item.paraphrase) & _words(text)) >= 0.6 * len(_words(item.paraphrase)):
                reported_found += 1
                break
    positions = entries.get("positions") or []
    stances_found = sum(1 for holders, stance in gold.stances if any(
        p["stance"] == stance and speaker_names(str(p["holder"])) & holders for p in positions))
    return {
        "quotes_drafted": len(drafted), "quotes_curated": len(wanted), "quotes_found": found,
        "speakers_right": speaker_right, "dated": dated, "dates_right": date_right,
        "reported_curated": len(reported), "reported_found": reported_found,
        "stances_curated": len(gold.stances), "stances_found": stances_found,
        "missed": misses, "extra": [drafted[k][0] for k in free], "wrong": wrong,
    }


def ratios(counts: dict[str, Any]) -> dict[str, float | None]:
    def div(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    return {
        "quote_precision": div(counts["quotes_found"], counts["quotes_drafted"]),
        "quote_recall": div(counts["quotes_found"], counts["quotes_curated"]),
        "speaker_accuracy": div(counts["speakers_right"], counts["quotes_found"]),
        "date_accuracy": div(counts["dates_right"], counts["dated"]),
        "reported_recall": div(counts["reported_found"], counts["reported_curated"]),
        "stance_recall": div(counts["stances_found"], counts["stances_curated"]),
    }


def evaluate() -> dict[str, Any]:
    golds = [article_gold(), *(text_gold(p) for p in sorted(TEXTS.glob("*.txt")))]
    rows = []
    total: dict[str, int] = {}
    for gold in golds:
        draft = extract(gold.text, published=gold.published, publisher=gold.publisher, title=gold.title)
        counts = score(gold, draft.entries)
        if gold is not golds[0]:
            for key, value in counts.items():
                if isinstance(value, int):
                    total[key] = total.get(key, 0) + value
        rows.append({"name": gold.name, **ratios(counts), "counts": counts})
    rows.append({"name": "test texts together", **ratios(total), "counts": total})
    return {"date": dt.date.today().isoformat(), "policykg": kg.__version__, "python": platform.python_version(),
            "targets": TARGETS, "texts": rows}


COLUMNS = (("quote_precision", "quote precision"), ("quote_recall", "quote recall"),
           ("speaker_accuracy", "speaker"), ("date_accuracy", "date"),
           ("reported_recall", "reported speech"), ("stance_recall", "stances"))


def table(result: dict[str, Any]) -> str:
    lines = ["| text | quotes (curated / drafted) | " + " | ".join(title for _, title in COLUMNS) + " |",
             "|---|---|" + "---|" * len(COLUMNS)]
    for row in result["texts"]:
        counts = row["counts"]
        cells = [("–" if row[key] is None else f"{row[key]:.2f}") for key, _ in COLUMNS]
        lines.append(f"| {row['name']} | {counts['quotes_curated']} / {counts['quotes_drafted']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def unmet(result: dict[str, Any]) -> list[str]:
    """Targets not met, on the article or on the test texts together."""
    out = []
    for row in (result["texts"][0], result["texts"][-1]):
        for key, target in TARGETS.items():
            if row[key] is None or row[key] < target:
                out.append(f"{row['name']}: {key} {row[key]} < {target}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print only; write no results or docs")
    args = parser.parse_args(argv)
    result = evaluate()
    print(table(result))
    for row in result["texts"][:-1]:
        counts = row["counts"]
        for quote in counts["missed"]:
            print(f"  {row['name']}: missed {quote!r}")
        for quote in counts["extra"]:
            print(f"  {row['name']}: not curated {quote!r}")
        for wrong in counts["wrong"]:
            print(f"  {row['name']}: wrong {wrong}")
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{result['date']}.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if DOC.is_file():
            text = DOC.read_text(encoding="utf-8")
            begin, end = "<!-- eval:begin -->", "<!-- eval:end -->"
            if begin in text and end in text:
                head, rest = text.split(begin, 1)
                _, tail = rest.split(end, 1)
                stamp = (f"`make eval` on {result['date']}, policykg {result['policykg']}; results in "
                         f"`benchmarks/results/extraction/{result['date']}.json`:")
                DOC.write_text(f"{head}{begin}\n{stamp}\n\n{table(result)}\n{end}{tail}", encoding="utf-8")
        print(f"results: {out.relative_to(ROOT)}")
    problems = unmet(result)
    for problem in problems:
        print("target not met: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
