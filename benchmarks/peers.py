"""The servers the benchmark compares policykg with, each run as its own process.

``python -m benchmarks.peers rdflib-endpoint --nquads FILE --port P``: rdflib-endpoint (FastAPI +
rdflib, SPARQL at ``/``) over an rdflib ``Dataset`` holding the N-Quads, queried as the union of
its graphs (as policykg and ``oxigraph serve --union-default-graph`` are).

``python -m benchmarks.peers hello --port P``: a FastAPI hello-world, the ceiling of what one
uvicorn worker serves on this machine.

Both run under uvicorn with one worker and access logs off, like ``policykg serve``.
"""

from __future__ import annotations

import argparse

import uvicorn


def hello_app():  # type: ignore[no-untyped-def]
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/")
    def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    return app


def rdflib_endpoint_app(nquads: str):  # type: ignore[no-untyped-def]
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    return SparqlEndpoint(graph=dataset, cors_enabled=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=("rdflib-endpoint", "hello"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--nquads", help="the N-Quads file rdflib-endpoint serves")
    args = parser.parse_args()
    app = rdflib_endpoint_app(args.nquads) if args.which == "rdflib-endpoint" else hello_app()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
