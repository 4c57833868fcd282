"""``policykg extract`` and ``POST /extract``: drafts from article text, their quality against the
curated entries and the test texts (tests/fixtures/extract/), validation of the draft, linking to
the store, and bad input."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from benchmarks import extraction
from conftest import ROOT, TOKEN, data_store
from kg.extract import StoreLookup, extract
from kg.store import Store

POLICYKG = Path(sys.executable).with_name("policykg")
ARTICLE = ROOT / "tests" / "fixtures" / "articles" / "000_4c0c3ce27df01a83.txt"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def policykg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(POLICYKG), *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def draft_of_article(**kwargs) -> dict:  # type: ignore[no-untyped-def]
    return extract(ARTICLE.read_text(encoding="utf-8"), published=dt.date(2024, 7, 2),
                   publisher="Associated Press", **kwargs).entries


# --- how good ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def evaluation() -> dict:
    return extraction.evaluate()


@pytest.mark.parametrize("which", ["article", "texts"])
def test_quotes_speakers_and_dates_meet_the_targets(evaluation, which):
    """Issue 9's targets: quote precision and recall, speaker and date accuracy ≥ 0.9, on the
    first article and on the news-style test texts together."""
    row = evaluation["texts"][0 if which == "article" else -1]
    assert row["counts"]["quotes_curated"] >= (16 if which == "article" else 40)
    for key, target in extraction.TARGETS.items():
        assert row[key] is not None and row[key] >= target, (key, row["counts"])


def test_every_test_text_is_scored(evaluation):
    names = [row["name"] for row in evaluation["texts"]]
    assert len(names) == 2 + len(list(extraction.TEXTS.glob("*.txt"))) >= 8


def test_the_scorer_counts_a_wrong_speaker_and_a_missed_quote():
    """The scoring itself can fail: a draft with one quote given to the wrong speaker, a date
    off by a day and a quote missing scores below 1 on each."""
    gold = extraction.article_gold()
    entries = draft_of_article()
    statements = entries["statements"]
    fu = next(s for s in statements if s["speaker"] == "fu-cong" and s.get("quote"))
    fu["speaker"] = "nate-evans"
    fu["date"] = "2024-06-30"
    entries["statements"] = [s for s in statements if s is fu or "firmly opposed" not in str(s.get("quote"))]
    scores = extraction.ratios(extraction.score(gold, entries))
    assert scores["quote_recall"] < 1 and scores["speaker_accuracy"] < 1 and scores["date_accuracy"] < 1


# --- what the draft says -------------------------------------------------------------------------

def test_the_article_draft_reads_like_the_curated_file():
    entries = draft_of_article()
    by_quote = {q: s for s in entries["statements"] for q in
                (s["quote"] if isinstance(s.get("quote"), list) else [s.get("quote")])}
    opposed = by_quote["We are firmly opposed to these sanctions"]
    assert (opposed["speaker"], opposed["onBehalfOf"], opposed["date"], opposed["datePrecision"]) == \
        ("fu-cong", ["china"], "2024-07-01", "day")
    evans = by_quote["was negotiated so it would further the vision and approach the U.S. set out in March"]
    assert evans["onBehalfOf"] == ["us-mission-to-the-united-nations", "united-states"]
    assert evans["date"] == "2024-07-02"
    # interrupted by "…", partial, the pronoun and the surname
    assert any("which … will have far-reaching implications" in q for q in by_quote if q)
    assert by_quote["great and far-reaching"]["speaker"] == "fu-cong"
    # the resolutions' own words are provisions of the resolution, not statements
    provisions = {p["quote"]: p for p in entries["provisions"]}
    assert provisions["the governance of artificial intelligence systems is an evolving area"]["partOf"] == "us-resolution"
    assert provisions["to bridge the artificial intelligence and other digital divides between and within countries"][
        "operativeVerb"] == "resolves"
    # the Treasury rule: an announced, proposed measure of a U.S. body, and China opposes it
    measure = next(m for m in entries["measures"])
    assert (measure["status"], measure["announcedOn"], measure["issuedBy"]) == \
        ("proposed", "2024-06-21", "us-treasury-department")
    stances = {(p["holder"], p["stance"], p["target"]) for p in entries["positions"]}
    assert ("china", "opposes", measure["id"]) in stances
    lift = next(p for p in entries["positions"] if p["stance"] == "calls_for")
    assert lift["demandedAction"] == "lift the sanctions" and lift["target"] == measure["id"]
    assert all(p["curationStatus"] == "draft" and 0 < p["attributionConfidence"] <= 1 for p in entries["positions"])
    assert all(s["curationStatus"] == "draft" for s in entries["statements"])


def test_the_same_text_gives_the_same_bytes():
    text = ARTICLE.read_text(encoding="utf-8")
    first = extract(text, published=dt.date(2024, 7, 2), publisher="Associated Press").yaml()
    assert first == extract(text, published=dt.date(2024, 7, 2), publisher="Associated Press").yaml()


@pytest.mark.parametrize(("published", "said", "expected"), [
    ("2024-07-02", "Monday", ("2024-07-01", "day")),
    ("2024-07-01", "Monday", ("2024-07-01", "day")),
    ("2024-07-01", "last Monday", ("2024-06-24", "day")),
    ("2024-07-02", "on March 21", ("2024-03-21", "day")),
    ("2024-01-05", "on Dec. 30", ("2023-12-30", "day")),
    ("2024-07-02", "yesterday", ("2024-07-01", "day")),
    ("2024-08-05", "last month", ("2024-07-01", "month")),
    ("2024-07-02", "this year", ("2024-01-01", "year")),
])
def test_relative_dates_are_read_against_the_publication_date(published, said, expected):
    text = f"“We are firmly opposed to these sanctions,” Fu Cong, China’s U.N. ambassador, said {said}."
    statement = extract(text, published=dt.date.fromisoformat(published)).entries["statements"][0]
    assert (statement["date"], statement["datePrecision"]) == expected


def test_alternating_speakers_and_straight_quotes():
    text = ('"We worked diligently," Nate Evans, spokesperson for the U.S. mission to the United Nations, '
            'said Tuesday.\n\nFu Cong, China\'s U.N. ambassador, told reporters Monday that the text was '
            'fine.\n\n"We are firmly opposed to these sanctions," he said. "It divides the world."\n\n'
            '"It was negotiated," Evans said.')
    statements = extract(text, published=dt.date(2024, 7, 2)).entries["statements"]
    speakers = [(s.get("quote"), s["speaker"], s["date"]) for s in statements if s.get("quote")]
    assert speakers == [("We worked diligently", "nate-evans", "2024-07-02"),
                        ("We are firmly opposed to these sanctions", "fu-cong", "2024-07-01"),
                        ("It divides the world.", "fu-cong", "2024-07-01"),
                        ("It was negotiated", "nate-evans", "2024-07-02")]


def test_an_unattributed_quote_is_left_to_decide():
    entries = extract("“Nobody knows who said this.”", published=dt.date(2024, 7, 2)).entries
    speaker = entries["statements"][0]["speaker"]
    assert speaker.startswith("TO DECIDE:") and "who said this" in speaker
    assert entries["source"]["publisher"].startswith("TO DECIDE:")


# --- the command, validate, the store -------------------------------------------------------------

def test_extract_then_validate_says_what_is_left_then_passes(tmp_path):
    done = policykg("extract", str(ARTICLE), "--published", "2024-07-02", "--publisher", "Associated Press",
                    "-o", "draft.yaml", "--store", str(tmp_path / "none"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"drafted \d+ statement\(s\), 4 provision\(s\), \d+ position\(s\); 1 value\(s\) left to decide",
                     done.stderr)
    draft = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert draft.startswith("# policykg draft entry file")
    store = str(tmp_path / "store")
    checked = policykg("validate", "--store", store, "draft.yaml", cwd=tmp_path)
    assert checked.returncode == 1
    problems = [line for line in checked.stderr.splitlines() if "left to decide" in line]
    assert len(problems) == 1 and ": target: left to decide: what “very appreciative of" in problems[0]
    assert "1 problem(s); nothing was written" in checked.stderr
    (tmp_path / "filled.yaml").write_text(re.sub(r'"TO DECIDE:[^"]*"', "united-states", draft), encoding="utf-8")
    passed = policykg("validate", "--store", store, "filled.yaml", cwd=tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert "no problems found" in passed.stdout
    # and it loads, then the store answers with it
    loaded = policykg("load", "--store", store, "filled.yaml", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr


def test_stdout_and_the_store_link_names(tmp_path):
    """With the bundled data in the store, names are linked to its entities (Fu Cong, the Chinese
    resolution by its alternative label) instead of proposed again."""
    store = data_store(tmp_path / "store")
    done = policykg("extract", str(ARTICLE), "--published", "2024-07-02", "--publisher", "Associated Press",
                    "--store", str(store), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entries = yaml.safe_load(done.stdout)
    defined = {a["id"] for a in entries.get("actors", [])}
    assert not {"fu-cong", "china", "united-states", "associated-press"} & defined
    assert {r["id"] for r in entries.get("resolutions", [])}.isdisjoint({"a-res-78-311", "a-res-78-265"})
    provisions = {p["quote"]: p["partOf"] for p in entries["provisions"]}
    assert provisions["to bridge the artificial intelligence and other digital divides between and within countries"] \
        == "a-res-78-311"


def test_on_whose_behalf_from_the_stores_roles_as_of_the_date(tmp_path):
    """No role in the text: the store's membership held on the statement's date says for whom
    Fu Cong spoke (he headed the arms control department 2018–2022)."""
    with Store(data_store(tmp_path / "store")) as store:
        text = "“We are firmly opposed to these sanctions,” Fu Cong said Monday."
        in_2020 = extract(text, published=dt.date(2020, 3, 3), lookup=StoreLookup(store)).entries
        in_2024 = extract(text, published=dt.date(2024, 7, 2), lookup=StoreLookup(store)).entries
    assert in_2020["statements"][0]["onBehalfOf"] == ["china-mfa-arms-control-department"]
    assert "onBehalfOf" not in in_2024["statements"][0]  # his U.N. post has no dates in the store


@pytest.mark.parametrize(("args", "message"), [
    (["article.txt", "--published", "2 July 2024"], "--published: '2 July 2024' is not a date written YYYY-MM-DD"),
    (["article.txt", "--published", "2024-02-30"], "--published: '2024-02-30' is not a date"),
    (["missing.txt", "--published", "2024-07-02"], "missing.txt: no such file"),
    (["binary.txt", "--published", "2024-07-02"], "binary.txt: not UTF-8 text (byte 1)"),
    (["empty.txt", "--published", "2024-07-02"], "empty.txt: the article is empty"),
])
def test_bad_input_is_named_and_nothing_is_written(tmp_path, args, message):
    (tmp_path / "article.txt").write_text("“Yes,” Fu Cong said.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"a\xff\xfe")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    done = policykg("extract", *args, "-o", "out.yaml", "--no-store", cwd=tmp_path)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "out.yaml").exists()


# --- POST /extract ---------------------------------------------------------------------------------

def test_post_extract_gives_the_same_draft_and_writes_nothing(server):
    body = {"text": ARTICLE.read_text(encoding="utf-8"), "published": "2024-07-02", "publisher": "Associated Press"}
    before = httpx.get(server + "/-/health").json()["quads"]
    assert httpx.post(server + "/extract", json=body, timeout=60).status_code == 401
    answer = httpx.post(server + "/extract", json=body, headers=AUTH, timeout=60)
    assert answer.status_code == 200, answer.text
    draft = answer.json()
    assert set(draft) == {"entries", "notes", "to_decide", "draft"}
    assert yaml.safe_load(draft["draft"]) == draft["entries"]
    # linked to the served store, as the command does with --store
    assert draft["entries"]["statements"][0]["speaker"] == "fu-cong"
    assert "fu-cong" not in {a["id"] for a in draft["entries"].get("actors", [])}
    as_yaml = httpx.post(server + "/extract", json=body, headers={**AUTH, "Accept": "application/yaml"}, timeout=60)
    assert as_yaml.headers["content-type"].startswith("application/yaml") and as_yaml.text == draft["draft"]
    assert httpx.get(server + "/-/health").json()["quads"] == before


@pytest.mark.parametrize(("body", "where"), [
    ({"text": "“Yes,” he said.", "published": "yesterday"}, "published: 'yesterday' is not a date"),
    ({"text": "", "published": "2024-07-02"}, "text"),
    ({"text": "   ", "published": "2024-07-02"}, "text: the article is empty"),
    ({"published": "2024-07-02"}, "text"),
])
def test_post_extract_names_the_wrong_field(server, body, where):
    answer = httpx.post(server + "/extract", json=body, headers=AUTH)
    assert answer.status_code == 422 and where in answer.text, answer.text


def test_post_extract_refuses_a_huge_body(server):
    answer = httpx.post(server + "/extract", headers={**AUTH, "Content-Type": "application/json"},
                        content=b'{"text": "' + b"a" * 11_000_000 + b'", "published": "2024-07-02"}', timeout=60)
    assert answer.status_code == 413


@pytest.mark.parametrize("text", [
    "the man said " * 15000,
    ("He said " * 240 + ". ") * 100,
    "“a” " * 40000,
    "“" * 150000,
    "Fu Cong said that it is fine. " * 6000,
    "“We are firmly opposed to these sanctions,” Fu said. " * 3500,
], ids=["one-long-sentence", "many-verbs", "many-quotes", "unclosed", "many-statements", "many-positions"])
def test_hostile_text_up_to_the_limit_is_drafted(text):
    """Texts of the largest size accepted, shaped to make the rules look far back: each is
    drafted (the rules bound their look-back: MAX_SENTENCE, MAX_VERBS) into YAML that reads back."""
    text = text[:199_000]
    draft = extract(text, published=dt.date(2024, 7, 2))
    assert yaml.load(draft.yaml(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == draft.entries
    ids = [e["id"] for section in draft.entries.values() if isinstance(section, list) for e in section]
    assert len(ids) == len(set(ids))
