"""The reliability record: what the hostile-input, hostile-query, fault, load and access tests tried
and saw, written into ``docs/reliability.md`` by a whole-suite run (``make test``).

A test that stands for a scenario asks for the ``reliability`` fixture (``tests/conftest.py``) and,
once its assertions have passed, calls::

    reliability.record("fault", "a loader killed mid-write", tried=len(kills),
                       outcome=f"{old} ended all version 1, {new} all version 2", lost="nothing")

``section`` is one of :data:`SECTIONS`; ``tried`` is what the test counted in this run (files sent,
processes killed, requests made), ``outcome`` what it saw, ``lost`` what was lost. Rows of one test
with the same section, scenario, outcome and loss are added up (a parametrized test gives one
row). The table between the ``record`` markers is replaced at the end of a session that ran the
whole suite (no file arguments, ``-k``, ``-m`` or deselection), in which nothing failed and every
test asking for the fixture recorded; the file is written only when the rows change, so its date
is the date of the last change. The Limits table between the ``limits`` markers is rendered from
the settings and constants themselves at the start of a whole-suite session.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"
SECTIONS = ("hostile input", "hostile query", "fault", "load", "access")
"""The sections of the record, in the order the table shows them."""
HEADER = "| section | scenario | tried | what happened | lost | test |\n|---|---|---|---|---|---|\n"
LIMITS_HEADER = "| limit | setting (or constant) | default | what the client gets |\n|---|---|---|---|\n"


@dataclass(frozen=True)
class Row:
    section: str
    scenario: str
    tried: int
    outcome: str
    lost: str
    test: str  # file::function


class Record:
    """The rows of one session, by test node id (``rows[nodeid]``)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {}

    def recorder(self, nodeid: str, function: str) -> Recorder:
        return Recorder(self.rows.setdefault(nodeid, []), nodeid.split("::")[0].removeprefix("tests/")
                        + "::" + function)


class Recorder:
    """What the ``reliability`` fixture gives a test: :meth:`record`."""

    def __init__(self, rows: list[Row], test: str):
        self._rows, self._test = rows, test

    def record(self, section: str, scenario: str, *, tried: int, outcome: str, lost: str) -> None:
        """Record one row; call it after the test's assertions have passed."""
        assert section in SECTIONS, f"section {section!r} is not one of {SECTIONS}"
        assert isinstance(tried, int) and tried > 0, tried
        assert scenario.strip() and outcome.strip() and lost.strip()
        self._rows.append(Row(section, scenario, tried, outcome, lost, self._test))


def table(rows: list[Row]) -> str:
    """The Markdown table of ``rows``: rows of one test that differ only in ``tried`` added up,
    sorted by section, scenario and test."""
    summed: dict[tuple[str, str, str, str, str], int] = {}
    for row in rows:
        key = (row.section, row.scenario, row.outcome, row.lost, row.test)
        summed[key] = summed.get(key, 0) + row.tried
    ordered = sorted(summed.items(), key=lambda item: (SECTIONS.index(item[0][0]), item[0][1].strip("`").lower(),
                                                       item[0][1], item[0][4]))
    lines = [f"| {section} | {_cell(scenario)} | {tried:,} | {_cell(outcome)} | {_cell(lost)} | `{test}` |"
             for (section, scenario, outcome, lost, test), tried in ordered]
    return HEADER + "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def block(text: str, name: str) -> str:
    """What ``text`` holds between ``<!-- NAME: begin -->`` and ``<!-- NAME: end -->``."""
    found = re.search(f"<!-- {name}: begin -->\n(.*?)<!-- {name}: end -->", text, re.S)
    assert found, f"no {name} markers in {DOC}"
    return found.group(1)


def with_block(text: str, name: str, body: str) -> str:
    old = block(text, name)
    return text.replace(f"<!-- {name}: begin -->\n{old}", f"<!-- {name}: begin -->\n{body}", 1)


def write_record(rows: list[Row], *, today: datetime.date) -> bool:
    """Put the table of ``rows`` into the document, unless it already holds it; whether it wrote."""
    text = DOC.read_text(encoding="utf-8")
    new_table = table(rows)
    if block(text, "record").endswith(new_table):
        return False
    said = (f"Written by `make test` on {today.isoformat()}, from what each test counted and saw in that "
            f"run, once every test below had passed; do not edit by hand.\n\n")
    DOC.write_text(with_block(text, "record", said + new_table), encoding="utf-8")
    return True


