"""The ``policykg`` command line: validate, load, query, export, stats, check.

Every command that reads or writes the store starts the embedded engine for its own duration
(:class:`kg.store.Store`). Errors go to stderr, one problem per line, with exit status 1.
"""

from __future__ import annotations

import getpass
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, RdfFormat, parse
from pyoxigraph import serialize as pyoxigraph_serialize
from rich.console import Console
from rich.table import Table

from kg.entries import vocabulary
from kg import history
from kg.errors import ConfigError, KgError, NotFound, PartlyLoaded, _ProblemsError
from kg.history import parse_moment
from kg.iris import DEFAULT_BASE_IRI
from kg.queries import named_queries, named_query
from kg.sparql import query_form
from kg.store import Store

app = typer.Typer(
    help="policykg: a knowledge graph of policy claims — who said what, when, on whose behalf.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEFAULT_STORE = "var/store"
LOAD_TIMEOUT = 300.0
"""Seconds a load's own queries may take by default: not the public timeout of a user's query,
since they grow with the batch (a million-statement import in 3 MB chunks ran past 10 s on a
loaded machine)."""
StoreOpt = Annotated[str, typer.Option(
    "--store", envvar="POLICYKG_STORE",
    help="Store directory (embedded engine) or an engine's SPARQL query URL (with POLICYKG_UPDATE_URL, "
         "POLICYKG_GSP_URL, POLICYKG_ENGINE_AUTH from the environment: docs/scaling.md).")]
BaseOpt = Annotated[str, typer.Option(
    "--base-iri", envvar="POLICYKG_BASE_IRI", help="Base IRI of the data's identifiers.")]
TimeoutOpt = Annotated[float, typer.Option(
    "--timeout", envvar="POLICYKG_QUERY_TIMEOUT", help="Query timeout in seconds.")]

SELECT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "xml": RdfFormat.RDF_XML,
}


def _open(store: str, base_iri: str, timeout: float = 10.0) -> Store:
    """The store at ``store``; for an engine URL, with ``POLICYKG_UPDATE_URL``,
    ``POLICYKG_GSP_URL`` and ``POLICYKG_ENGINE_AUTH`` from the environment (docs/scaling.md)."""
    import os

    if store.startswith(("http://", "https://")):
        return Store(store, base_iri=base_iri, query_timeout=timeout,
                     update_url=os.environ.get("POLICYKG_UPDATE_URL") or None,
                     gsp_url=os.environ.get("POLICYKG_GSP_URL") or None,
                     auth=os.environ.get("POLICYKG_ENGINE_AUTH") or None)
    location = None if store == ":memory:" else store  # as in api.settings: an in-memory engine
    return Store(location, base_iri=base_iri, query_timeout=timeout)


def _fail(exc: KgError) -> typer.Exit:
    partly = exc if isinstance(exc, PartlyLoaded) else None
    if partly is not None:
        exc = partly.failure
    if isinstance(exc, _ProblemsError):
        for problem in exc.problems:
            err.print(str(problem), markup=False, highlight=False)
        err.print(f"{len(exc.problems)} problem(s); " + (partly.summary if partly else "nothing was written."),
                  markup=False, style="bold red")
    else:
        err.print(f"error: {exc}", markup=False, highlight=False)
        if partly is not None:
            err.print(partly.summary, markup=False, style="bold red")
    return typer.Exit(1)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Entry files or directories.")],
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
) -> None:
    """Check entry files against the shapes and the store, writing nothing."""
    from kg.load import validate_paths

    try:
        with _open(store, base_iri) as kg_store:
            report = validate_paths(paths, kg_store)
    except KgError as exc:
        raise _fail(exc) from None
    out.print(f"ok: {len(report.loaded) + len(report.unchanged)} source(s), {report.triples} triple(s) "
              "to write; no problems found", markup=False)


