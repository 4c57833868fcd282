"""Server-rendered HTML for the linked-data pages: no JavaScript, no external assets.

Every piece of text and every attribute value goes through :func:`html.escape`. Links to the
data point at this server's own paths (``/id/…``, ``/ontology#…``, ``/dumps/…``) so that the
pages can be browsed wherever the server runs; other IRIs link to themselves when they are
``http(s)``, and are shown as text otherwise.

>>> from kg.iris import Iris
>>> Linker(Iris(), "").href("https://w3id.org/policykg/id/actor/china")
'/id/actor/china'
>>> Linker(Iris(), "/kg").href("javascript:alert(1)") is None
True
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.describe import KIND_ORDER, PK, Description, OntologyTerm, term_labels
from kg.entries import vocabulary
from kg.iris import Iris

__all__ = ["CSP", "Linker", "entity_page", "ontology_page"]

STATEMENT = PK + "Statement"
POSITION = PK + "Position"
LICENSE = ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0")

# Properties shown first, in this order; the rest follow by name.
_FIRST = [
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    PK + "symbol",
    "http://purl.org/dc/terms/title",
    PK + "speaker",
    PK + "onBehalfOf",
    PK + "date",
    PK + "quote",
    PK + "paraphrase",
    PK + "holder",
    PK + "stance",
    PK + "target",
]

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fff}
header,main,footer{max-width:60rem;margin:0 auto;padding:0.5rem 1rem}
header{border-bottom:1px solid #ddd}footer{border-top:1px solid #ddd;color:#555;font-size:0.9rem}
nav a{margin-right:1rem}a{color:#0645ad}
h1{font-size:1.6rem;margin:1rem 0 0.25rem}h2{font-size:1.2rem;margin-top:2rem}
.iri,.kind{color:#555;margin:0.25rem 0;word-break:break-all}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:0.35rem 0.5rem;border-bottom:1px solid #eee}
th{width:12rem;font-weight:600}td ul{margin:0;padding-left:1.1rem}
blockquote{margin:0.25rem 0 0.5rem;padding-left:0.75rem;border-left:3px solid #bbb}
.muted{color:#666;font-size:0.9rem}ol,ul{padding-left:1.4rem}li{margin-bottom:0.4rem}
dt{font-weight:600;margin-top:0.75rem}dd{margin-left:1rem}code{font-size:0.9em}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:0.5rem;background:#fff;padding:0.25rem}
a:focus,button:focus,input:focus,textarea:focus,select:focus{outline:3px solid #f0a000;outline-offset:1px}
nav a.home{font-weight:700}
form.search{display:flex;gap:0.5rem;flex-wrap:wrap;margin:1rem 0}
form.search input[type=search]{flex:1 1 16rem;font:inherit;padding:0.4rem 0.5rem;border:1px solid #888;border-radius:4px}
button{font:inherit;padding:0.4rem 0.9rem;border:1px solid #0645ad;background:#0645ad;color:#fff;border-radius:4px;cursor:pointer}
.scroll{overflow-x:auto}
table.grid th{width:auto}table.grid thead th{border-bottom:2px solid #ccc}
table.results td{min-width:6rem;overflow-wrap:anywhere}table.results td.long{min-width:18rem}
.figures{display:flex;flex-wrap:wrap;gap:0.5rem 1.5rem;list-style:none;padding:0}
.figures li{margin:0}.figures strong{font-size:1.3rem;display:block}
.quote blockquote{font-size:1.1rem;border-left-color:#0645ad;margin:0.1rem 0 0.6rem}
.quote blockquote::before{content:"“"}.quote blockquote::after{content:"”"}
.paraphrase p{border-left:3px dashed #999;padding-left:0.75rem;margin:0.1rem 0 0.6rem;font-style:italic}
.tag{display:inline-block;font-size:0.75rem;font-style:normal;text-transform:uppercase;letter-spacing:0.04em;
background:#eef;color:#223;border-radius:3px;padding:0 0.35rem;margin-right:0.4rem}
.stance{font-weight:600;border-radius:3px;padding:0 0.35rem}
.stance-opposes{background:#fde2e1;color:#8a1c1c}.stance-supports{background:#dff3e3;color:#1c5e2b}
.stance-neutral{background:#eee;color:#333}.stance-calls_for{background:#e1ecfd;color:#1c3f8a}
.chart{width:100%;height:auto;max-width:100%;border:1px solid #eee}
.chart .axis{stroke:#999}.chart text{font-size:11px;fill:#444}
.chart .pt{fill:#0645ad;stroke:#fff;stroke-width:1}.chart .pt.paraphrased{fill:#7a9bd6}
.chart .pos{stroke:#fff;stroke-width:1}.chart .pos-opposes{fill:#c0392b}.chart .pos-supports{fill:#2e8b57}
.chart .pos-neutral{fill:#888}.chart .pos-calls_for{fill:#2c5fb3}
.chart a:focus .pt,.chart a:focus .pos,.chart a:hover .pt,.chart a:hover .pos{stroke:#f0a000;stroke-width:3}
textarea{width:100%;box-sizing:border-box;font:14px/1.4 ui-monospace,Menlo,Consolas,monospace;padding:0.5rem}
textarea.citation{font:inherit;font-size:0.95rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:0.5rem}
.error{border:1px solid #c0392b;background:#fdeeee;padding:0.5rem}
@media (max-width:40rem){th{width:auto}body{font-size:15px}h1{font-size:1.35rem}}
"""
CSP = ("default-src 'self'; style-src 'sha256-"
       + base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
       + "'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""The pages' Content-Security-Policy: this server's own resources and the one inline stylesheet."""


_TWINS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))
_TWIN_TYPES = {"json": "application/json", "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
               "rdf": "application/rdf+xml"}