def limits() -> str:
    """The Limits table, its defaults read from the settings and constants."""
    from api import Settings
    from api.routes.entries import MAX_FILES
    from api.routes.rest import MAX_DATE, MAX_TEXT
    from api.routes.sparql import MAX_FIELDS
    from kg import guard, lookups
    from kg.entries import MAX_LITERAL, MAX_NESTING

    default = {name: field.default for name, field in Settings.model_fields.items()}
    rows = [
        ("query time", "`POLICYKG_QUERY_TIMEOUT` (`policykg query --timeout`)", f"{default['query_timeout']:g} s",
         "504 `query-timeout`; CLI exit 1"),
        ("queries at once", "`POLICYKG_MAX_CONCURRENT_QUERIES`", f"{default['max_concurrent_queries']}",
         "503 `server-busy`, `Retry-After: 1`"),
        ("request body", "`POLICYKG_MAX_BODY`", f"{default['max_body']:,} bytes", "413 `body-too-large`"),
        ("SPARQL answer", "`POLICYKG_MAX_RESULT`", f"{default['max_result']:,} bytes",
         "400 `query-refused` \"result too large … add LIMIT, or use the dumps\": the whole answer is "
         "refused, never cut"),
        ("REST page", "`limit` (`kg.lookups.MAX_LIMIT`)",
         f"{lookups.DEFAULT_LIMIT} a page, at most {lookups.MAX_LIMIT}",
         f"422 over {lookups.MAX_LIMIT}; a page says `total` and the `next` page's URL (null on the last)"),
        ("REST offset", "`kg.lookups.MAX_OFFSET`", f"{lookups.MAX_OFFSET:,}", "422 `invalid-parameter`"),
        ("REST text parameters", "`api.routes.rest.MAX_TEXT`, `MAX_DATE`",
         f"{MAX_TEXT:,} characters (dates {MAX_DATE})", "422 `invalid-parameter` naming the parameter"),
        ("query length", "`kg.guard.MAX_QUERY_BYTES`", f"{guard.MAX_QUERY_BYTES:,} bytes", "400 `query-refused`"),
        ("query shape", "`kg.guard.MAX_DEPTH`, `MAX_PATTERNS`, `MAX_OPERATORS`, `MAX_IRI_LENGTH`",
         f"{guard.MAX_DEPTH}, {guard.MAX_PATTERNS}, {guard.MAX_OPERATORS}, {guard.MAX_IRI_LENGTH:,}",
         "400 `query-refused` saying which"),
        ("query parameters", "`api.routes.sparql.MAX_FIELDS`", f"{MAX_FIELDS:,}", "400"),
        ("files in one batch", "`api.routes.entries.MAX_FILES`", f"{MAX_FILES}", "400 \"Too many files\""),
        ("YAML aliases", "—", "none allowed", "422 / exit 1 (no \"billion laughs\")"),
        ("nesting in entry files", "`kg.entries.MAX_NESTING`",
         f"{MAX_NESTING} (JSON, JSON-LD, RDF/XML); YAML: libyaml's own limit", "422 / exit 1 with the line"),
        ("one literal", "`kg.entries.MAX_LITERAL`", f"{MAX_LITERAL:,} characters",
         "422 / exit 1 naming file, entry, field, line"),
        ("outbound requests", "—", "none: `SERVICE`, `LOAD`, remote `@context`", "400 `query-refused`; 422 / exit 1"),
        ("writes", "`POLICYKG_TOKEN`", "unset: writes disabled" if default["token"] is None else "set",
         "401 without or with a wrong token, 403 when disabled"),
    ]
    return LIMITS_HEADER + "".join(f"| {' | '.join(row)} |\n" for row in rows)


def write_limits() -> bool:
    """Put the Limits table into the document, unless it already holds it; whether it wrote."""
    text = DOC.read_text(encoding="utf-8")
    if block(text, "limits") == limits():
        return False
    DOC.write_text(with_block(text, "limits", limits()), encoding="utf-8")
    return True
