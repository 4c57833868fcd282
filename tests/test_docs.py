"""The docs keep up with the code: every command, named query and entry key is documented."""

from __future__ import annotations

from pathlib import Path

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