@app.command()
def extract(
    article: Annotated[Path, typer.Argument(help="The article's text (UTF-8), headline first.")],
    published: Annotated[str, typer.Option("--published", help="Publication date, YYYY-MM-DD: relative "
                                           "dates (\"Monday\") are read against it.")],
    publisher: Annotated[Optional[str], typer.Option("--publisher", help="The publisher's name.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="The headline (default: the text's first line).")] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="Where the article is published.")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the draft here (default: stdout).")] = None,
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    no_store: Annotated[bool, typer.Option("--no-store", help="Do not link names to the store's entities.")] = False,
) -> None:
    """Draft an entry file from an article's text: quotes, speakers, dates, stances (docs/extraction.md)."""
    from kg.extract import StoreLookup, article_text, extract as draft_entries, published_date

    try:
        if not article.is_file():
            raise ConfigError(f"{article}: no such file")
        text = article_text(article.read_bytes(), str(article))
        day = published_date(published)
        local = not store.startswith(("http://", "https://"))
        if no_store or (local and store != ":memory:" and not Path(store).is_dir()):
            draft = draft_entries(text, published=day, publisher=publisher, title=title, url=url)
        else:
            with _open(store, base_iri) as kg_store:
                draft = draft_entries(text, published=day, publisher=publisher, title=title, url=url,
                                      lookup=StoreLookup(kg_store))
    except KgError as exc:
        raise _fail(exc) from None
    text_out = draft.yaml()
    if output is None:
        sys.stdout.write(text_out)
    else:
        output.write_text(text_out, encoding="utf-8")
    counts = {section: len(draft.entries.get(section) or []) for section in ("statements", "provisions", "positions")}
    err.print(f"drafted {counts['statements']} statement(s), {counts['provisions']} provision(s), "
              f"{counts['positions']} position(s); {len(draft.to_decide)} value(s) left to decide"
              + (f"; written to {output}" if output else ""), markup=False, highlight=False)


ServerOpt = Annotated[Optional[str], typer.Option(
    "--server", envvar="POLICYKG_SERVER",
    help="Load through a running policykg server (POST /entries) instead of opening the store.")]
TokenOpt = Annotated[Optional[str], typer.Option(
    "--token", envvar="POLICYKG_TOKEN", help="The server's write token (with --server).")]


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Entry files or directories.")],
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    server: ServerOpt = None,
    token: TokenOpt = None,
    chunk_mb: Annotated[Optional[float], typer.Option(
        "--chunk-mb", min=0.000001,
        help="Commit in chunks of files of about this many megabytes, one transaction each, reading "
             "the next chunk while the engine writes (bounded memory, for large imports). Each source "
             "stays all or nothing; on a failure the chunks before stay, and re-running resumes.")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", envvar="POLICYKG_LOAD_TIMEOUT",
        help="Seconds one of the load's own queries may run (the look-ups of what a batch refers "
             "to grow with the batch and the store).")] = LOAD_TIMEOUT,
    by: Annotated[Optional[str], typer.Option(
        "--by", envvar="POLICYKG_CURATOR", help="Who writes: kept in the record of each new version "
        "(docs/history.md). Default: the login name.")] = None,
    message: Annotated[Optional[str], typer.Option(
        "--message", "-m", help="Why: a note kept in the record of each new version, like a commit "
        "message.")] = None,
) -> None:
    """Validate entry files and load them in one transaction (all or nothing), or with
    --chunk-mb in chunks of files."""
    from rich.progress import Progress

    from kg.history import Change
    from kg.load import LoadReport, load_paths

    try:
        chunk_bytes = None if chunk_mb is None else max(1, int(chunk_mb * 1_000_000))
        if server:
            if chunk_bytes is not None:
                raise ConfigError("--chunk-mb is for a store opened here, not with --server")
            if by is not None:
                raise ConfigError("--by is for a store opened here, not with --server (the server records "
                                  "the name of its token, POLICYKG_TOKEN_NAME)")
            report = _load_through(server, token, paths, message)
        else:
            change = Change(by or getpass.getuser(), message)
            with _open(store, base_iri, timeout) as kg_store:
                if sys.stderr.isatty():
                    with Progress(console=err, transient=True) as bar:
                        task = bar.add_task("loading", total=None)
                        report = load_paths(paths, kg_store, chunk_bytes=chunk_bytes, change=change,
                                            progress=lambda done, total: bar.update(
                                                task, completed=done, total=total))
                else:
                    report = load_paths(paths, kg_store, chunk_bytes=chunk_bytes, change=change)
    except KgError as exc:
        raise _fail(exc) from None
    assert isinstance(report, LoadReport)
    for slug in report.loaded:
        out.print(f"loaded {slug}", markup=False)
    for slug in report.unchanged:
        out.print(f"unchanged {slug} (same file as last loaded)", markup=False)
    out.print(f"{report.triples} triple(s) written", markup=False)


def _load_through(server: str, token: str | None, paths: list[Path],  # type: ignore[no-untyped-def]
                  message: str | None = None):
    """POST the files to a running server's /entries as one multipart batch."""
    import httpx

    from kg.entries import collect_inputs
    from kg.errors import EngineError, Problem, ValidationFailed
    from kg.load import LoadReport

    items = collect_inputs(paths)
    files = [("file", (Path(item.name).name, item.data)) for item in items]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        answer = httpx.post(server.rstrip("/") + "/entries", files=files, headers=headers, timeout=600,
                            params={"message": message} if message else None)
    except httpx.HTTPError as exc:
        raise EngineError(f"cannot reach the server {server}: {exc}") from None
    body = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
    if answer.status_code == 201:
        return LoadReport(body["loaded"], body["unchanged"], body["triples"])
    if answer.status_code == 422 and body.get("errors"):
        raise ValidationFailed([Problem(e.get("file", ""), e.get("entry", ""), e.get("field", ""),
                                        e.get("message", ""), e.get("line")) for e in body["errors"]])
    raise EngineError(f"the server answered {answer.status_code}: {body.get('detail') or answer.text[:500]}")


def _parse_params(params: list[str]) -> dict[str, str]:
    values = {}
    for item in params:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise typer.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--param")
        values[name] = value
    return values


def _query_text(query: str) -> tuple[str, object | None]:
    """(SPARQL text, the named query when one was asked for by @name)."""
    if not query.startswith("@"):
        return query, None
    ref = query[1:]
    path = Path(ref)
    if path.suffix == ".rq" and path.is_file() or (path.is_file() and "/" in ref):
        return path.read_text(encoding="utf-8"), None
    if ref.removesuffix(".rq") in named_queries():
        found = named_query(ref.removesuffix(".rq"))
        return found.text, found
    if path.is_file():
        return path.read_text(encoding="utf-8"), None
    raise typer.BadParameter(f"{ref!r} is neither a file nor a named query "
                             f"({', '.join(named_queries())})", param_hint="QUERY")


def _short(term: object, base: str) -> str:
    if isinstance(term, NamedNode):
        iri = term.value
        if iri.startswith(base):
            return iri[len(base):]
        for prefix, namespace in vocabulary().prefixes.items():
            if iri.startswith(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return ""


@app.command()
def query(
    query_text: Annotated[str, typer.Argument(
        metavar="QUERY", help="SPARQL text, @file.rq, or @name of a named query (see `policykg queries`).")],
    param: Annotated[list[str], typer.Option(
        "--param", "-p", help="NAME=VALUE for a named query's parameter (repeatable).")] = [],  # noqa: B006
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", help="table, json, csv, tsv, xml (SELECT/ASK); turtle, ntriples, jsonld, trig "
        "(CONSTRUCT/DESCRIBE).")] = None,
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    timeout: TimeoutOpt = 10.0,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="Answer from the graph as it stood then: a date (the end of that day, UTC) or "
        "a date-time (docs/history.md).")] = None,
) -> None:
    """Run a SPARQL query or a named query with bound parameters."""
    try:
        text, named = _query_text(query_text)
        form = query_form(text)
        if form == "UPDATE":
            raise typer.BadParameter("updates are not run by `query`; use `load`", param_hint="QUERY")
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        fmt = fmt or ("turtle" if graph_form else ("table" if sys.stdout.isatty() else "json"))
        allowed = GRAPH_FORMATS if graph_form else {"table": None, **SELECT_FORMATS}
        if fmt not in allowed or fmt in ("nquads",):
            raise typer.BadParameter(f"{fmt!r} is not a format for {form}; use one of "
                                     f"{', '.join(k for k in allowed if k != 'nquads')}", param_hint="--format")
        values = _parse_params(param)
        moment = None if as_of is None else parse_moment(as_of, name="--as-of")
        with _open(store, base_iri, timeout) as opened:
            kg_store = opened if moment is None else history.as_of(opened, moment)
            if named is not None:
                bindings = named.substitutions(values, iris=kg_store.iris, existing=kg_store.existing)
                text = named.text_for(bindings)
            elif values:
                bindings = {name: _free_term(v) for name, v in values.items()}
            else:
                bindings = {}
            if fmt == "table":
                _print_table(kg_store.query(text, substitutions=bindings), kg_store.iris.base)
            elif graph_form and fmt == "jsonld":
                from kg.jsonld import to_jsonld

                triples = list(kg_store.query(text, substitutions=bindings))
                sys.stdout.write(to_jsonld(triples) + "\n")
            else:
                media = SELECT_FORMATS.get(fmt) or GRAPH_FORMATS[fmt].media_type
                for chunk in kg_store.query_bytes(text, substitutions=bindings, media_type=media):
                    sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
    except KgError as exc:
        raise _fail(exc) from None


