"""The docs keep up with the code: every command, named query and entry key is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import app
from kg.entries import vocabulary
from kg.queries import named_queries

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENTRIES = (ROOT / "docs" / "entries.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_commands_first():
    head = README[:600]
    assert "make serve" in head and "make test" in head


def test_every_cli_command_is_in_the_readme():
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"policykg {name}" in README, name


def test_every_named_query_is_in_the_readme():
    for name in named_queries():
        assert f"`{name}`" in README, name


def test_every_entry_key_is_in_docs_entries():
    internal = {"graphOf", "recordedAt", "loadedFrom", "checksum", "tripleCount", "source"}
    for key in set(vocabulary().terms) - internal:
        assert f"`{key}`" in ENTRIES, key


def test_every_route_is_in_docs_api():
    from api import Settings, create_app

    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    app = create_app(Settings(store=":memory:"))
    paths = {route.path for route in app.routes if getattr(route, "include_in_schema", False)}
    missing = [path for path in sorted(paths)
               if path.split("{")[0].rstrip("/.") not in api_doc and path != "/"]
    assert not missing, missing


def test_every_setting_is_in_docs_api():
    from api import Settings

    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"POLICYKG_{name.upper()}" in api_doc, name


def test_the_reliability_record_has_its_shape():
    """The generated record in docs/reliability.md: markers, a row per line of the header's width,
    each section the tests record (``load`` comes from the load test)."""
    from reliability_record import DOC, HEADER, SECTIONS, block

    text = DOC.read_text(encoding="utf-8")
    record = block(text, "record")
    assert record.startswith("Written by `make test` on ") and HEADER in record
    rows = record.split(HEADER, 1)[1].splitlines()
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    assert all(len(row) == 6 for row in cells), rows
    assert {row[0] for row in cells} >= set(SECTIONS) - {"load"}, "a section has no row"
    assert all(row[2].replace(",", "").isdigit() and row[5].startswith("`test_") for row in cells), rows
    assert sorted(cells, key=lambda row: SECTIONS.index(row[0])) == cells
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == ["The record", "Hostile and heavy queries", "Bad input", "Access", "Faults", "Load", "Limits"]


def test_the_limits_table_is_what_the_code_says():
    from reliability_record import DOC, block, limits

    assert block(DOC.read_text(encoding="utf-8"), "limits") == limits()


def test_the_record_table_is_the_same_whatever_the_order_of_the_rows():
    from reliability_record import Record, table

    record = Record()
    for case in ("a", "b"):  # a parametrized test: its rows are added up
        record.recorder(f"tests/test_x.py::test_p[{case}]", "test_p").record(
            "fault", "killed", tried=2, outcome="whole", lost="nothing")
    record.recorder("tests/test_x.py::test_q", "test_q").record(
        "hostile input", "a | b", tried=1, outcome="422", lost="nothing")
    rows = [row for found in record.rows.values() for row in found]
    assert table(rows) == table(rows[::-1])
    assert table(rows).splitlines()[2:] == [
        "| hostile input | a \\| b | 1 | 422 | nothing | `test_x.py::test_q` |",
        "| fault | killed | 4 | whole | nothing | `test_x.py::test_p` |"]
    with pytest.raises(AssertionError, match="is not one of"):
        record.recorder("tests/test_x.py::test_r", "test_r").record("faults", "x", tried=1, outcome="x", lost="x")
