"""schemathesis against the OpenAPI document of a real server: generated requests to every
operation (with the write token), those the document allows and those it does not, and each
answer checked: never a server error, and every status, content type, header and body as the
document declares them.

Bounded: a fixed number of examples per operation and mode, Hypothesis derandomised (the same
requests on every run), no per-example deadline.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import TOKEN, data_store, running_server

EXAMPLES = 50
"""Examples per operation and mode."""
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
"""Requests the document allows, and requests it does not (which must be refused with a 4xx)."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
TEXT_BODIES = ("application/sparql-query", "application/yaml", "application/x-yaml", "text/yaml",
               "text/turtle", "application/trig", "application/n-triples", "application/n-quads")


@schemathesis.serializer(*TEXT_BODIES)
def _as_text(ctx, value):  # type: ignore[no-untyped-def]
    """Bodies that are text of some syntax: sent as the generated string's UTF-8 bytes."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def api_url(tmp_path_factory) -> Iterator[str]:
    """A server over an on-disk copy of the data (writes allowed with TOKEN)."""
    with running_server(str(data_store(tmp_path_factory.mktemp("fuzzed") / "store")),
                        POLICYKG_QUERY_TIMEOUT="2") as url:
        yield url


@pytest.mark.slow
def test_every_operation_answers_as_documented(api_url, reliability):
    schema = schemathesis.openapi.from_url(api_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20, [operation.label for operation in operations]
    failures, sent = {}, Counter()
    for operation, mode in itertools.product(operations, MODES):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):  # type: ignore[no-untyped-def]
            sent[mode] += 1
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS, timeout=30)

        try:
            answers_as_documented()
        except Unsatisfiable:
            pass  # no request breaks this operation's schema (it has no parameters, or only a path)
        except Exception as failure:  # noqa: BLE001 - every operation is run, then all are reported
            failures[f"{operation.label} ({mode.value})"] = str(failure)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert sent[GenerationMode.POSITIVE] > 20 * EXAMPLES and sent[GenerationMode.NEGATIVE] > 10 * EXAMPLES, sent
    reliability.record("hostile input", f"schemathesis: requests generated from the OpenAPI document to its "
                       f"{len(operations)} operations, with the write token", tried=sum(sent.values()),
                       lost="nothing", outcome=f"{sent[GenerationMode.POSITIVE]:,} the document allows and "
                       f"{sent[GenerationMode.NEGATIVE]:,} it does not: no server error; every status, content "
                       "type, header and body as documented")