def _free_term(value: str) -> NamedNode | Literal:
    """A --param value for a query that declares no parameters: <IRI> or a literal."""
    if value.startswith("<") and value.endswith(">"):
        try:
            return NamedNode(value[1:-1])
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a valid IRI", param_hint="--param") from None
    return Literal(value)


def _print_table(result: object, base: str) -> None:
    if isinstance(result, QueryBoolean):
        out.print("true" if bool(result) else "false")
        return
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False)
    rows = 0
    for solution in result:
        table.add_row(*(_short(solution[name], base) for name in names))
        rows += 1
    out.print(table)
    out.print(f"{rows} row(s)", style="dim")


@app.command()
def queries() -> None:
    """List the named queries and their parameters."""
    for item in named_queries().values():
        out.print(f"[bold]{item.name}[/bold] — {item.title}")
        out.print(f"  {item.description}", markup=False)
        for p in item.params:
            need = "required" if p.required else "optional"
            out.print(f"  --param {p.name}=<{p.kind}>  ({need}) {p.description}", markup=False)


@app.command("history")
def history_command(
    source: Annotated[str, typer.Argument(help="The source's id (its slug), as in its entry file.")],
    version: Annotated[Optional[int], typer.Option(
        "--version", "-v", min=1, help="Print this version whole (TriG; see --format) instead of the list.")] = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", help="The list: table (default) or json; --version: trig (default), nquads, turtle, "
        "ntriples, jsonld, xml.")] = None,
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """The versions of a source: when each was recorded, by whom, why — or one version whole."""
    try:
        fmt = fmt or ("table" if version is None else "trig")
        allowed = ("table", "json") if version is None else tuple(GRAPH_FORMATS)
        if fmt not in allowed:
            raise typer.BadParameter(f"{fmt!r} is not a format {'for --version ' if version else ''}here; use one "
                                     f"of {', '.join(allowed)}", param_hint="--format")
        with _open(store, base_iri, timeout) as kg_store:
            if version is not None:
                quads = history.version_quads(kg_store, source, version)
                rdf_format = GRAPH_FORMATS[fmt]
                items = quads if rdf_format.supports_datasets else [q.triple for q in quads]
                sys.stdout.buffer.write(pyoxigraph_serialize(items, format=rdf_format) or b"")
                sys.stdout.buffer.flush()
                return
            found = history.versions(kg_store, source)
    except KgError as exc:
        raise _fail(exc) from None
    if fmt == "json":
        sys.stdout.write(json.dumps([v.as_json() for v in found], indent=1) + "\n")
        return
    table = Table("version", "recorded at", "by", "note", "file", "triples", box=None)
    for v in found:
        table.add_row(str(v.number), v.recorded_at or "—", v.by or "—", v.note or "—",
                      v.loaded_from or "—", "deleted" if v.deleted else str(v.triples))
    out.print(table)


