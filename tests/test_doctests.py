"""Every ``>>>`` example in the library's docstrings runs."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(kg.__path__, prefix="kg.")
    if name not in ("kg.cli",)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