@dataclass(frozen=True)
class Linker:
    """Where a link to an IRI points on this server (``root``: the app's mount path)."""

    iris: Iris
    root: str = ""

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.iris.base) and len(iri) > len(self.iris.base):
            return f"{self.root}/id/{iri[len(self.iris.base):]}"
        if iri.startswith(PK) and len(iri) > len(PK):
            return f"{self.root}/ontology#{iri[len(PK):]}"
        slug = self.iris.source_slug_of_graph(iri)
        if slug is not None and iri != self.iris.meta_graph:
            return f"{self.root}/dumps/{slug}.trig"
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def link(self, iri: str, text: str) -> str:
        href = self.href(iri)
        if href is None:
            return escape(text)
        return f'<a href="{escape(href)}">{escape(text)}</a>'

    def path(self, *parts: str) -> str:
        return self.root + "/" + "/".join(parts)


def _page(title: str, body: str, linker: Linker, *, alternates: Sequence[tuple[str, str]] = (),
          head: str = "") -> str:
    """A whole page: ``head`` is more markup for ``<head>`` (already escaped: JSON-LD, a script)."""
    links = "".join(f'\n<link rel="alternate" type="{escape(media)}" href="{escape(href)}">'
                    for href, media in alternates)
    home = f'<a class="home" href="{escape(linker.root or "/")}">policykg</a> '
    nav = home + " ".join(f'<a href="{escape(linker.path(p))}">{escape(t)}</a>' for p, t in (
        ("search", "search"), ("query", "query"), ("void", "dataset"), ("ontology", "ontology"),
        ("sparql", "SPARQL"), ("docs", "API")))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · policykg</title>{links}