@app.command()
def export(
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", help="trig (the default), nquads, turtle, ntriples or jsonld; a nanopublication "
        "trig, nquads or jsonld; a ClaimReview jsonld.")] = None,
    graph: Annotated[Optional[str], typer.Option(
        "--graph", "-g", help="Only this source (its slug or graph IRI).")] = None,
    nanopub: Annotated[Optional[str], typer.Option(
        "--nanopub", metavar="STATEMENT",
        help="Only this statement (the 16 hex digits ending its IRI, or the IRI) as a nanopublication: "
             "head, assertion, provenance and publication info graphs.")] = None,
    claimreview: Annotated[Optional[str], typer.Option(
        "--claimreview", metavar="STATEMENT",
        help="Only this statement as a schema.org ClaimReview (JSON-LD) rating its attribution.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
) -> None:
    """Export the graph (or one source's graph, or one statement) as linked data.

    TriG and N-Quads keep each source's named graph and the metadata graph; Turtle and
    N-Triples hold the union of the source graphs. Line-based formats stream; JSON-LD is built
    in memory and compacted with the policykg context. With --nanopub STATEMENT, the statement
    as a nanopublication; with --claimreview STATEMENT, as a ClaimReview (docs/history.md).
    With -o the file appears only when the export is complete.
    """
    from kg import interchange

    statement = nanopub or claimreview
    if statement is None and (fmt or "trig") not in ("trig", "nquads", "turtle", "ntriples", "jsonld"):
        raise typer.BadParameter(f"{fmt!r}: use trig, nquads, turtle, ntriples or jsonld", param_hint="--format")
    partial = output.with_name(output.name + ".partial") if output else None
    try:
        body = None
        if nanopub and claimreview:
            raise ConfigError("--nanopub and --claimreview: give one of them")
        if statement is not None and graph:
            raise ConfigError("--graph: a statement is exported whole, with every graph that states it; "
                              "leave --graph out with --nanopub or --claimreview")
        if nanopub and (fmt or "trig") not in interchange.NANOPUB_FORMATS:
            raise ConfigError(f"--format {fmt}: a nanopublication is four named graphs; use trig, nquads or jsonld")
        if claimreview and (fmt or "jsonld") != "jsonld":
            raise ConfigError(f"--format {fmt}: a ClaimReview is JSON-LD; use jsonld or leave --format out")
        with _open(store, base_iri) as kg_store:
            graph_iri = None
            if nanopub:
                made = interchange.nanopub(kg_store, nanopub)
                body = made.serialize(interchange.NANOPUB_FORMATS[fmt or "trig"])
            elif claimreview:
                body = interchange.claimreview_bytes(interchange.claimreview(kg_store, claimreview))
            elif graph:
                graph_iri = graph if "://" in graph else kg_store.iris.graph(graph)
                if graph_iri not in kg_store.graphs():
                    raise NotFound(f"no source graph {graph_iri} in the store")
            target = partial.open("wb") if partial else sys.stdout.buffer
            try:
                if body is not None:
                    target.write(body)
                elif fmt == "jsonld":
                    from kg.jsonld import to_jsonld

                    buffer = io.BytesIO()
                    kg_store.export(RdfFormat.N_QUADS, buffer, graph=graph_iri)
                    quads = parse(buffer.getvalue(), format=RdfFormat.N_QUADS)
                    target.write(to_jsonld(quads).encode("utf-8") + b"\n")
                else:
                    kg_store.export(GRAPH_FORMATS[fmt or "trig"], target, graph=graph_iri)
            finally:
                if partial:
                    target.close()
                else:
                    target.flush()
        if partial and output:
            partial.replace(output)
    except KgError as exc:
        raise _fail(exc) from None
    finally:
        if partial and partial.exists():
            partial.unlink()


@app.command()
def stats(
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Quads, graphs, and the number of things of each class."""
    import json

    try:
        with _open(store, base_iri) as kg_store:
            figures = kg_store.stats()
    except KgError as exc:
        raise _fail(exc) from None
    if as_json:
        out.print_json(json.dumps(figures))
        return
    out.print(f"quads  {figures['quads']}\ngraphs {figures['graphs']}", markup=False)
    table = Table("class", "count")
    for cls, count in sorted(figures["classes"].items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(_short(NamedNode(cls), kg_store.iris.base), str(count))
    out.print(table)


@app.command()
def verify(
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    timeout: Annotated[float, typer.Option(
        "--timeout", envvar="POLICYKG_QUERY_TIMEOUT", help="Seconds allowed for the check's query.")] = 600.0,
) -> None:
    """Check the store's integrity: every source graph holds the triples its metadata records.

    Opening an embedded store drops the staging graphs of a load that was stopped before its
    swap (said in the summary). Exit status 0 with a one-line summary, or 1 with one line per
    problem.
    """
    from kg.integrity import check_store

    try:
        if "://" not in store and store != ":memory:" and not Path(store).is_dir():
            raise NotFound(f"no store at {store}: the directory does not exist")
        with _open(store, base_iri, timeout) as kg_store:
            found = check_store(kg_store)
    except KgError as exc:
        raise _fail(exc) from None
    for problem in found.problems:
        err.print(problem, markup=False, highlight=False)
    if not found.ok:
        err.print(found.summary(), markup=False, highlight=False, style="bold red")
        raise typer.Exit(1)
    out.print(found.summary(), markup=False, highlight=False)


@app.command()
def backup(
    dest: Annotated[Path, typer.Argument(help="The N-Quads file to write (never overwritten).")],
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    server: Annotated[Optional[str], typer.Option(
        "--server", envvar="POLICYKG_SERVER",
        help="Back up a running policykg server's store (its /dumps/policykg.nq) instead of opening "
             "the store.")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", envvar="POLICYKG_QUERY_TIMEOUT", help="Seconds allowed between two reads.")] = 600.0,
) -> None:
    """Write a consistent backup of the store: every quad, from one snapshot, while it may be in use.

    The file (N-Quads, the meta graph included) appears only when complete and checked: each
    source graph holds the triples its metadata records. Take it from a store directory, or
    with --server from a running `policykg serve`, which goes on answering and writing.
    """
    from kg.backup import backup_server, backup_store

    try:
        if server:
            made = backup_server(server, dest, base_iri=base_iri, timeout=timeout)
        else:
            if "://" not in store and not Path(store).is_dir():
                raise NotFound(f"no store at {store}: the directory does not exist")
            with _open(store, base_iri, timeout) as kg_store:
                made = backup_store(kg_store, dest)
    except KgError as exc:
        raise _fail(exc) from None
    out.print(f"backup {made.summary()}", markup=False, highlight=False)


@app.command()
def restore(
    src: Annotated[Path, typer.Argument(help="A backup file written by `policykg backup`.")],
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the content of a store that is not empty.")] = False,
) -> None:
    """Restore a backup into a store directory: all or nothing.

    The backup is checked, a new store is built from it beside the target and checked against
    it, then moved into place. A store that holds quads is replaced only with --force; a store
    another process holds, never.
    """
    from kg.backup import restore as restore_backup

    try:
        if store == ":memory:" or "://" in store:
            raise ConfigError(f"restore writes a store directory, not {store!r}")
        made = restore_backup(src, Path(store), force=force, base_iri=base_iri)
    except KgError as exc:
        raise _fail(exc) from None
    out.print(f"restored into {store} from {made.summary()}", markup=False, highlight=False)


@app.command()
def check(
    data: Annotated[Optional[list[Path]], typer.Argument(help="Data files or directories to check too.")] = None,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
) -> None:
    """Prove the ontology (and, given data, the data) consistent with the HermiT reasoner."""
    from kg.reason import check_graph

    try:
        report = check_graph(_data_graph(data or [], base_iri))
    except KgError as exc:
        raise _fail(exc) from None
    for iri in report.unsatisfiable:
        err.print(f"unsatisfiable class: {iri}", markup=False)
    for iri in report.inconsistent_individuals:
        err.print(f"inconsistent individual: {iri}", markup=False)
    if not report.consistent or report.unsatisfiable:
        err.print(report.message, markup=False)
        raise typer.Exit(1)
    out.print(report.message, markup=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    store: StoreOpt = DEFAULT_STORE,
    base_iri: BaseOpt = DEFAULT_BASE_IRI,
) -> None:
    """Serve the web API (SPARQL, REST, linked data, dumps) with uvicorn."""
    import uvicorn

    from api import Settings, create_app

    settings = Settings(store=store, base_iri=base_iri)
    out.print(f"policykg serving {store} at http://{host}:{port}/ (SPARQL at /sparql, API docs at /docs)",
              markup=False, highlight=False)
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    except KgError as exc:
        raise _fail(exc) from None


def _data_graph(paths: list[Path], base_iri: str):  # type: ignore[no-untyped-def]
    """The triples of entry and RDF files as one rdflib graph (references resolved within them)."""
    import rdflib
    from pyoxigraph import serialize

    from kg.entries import collect_inputs, parse_batch
    from kg.iris import Iris

    graph = rdflib.Graph()
    if paths:
        batch = parse_batch(collect_inputs(paths), iris=Iris(base_iri))
        graph.parse(data=serialize(list(batch.triples()), format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def main() -> None:
    """Entry point of the ``policykg`` console script."""
    app()
