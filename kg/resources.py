"""Files that ship with policykg: the ontology, the shapes, the JSON-LD context, named queries.

In an installed wheel the Turtle of ``ontology/`` and ``shapes/`` is copied into
``kg/_resources/``; in a source checkout it is read where people edit it.

>>> resource_path("ontology", "policykg.ttl").name
'policykg.ttl'
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_path(folder: str, name: str = "") -> Path:
    """Return the path of a shipped resource folder (``ontology``, ``shapes``) or a file in it."""
    for root in (_PACKAGE / "_resources", _PACKAGE.parent):
        candidate = root / folder
        if candidate.is_dir():
            return candidate / name if name else candidate
    raise FileNotFoundError(f"policykg resource folder {folder!r} is missing from the installation")


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, sorted."""
    return sorted(resource_path("ontology").glob("*.ttl"))


def shapes_files() -> list[Path]:
    """The SHACL shapes' Turtle files, sorted."""
    return sorted(resource_path("shapes").glob("*.ttl"))