<link rel="icon" type="image/svg+xml" href="{escape(linker.path('static', 'favicon.svg'))}">
<style>{_CSS}</style>{head}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="policykg">{nav}</nav></header>
<main id="main">
{body}
</main>
<footer><p>policykg data, licensed <a href="{LICENSE[0]}" rel="license">{LICENSE[1]}</a>.
Download everything: <a href="{escape(linker.path('dumps', 'policykg.trig'))}">TriG</a>,
<a href="{escape(linker.path('dumps', 'policykg.nq'))}">N-Quads</a>.</p></footer>
</body>
</html>
"""


def _literal(term: Literal) -> str:
    text = escape(term.value)
    if term.language:
        return f'<span lang="{escape(term.language)}">{text}</span>'
    return text


def _term(term: object, description: Description, linker: Linker, *, depth: int = 0) -> str:
    if isinstance(term, Literal):
        return _literal(term)
    if isinstance(term, NamedNode):
        return linker.link(term.value, _name(description, term.value, linker))
    if isinstance(term, BlankNode) and depth < 3:  # a nested table; blank nodes may form cycles
        inner = _properties(description, term, linker, depth=depth + 1)
        return inner or escape(str(term))
    return escape(str(term))


def _name(description: Description, iri: str, linker: Linker) -> str:
    """A thing's label or summary, an ontology term's label, else its path under the base."""
    found = description.summary(iri) or term_labels().get(iri)
    if found:
        return found
    if iri.startswith(linker.iris.base):
        return iri[len(linker.iris.base):]
    return description.name(NamedNode(iri))


def _predicate_name(iri: str) -> str:
    return term_labels().get(iri) or vocabulary().field_of(iri)


def _properties(description: Description, subject: NamedNode | BlankNode, linker: Linker, *,
                depth: int = 0) -> str:
    rows: dict[str, list[object]] = {}
    for triple in description:
        if triple.subject == subject:
            rows.setdefault(triple.predicate.value, []).append(triple.object)
    if not rows:
        return ""

    def order(predicate: str) -> tuple[int, str]:
        rank = _FIRST.index(predicate) if predicate in _FIRST else len(_FIRST)
        return rank, _predicate_name(predicate).lower()

    out = ["<table>", "<tbody>"]
    for predicate in sorted(rows, key=order):
        values = sorted(rows[predicate], key=lambda v: (str(v) if not isinstance(v, Literal) else v.value))
        name = linker.link(predicate, _predicate_name(predicate))
        cells = [_term(v, description, linker, depth=depth) for v in values]
        cell = cells[0] if len(cells) == 1 else "<ul>" + "".join(f"<li>{c}</li>" for c in cells) + "</ul>"
        if predicate == PK + "quote":
            cell = "".join(f"<blockquote>{c}</blockquote>" for c in cells)
        out.append(f'<tr><th scope="row">{name}</th><td>{cell}</td></tr>')
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _first(description: Description, subject: str, local: str) -> object | None:
    found = description.values(subject, NamedNode(PK + local))
    return found[0] if found else None


def _relations(description: Description) -> dict[str, str]:
    """Subject IRI → how it links to the entity (``speaker, about``), escaped."""
    names: dict[str, set[str]] = {}
    for triple in description.incoming():
        names.setdefault(str(triple.subject.value), set()).add(_predicate_name(triple.predicate.value))
    return {subject: ", ".join(escape(n) for n in sorted(found)) for subject, found in names.items()}


def _statement_item(description: Description, subject: str, linker: Linker, relations: dict[str, str]) -> str:
    date = _first(description, subject, "date")
    speaker = _first(description, subject, "speaker")
    behalf = _first(description, subject, "onBehalfOf")
    head = linker.link(subject, date.value if isinstance(date, Literal) else _name(description, subject, linker))
    if isinstance(speaker, NamedNode):
        head += " — " + _term(speaker, description, linker)
    if isinstance(behalf, NamedNode) and behalf != speaker:
        head += " (on behalf of " + _term(behalf, description, linker) + ")"
    body = "".join(f"<blockquote>{_literal(q)}</blockquote>"
                   for q in description.values(subject, NamedNode(PK + "quote")) if isinstance(q, Literal))
    if not body:
        body = "".join(f"<p>{_literal(p)}</p>" for p in description.values(subject, NamedNode(PK + "paraphrase"))
                       if isinstance(p, Literal))
    return (f'<li><p>{head} <span class="muted">· links here as {relations[subject]}</span></p>'
            f"{body}</li>")


def _position_item(description: Description, subject: str, linker: Linker, relations: dict[str, str]) -> str:
    parts = [_term(v, description, linker) for v in (
        _first(description, subject, "holder"), _first(description, subject, "stance"),
        _first(description, subject, "target")) if v is not None]
    when = [f"{label} {escape(v.value)}" for label, v in (
        ("since", _first(description, subject, "since")), ("until", _first(description, subject, "until")))
        if isinstance(v, Literal)]
    extra = f' <span class="muted">{", ".join(when)}</span>' if when else ""
    return (f"<li>{' '.join(parts) or escape(_name(description, subject, linker))}{extra} — "
            f"{linker.link(subject, 'position')} "
            f'<span class="muted">· links here as {relations[subject]}</span></li>')


def _date_key(description: Description, subject: str) -> tuple[str, str]:
    date = _first(description, subject, "date") or _first(description, subject, "since")
    return (date.value if isinstance(date, Literal) else "9999", subject)


def entity_page(description: Description, linker: Linker, *, twin: str, sections: Sequence[str] = (),
                head: str = "") -> str:
    """The HTML page of one entity; ``twin`` is the path of its twins without extension
    (``/id/actor/china``). ``sections`` (rendered HTML, :mod:`api.pages`) replace the generic
    lists of what links here, and the properties table follows them; ``head`` goes in ``<head>``."""
    iri = description.iri
    node = NamedNode(iri)
    title = description.title()
    types = [linker.link(t, term_labels().get(t) or description.name(NamedNode(t)))
             for t in description.types()]
    twins = (("json", "JSON"), *_TWINS)
    alternates = [(f"{twin}.{ext}", _TWIN_TYPES[ext]) for ext, _ in twins]
    formats = " · ".join(f'<a href="{escape(twin)}.{ext}" type="{_TWIN_TYPES[ext]}">{name}</a>'
                         for ext, name in twins)
    parts = [
        "<article>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="kind">{", ".join(types) or "resource"}</p>',
        f'<p class="iri"><code>{escape(iri)}</code></p>',
        f'<p class="muted">Also as {formats}.</p>',
        *sections,
        '<section aria-labelledby="properties">',
        f'<h2 id="properties">{"All properties" if sections else "Properties"}</h2>',
        f'<div class="scroll">{_properties(description, node, linker)}</div>',
        "</section>",
    ]
    if sections:
        parts += [*_source_downloads(iri, linker), "</article>"]
        return _page(title, "\n".join(p for p in parts if p), linker, alternates=alternates, head=head)
    subjects = list(dict.fromkeys(t.subject.value for t in description.incoming()
                                  if isinstance(t.subject, NamedNode)))
    statements = sorted((s for s in subjects if STATEMENT in description.types(s)),
                        key=lambda s: _date_key(description, s))
    positions = sorted((s for s in subjects if POSITION in description.types(s)),
                       key=lambda s: _date_key(description, s))
    others = [s for s in subjects if s not in statements and s not in positions]
    relations = _relations(description)
    if statements:
        parts += ['<section aria-labelledby="statements">',
                  f'<h2 id="statements">Statements ({len(statements)})</h2>', "<ol>",
                  *(_statement_item(description, s, linker, relations) for s in statements), "</ol>", "</section>"]
    if positions:
        parts += ['<section aria-labelledby="positions">',
                  f'<h2 id="positions">Positions ({len(positions)})</h2>', "<ul>",
                  *(_position_item(description, s, linker, relations) for s in positions), "</ul>", "</section>"]
    if others:
        rows = [f"<tr><td>{linker.link(s, _name(description, s, linker))}</td>"
                f"<td>{relations[s]}</td></tr>" for s in others]
        parts += ['<section aria-labelledby="linked">', '<h2 id="linked">Linked from</h2>',
                  "<table><thead><tr><th scope=\"col\">what</th><th scope=\"col\">links here as</th></tr></thead>",
                  "<tbody>", *rows, "</tbody></table>", "</section>"]
    if description.incoming_total > len(subjects):
        parts.append(f'<p class="muted">Showing {len(subjects)} of the {description.incoming_total} '
                     "things that link here; the SPARQL endpoint has them all.</p>")
    parts += _source_downloads(iri, linker)
    parts.append("</article>")
    return _page(title, "\n".join(p for p in parts if p), linker, alternates=alternates)


def _source_downloads(iri: str, linker: Linker) -> list[str]:
    if not iri.startswith(linker.iris.base + "source/"):
        return []
    slug = iri[len(linker.iris.base + "source/"):]
    downloads = " · ".join(f'<a href="{escape(linker.path("dumps", f"{slug}.{ext}"))}">{name}</a>'
                           for ext, name in (("trig", "TriG"), ("nq", "N-Quads"), ("ttl", "Turtle"),
                                             ("jsonld", "JSON-LD")))
    return ['<section aria-labelledby="downloads">', '<h2 id="downloads">Download this source</h2>',
            f"<p>{downloads}</p>", "</section>"]


def ontology_page(terms: Iterable[OntologyTerm], linker: Linker, *, header: dict[str, str]) -> str:
    """The HTML page of the ontology: every ``pk:`` term with its label and definition, anchored
    by local name (``/ontology#Statement``)."""
    by_kind: dict[str, list[OntologyTerm]] = {}
    for term in terms:
        by_kind.setdefault(term.kind, []).append(term)
    twins = " · ".join(f'<a href="{escape(linker.path("ontology"))}.{ext}" type="{_TWIN_TYPES[ext]}">{name}</a>'
                       for ext, name in _TWINS)
    parts = [f"<h1>{escape(header.get('title', 'policykg ontology'))}</h1>",
             f'<p class="iri"><code>{escape(header.get("iri", ""))}</code> · version '
             f"{escape(header.get('version', ''))} · prefix <code>pk:</code></p>",
             f"<p>{escape(header.get('description', ''))}</p>",
             f'<p class="muted">Also as {twins}; the SHACL shapes at '
             f'<a href="{escape(linker.path("shapes"))}">/shapes</a>.</p>']
    for kind in KIND_ORDER:
        if kind not in by_kind:
            continue
        plural = kind[:-1] + "ies" if kind.endswith("y") else kind + ("es" if kind.endswith("s") else "s")
        anchor = plural.replace(" ", "-")
        parts += [f'<section aria-labelledby="{anchor}">',
                  f'<h2 id="{anchor}">{escape(plural.capitalize())} ({len(by_kind[kind])})</h2>', "<dl>"]
        for term in by_kind[kind]:
            parts.append(f'<dt id="{escape(term.name)}"><a href="#{escape(term.name)}">{escape(term.name)}</a> '
                         f'<span class="muted">— {escape(term.label)}</span></dt>')
            parts.append(f"<dd>{escape(term.comment)}</dd>")
        parts += ["</dl>", "</section>"]
    alternates = [(f"{linker.path('ontology')}.{ext}", _TWIN_TYPES[ext]) for ext, _ in _TWINS]
    return _page(header.get("title", "policykg ontology"), "\n".join(parts), linker, alternates=alternates)
