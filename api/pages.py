"""The reader's pages: home, search, actor, resolution and policy measure, statement, source, query.

Server-rendered HTML built from the JSON of the REST lookups (:mod:`kg.lookups`, called in
process by :mod:`api.routes.ui`): every page reads fine without JavaScript. The timeline chart
is SVG drawn here, each point a link to its statement; the only script is the query editor's
(``/static/query.js``), served by policykg itself. Every text and attribute goes through
:func:`html.escape`.

>>> human_date("2024-07-01", "day"), human_date("2024-07", "month"), human_date("2024-07-01T10:00:00Z", None)
('1 July 2024', 'July 2024', '1 July 2024')
>>> json_script({"text": "</script><b>"})
'<script type="application/ld+json">{"text": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}</script>'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from api.html import Linker, _page

__all__ = ["actor_sections", "home_page", "human_date", "instrument_sections", "json_script", "query_page",
           "search_page", "source_sections", "statement_jsonld", "statement_sections"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
STANCES = {"supports": "supports", "opposes": "opposes", "neutral": "neutral", "calls_for": "calls for"}
Item = Mapping[str, Any]


# --- small pieces -------------------------------------------------------------------------------


def human_date(value: str | None, precision: str | None = None) -> str:
    """``2024-07-01`` as "1 July 2024" (or "July 2024", "2024" by ``precision``); text otherwise."""
    if not value:
        return "undated"
    text = str(value)
    parts = text[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
    except ValueError:
        return text
    if precision == "year" or month is None:
        return str(year)
    if not 1 <= month <= 12:
        return text
    if precision == "month" or day is None:
        return f"{MONTHS[month - 1]} {year}"
    return f"{day} {MONTHS[month - 1]} {year}"


def json_script(data: Any) -> str:
    """A JSON-LD data block (not executed), safe to embed: ``<``, ``>`` and ``&`` as escapes."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def _ref(linker: Linker, value: Any) -> str:
    """A reference ``{"id", "label"}`` as a link (its label, else its IRI's end)."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        iri = str(value.get("id", ""))
        return linker.link(iri, str(value.get("label") or iri.rsplit("/", 1)[-1]))
    return escape(str(value))


def _refs(linker: Linker, values: Any) -> str:
    values = _list(values)
    return ", ".join(_ref(linker, v) for v in values) if values else ""


def _list(values: Any) -> list[Any]:
    if values is None:
        return []
    return list(values) if isinstance(values, list | tuple) else [values]


def _stance(stance: Any) -> str:
    name = str(stance or "")
    return f'<span class="stance stance-{escape(name)}">{escape(STANCES.get(name, name or "unknown"))}</span>'


def _section(anchor: str, heading: str, body: str) -> str:
    return (f'<section aria-labelledby="{escape(anchor)}">\n<h2 id="{escape(anchor)}">{heading}</h2>\n'
            f"{body}\n</section>")


def _words(statement: Item) -> str:
    """The statement's words: each quote verbatim in a blockquote, the paraphrase marked as such."""
    out = []
    for text in _list(statement.get("quote")):
        out.append(f'<div class="quote" lang="en"><span class="tag">quote</span>'
                   f"<blockquote>{escape(str(text))}</blockquote></div>")
    for text in _list(statement.get("paraphrase")):
        out.append(f'<div class="paraphrase" lang="en"><span class="tag">paraphrase</span>'
                   f"<p>{escape(str(text))}</p></div>")
    return "".join(out)


def _speaker_line(linker: Linker, statement: Item) -> str:
    speaker = statement.get("speaker")
    line = _ref(linker, speaker) if speaker else "unknown speaker"
    speaker_id = speaker.get("id") if isinstance(speaker, Mapping) else None
    behalf = [b for b in _list(statement.get("onBehalfOf")) if not isinstance(b, Mapping) or b.get("id") != speaker_id]
    if behalf:
        line += " on behalf of " + _refs(linker, behalf)
    return line


def _statement_item(linker: Linker, statement: Item) -> str:
    date = human_date(statement.get("date"), statement.get("datePrecision"))
    about = _refs(linker, statement.get("about"))
    about_line = f' <span class="muted">· about {about}</span>' if about else ""
    retracted = ' <span class="tag">retracted</span>' if statement.get("retracted") else ""
    return (f'<li><p>{linker.link(str(statement["id"]), date)} — {_speaker_line(linker, statement)}'
            f"{about_line}{retracted}</p>{_words(statement)}</li>")


def _statement_list(linker: Linker, page: Item, what: str) -> str:
    items = page.get("items", [])
    if not items:
        return f'<p class="muted">No {escape(what)} recorded.</p>'
    more = (f'<p class="muted">Showing {len(items)} of {int(page["total"])}.</p>'
            if page.get("total", 0) > len(items) else "")
    return "<ol>" + "".join(_statement_item(linker, s) for s in items) + "</ol>" + more


def _evidence(linker: Linker, position: Item) -> str:
    rows = []
    for statement in _list(position.get("evidence")):
        if not isinstance(statement, Mapping):
            continue
        date = human_date(statement.get("date"), statement.get("datePrecision"))
        rows.append(f'<li>{linker.link(str(statement.get("id", "")), date)} — {_speaker_line(linker, statement)}'
                    f"{_words(statement)}</li>")
    return "<ul>" + "".join(rows) + "</ul>" if rows else '<span class="muted">none recorded</span>'


def _period(item: Item) -> str:
    since, until = item.get("since"), item.get("until")
    precision = item.get("datePrecision")
    if since and until:
        return f"{human_date(since, precision)} – {human_date(until, precision)}"
    if since:
        return f"since {human_date(since, precision)}"
    if until:
        return f"until {human_date(until, precision)}"
    return ""


def _dl(rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<dt>{escape(name)}</dt><dd>{value}</dd>" for name, value in rows if value)
    return f"<dl>{body}</dl>" if body else ""


def _twins_line(linker: Linker, path: str, twins: Sequence[tuple[str, str]]) -> str:
    return " · ".join(f'<a href="{escape(linker.root + path + "." + ext)}">{escape(name)}</a>' for ext, name in twins)


# --- home and search ----------------------------------------------------------------------------


def _search_form(linker: Linker, q: str = "") -> str:
    return (f'<form class="search" role="search" method="get" action="{escape(linker.path("search"))}">'
            '<label for="q" class="skip">Search actors, statements, resolutions and policy measures</label>'
            f'<input type="search" id="q" name="q" value="{escape(q)}" maxlength="1000" '
            'placeholder="a name, a word of a quote, a resolution symbol…">'
            "<button type=\"submit\">Search</button></form>")


def home_page(figures: Mapping[str, int], sources: Sequence[Item], linker: Linker) -> str:
    """The front page: one search box, what the graph holds, the latest sources."""
    names = (("actors", "actors"), ("statements", "statements"), ("positions", "positions"),
             ("resolutions", "resolutions"), ("measures", "policy measures"), ("sources", "sources"),
             ("quads", "quads"))
    counts = "".join(f"<li><strong>{int(figures[key]):,}</strong> {escape(text)}</li>"
                     for key, text in names if key in figures)
    latest = "".join(
        f'<li>{linker.link(str(s["id"]), str(s.get("title") or s.get("label") or s["id"]))} '
        f'<span class="muted">· {escape(human_date(s.get("issued")))}'
        f'{" · " + _ref(linker, s["publisher"][0]) if s.get("publisher") else ""}</span></li>'
        for s in sources)
    entries = (
        ("query", "Query page", "the cookbook's example queries, one click away, and an editor"),
        ("sparql", "SPARQL endpoint", "SPARQL 1.1 Protocol; without a query it describes itself"),
        ("docs", "REST API", "actors, statements, positions, resolutions, sources, timelines (OpenAPI)"),
        ("void", "Dataset description", "VoID and DCAT: size, classes, dumps, licence"),
        ("ontology", "Ontology", "the pk: vocabulary"),
        ("dumps/policykg.trig", "Dump", "the whole graph with its named graphs (TriG)"),
    )
    items = "".join(f'<li><a href="{escape(linker.path(path))}">{escape(title)}</a>: {escape(text)}</li>'
                    for path, title, text in entries)
    body = "\n".join([
        "<h1>policykg</h1>",
        "<p>A knowledge graph of policy claims: who said what, when, on whose behalf, about which "
        "resolution or policy — each fact traceable to its source.</p>",
        _search_form(linker),
        _section("figures", "What it holds", f'<ul class="figures">{counts}</ul>'),
        _section("latest", "Latest sources", f"<ol>{latest}</ol>" if latest else '<p class="muted">None yet.</p>'),
        _section("more", "More", f"<ul>{items}</ul>"),
    ])
    return _page("policykg", body, linker, alternates=[(linker.path("sources"), "application/json")])


def search_page(q: str, found: Mapping[str, Item], linker: Linker) -> str:
    """Results of the home page's search: actors, statements (their words), resolutions and
    policy measures; ``found`` maps each to a list answer (``items``, ``total``)."""
    parts = ["<h1>Search</h1>", _search_form(linker, q)]
    if not q:
        parts.append('<p class="muted">Type a name (Fu Cong, China), a word said (sanctions), or a '
                     "resolution's symbol (78/311).</p>")
        return _page("Search", "\n".join(parts), linker)
    total = sum(int(page["total"]) for page in found.values())
    parts.append(f'<p role="status">{total} result(s) for “{escape(q)}”.</p>')
    actors = found["actors"]["items"]
    parts.append(_section("actors", f"Actors ({int(found['actors']['total'])})", "<ul>" + "".join(
        f'<li>{linker.link(str(a["id"]), str(a.get("label") or a["id"]))} '
        f'<span class="muted">{escape(", ".join(str(t) for t in _list(a.get("type"))))}'
        f'{" · also " + escape(", ".join(map(str, _list(a.get("altLabel"))))) if a.get("altLabel") else ""}'
        "</span></li>" for a in actors) + "</ul>" if actors else '<p class="muted">No actor.</p>'))
    parts.append(_section("statements", f"Statements ({int(found['statements']['total'])})",
                          _statement_list(linker, found["statements"], "statement")))
    instruments = found["instruments"]["items"]
    parts.append(_section("instruments", f"Resolutions and policy measures ({int(found['instruments']['total'])})",
                          "<ul>" + "".join(
                              f'<li>{linker.link(str(i["id"]), str(i.get("label") or i["id"]))} '
                              f'<span class="muted">{escape(str(i.get("kind", "")))}</span></li>'
                              for i in instruments) + "</ul>" if instruments
                          else '<p class="muted">No resolution or policy measure.</p>'))
    json_url = linker.path("actors") + "?" + urlencode({"q": q})
    statements_url = linker.path("statements") + "?" + urlencode({"q": q})
    parts.append(f'<p class="muted">As JSON: <a href="{escape(json_url)}">actors</a> · '
                 f'<a href="{escape(statements_url)}">statements</a>.</p>')
    return _page(f"Search: {q}", "\n".join(parts), linker)


# --- actor --------------------------------------------------------------------------------------


def actor_sections(actor: Item, timeline: Item, positions: Item, statements: Item, linker: Linker,
                   *, slug: str, shown: Sequence[Item] = ()) -> list[str]:
    """An actor's page: who it is, roles over time, the timeline (chart and list), positions by
    target with their evidence (its own, and ``shown``: those of the actors it spoke for that its
    words are evidence of), and on whose behalf it spoke (and who spoke for it)."""
    about = _dl([
        ("Also known as", escape(", ".join(map(str, _list(actor.get("altLabel")))))),
        ("Same as", ", ".join(f'<a href="{escape(str(u))}" rel="external">{escape(str(u))}</a>'
                              for u in _list(actor.get("sameAs")) if str(u).startswith(("http://", "https://")))),
        ("Part of", _refs(linker, actor.get("subOrganizationOf"))),
        ("Statements", f'{int(actor.get("statementCount", 0))} made by or for it'),
        ("Positions", f'{int(actor.get("positionCount", 0))} held'),
    ])
    rest = (f'<p class="muted">As JSON: <a href="{escape(linker.path("actors", slug))}">the actor</a> · '
            f'<a href="{escape(linker.path("actors", slug, "statements"))}">its statements</a> · '
            f'<a href="{escape(linker.path("actors", slug, "positions"))}">its positions</a> · '
            f'<a href="{escape(linker.path("timeline") + "?" + urlencode({"actor": slug}))}">its timeline</a>.</p>')
    return [
        _section("about", "About", about + rest),
        _section("roles", "Roles over time", _roles(linker, actor)),
        _section("timeline", f"Timeline ({int(timeline.get('total', 0))})", _timeline(linker, timeline)),
        _section("positions", f"Positions by target ({int(positions.get('total', 0))})",
                 _positions_by_target(linker, positions) + _shown(linker, shown)),
        _section("behalf", "On whose behalf", _behalf(linker, actor, statements)),
    ]


def _roles(linker: Linker, actor: Item) -> str:
    def rows(memberships: Sequence[Item], who: str) -> str:
        return "".join(
            f'<tr><td>{_ref(linker, m.get(who))}</td><td>{_ref(linker, m.get("role")) if m.get("role") else ""}</td>'
            f'<td>{escape(human_date(m.get("startDate"), m.get("datePrecision"))) if m.get("startDate") else ""}</td>'
            f'<td>{escape(human_date(m.get("endDate"), m.get("datePrecision"))) if m.get("endDate") else "—"}</td></tr>'
            for m in sorted(memberships, key=lambda m: str(m.get("startDate") or "")))
    out = []
    head = '<thead><tr><th scope="col">{}</th><th scope="col">role</th><th scope="col">from</th><th scope="col">to</th></tr></thead>'
    if actor.get("memberships"):
        out.append('<div class="scroll"><table class="grid">' + head.format("organization")
                   + f"<tbody>{rows(actor['memberships'], 'organization')}</tbody></table></div>")
    if actor.get("members"):
        out.append("<h3>Its members</h3>" + '<div class="scroll"><table class="grid">' + head.format("member")
                   + f"<tbody>{rows(actor['members'], 'member')}</tbody></table></div>")
    return "".join(out) or '<p class="muted">No role recorded.</p>'


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _timeline(linker: Linker, timeline: Item) -> str:
    items = list(timeline.get("items", []))
    if not items:
        return '<p class="muted">Nothing dated yet.</p>'
    chart = timeline_chart(linker, items)
    months: dict[str, list[str]] = {}
    for item in items:
        is_position = "Position" in _list(item.get("type"))
        when = item.get("since") if is_position else item.get("date")
        month = human_date(when, "month") if when else "undated"
        if is_position:
            entry = (f'<li>{linker.link(str(item["id"]), "Position")}: {_ref(linker, item.get("holder"))} '
                     f'{_stance(item.get("stance"))} {_ref(linker, item.get("target"))} '
                     f'<span class="muted">{escape(_period(item))}</span></li>')
        else:
            entry = _statement_item(linker, item)
        months.setdefault(month, []).append(entry)
    listing = "".join(f'<h3>{escape(month)}</h3><ol class="timeline">{"".join(entries)}</ol>'
                      for month, entries in months.items())
    more = (f'<p class="muted">Showing {len(items)} of {int(timeline["total"])}.</p>'
            if timeline.get("total", 0) > len(items) else "")
    return chart + more + listing


def timeline_chart(linker: Linker, items: Sequence[Item]) -> str:
    """An SVG chart of dated statements (circles) and positions (diamonds, coloured by stance)
    on a time axis; points on the same day are stacked; each is a link with a title."""
    points = []
    for item in items:
        is_position = "Position" in _list(item.get("type"))
        day = _day(item.get("since") if is_position else item.get("date"))
        if day is not None:
            points.append((day, is_position, item))
    if not points:
        return ""
    first, last = min(p[0] for p in points), max(p[0] for p in points)
    actual = (last - first).days
    span = max(actual, 30)  # a month at least, centred on the points
    margin = dt.timedelta(days=(span - actual) // 2 + span // 10 + 1)
    start, end = first - margin, last + margin
    width, left, right, step = 720, 20, 20, 14
    stacks: dict[tuple[dt.date, bool], int] = {}
    for day, is_position, _ in points:
        stacks[(day, is_position)] = stacks.get((day, is_position), 0) + 1
    lane = max([count for (day, pos), count in stacks.items() if not pos] + [1]) * step + 10
    plane = max([count for (day, pos), count in stacks.items() if pos] + [0]) * step + (10 if any(
        pos for _, pos in stacks) else 0)
    top = 24
    axis_y = top + lane + plane + 6
    height = axis_y + 34

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - start).days / max((end - start).days, 1)

    marks = []
    seen: dict[tuple[dt.date, bool], int] = {}
    for day, is_position, item in sorted(points, key=lambda p: (p[0], p[1], str(p[2].get("id")))):
        index = seen[(day, is_position)] = seen.get((day, is_position), 0) + 1
        cx = round(x(day), 1)
        href = escape(linker.href(str(item["id"])) or "#")
        if is_position:
            cy = top + lane + plane - index * step + step / 2
            stance = str(item.get("stance") or "")
            label = (f"{human_date(item.get('since'), item.get('datePrecision'))}: position, "
                     f"{(item.get('holder') or {}).get('label', '')} {STANCES.get(stance, stance)} "
                     f"{(item.get('target') or {}).get('label', '')}")
            shape = (f'<path class="pos pos-{escape(stance)}" d="M{cx} {cy - 6}L{cx + 6} {cy}L{cx} {cy + 6}'
                     f'L{cx - 6} {cy}Z"/>')
        else:
            cy = top + lane - index * step + step / 2
            words = (_list(item.get("quote")) or _list(item.get("paraphrase")) or [""])[0]
            words = str(words) if len(str(words)) <= 90 else str(words)[:89] + "…"
            speaker = (item.get("speaker") or {}).get("label", "")
            label = f"{human_date(item.get('date'), item.get('datePrecision'))}: {speaker} — {words}"
            kind = "pt" if item.get("quote") else "pt paraphrased"
            shape = f'<circle class="{kind}" cx="{cx}" cy="{cy}" r="5.5"/>'
        marks.append(f'<a href="{href}" aria-label="{escape(label)}"><title>{escape(label)}</title>{shape}</a>')
    ticks = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            tx = round(x(month), 1)
            ticks.append(f'<line class="axis" x1="{tx}" y1="{axis_y}" x2="{tx}" y2="{axis_y + 5}"/>'
                         f'<text x="{tx}" y="{axis_y + 18}" text-anchor="middle">{MONTHS[month.month - 1][:3]} '
                         f"{month.year}</text>")
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    legend = (f'<text x="{left}" y="14">● statement (pale: paraphrase only)'
              f'{"   ◆ position, by stance" if plane else ""}</text>')
    return (f'<figure><svg class="chart" viewBox="0 0 {width} {height}" role="group" '
            f'aria-label="Timeline: {len(points)} dated statement(s) and position(s); each point links to it">'
            f"{legend}"
            f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}"/>'
            f'{"".join(ticks)}{"".join(marks)}</svg>'
            f'<figcaption class="muted">From {escape(human_date(first.isoformat()))} to '
            f"{escape(human_date(last.isoformat()))}. Each point is a link; the list below has the same "
            "items.</figcaption></figure>")


def _position_row(linker: Linker, position: Item, *, holder: bool) -> str:
    first = _ref(linker, position.get("holder")) if holder else _ref(linker, position.get("target"))
    return (f"<tr><td>{first}</td><td>{_stance(position.get('stance'))}</td>"
            f"<td>{escape(_period(position))}</td><td>{_evidence(linker, position)}</td>"
            f"<td>{linker.link(str(position['id']), 'position')}</td></tr>")


def _positions_by_target(linker: Linker, positions: Item) -> str:
    items = positions.get("items", [])
    if not items:
        return '<p class="muted">No position recorded.</p>'
    ordered = sorted(items, key=lambda p: (str((p.get("target") or {}).get("label", "")), str(p.get("since") or "")))
    return ('<div class="scroll"><table class="grid"><thead><tr><th scope="col">target</th>'
            '<th scope="col">stance</th><th scope="col">when</th><th scope="col">evidence</th>'
            '<th scope="col">record</th></tr></thead><tbody>'
            + "".join(_position_row(linker, p, holder=False) for p in ordered) + "</tbody></table></div>")


def _shown(linker: Linker, shown: Sequence[Item]) -> str:
    if not shown:
        return ""
    ordered = sorted(shown, key=lambda p: (str((p.get("holder") or {}).get("label", "")),
                                           str((p.get("target") or {}).get("label", ""))))
    return ('<h3 id="shown">Positions its words are evidence of</h3><div class="scroll"><table class="grid">'
            '<thead><tr><th scope="col">holder</th><th scope="col">stance</th><th scope="col">target</th>'
            '<th scope="col">when</th><th scope="col">evidence</th></tr></thead><tbody>'
            + "".join(f"<tr><td>{_ref(linker, p.get('holder'))}</td><td>{_stance(p.get('stance'))}</td>"
                      f"<td>{_ref(linker, p.get('target'))}</td><td>{escape(_period(p))}</td>"
                      f"<td>{_evidence(linker, p)}</td></tr>" for p in ordered)
            + "</tbody></table></div>")


def _behalf(linker: Linker, actor: Item, statements: Item) -> str:
    own = str(actor.get("id"))
    spoke_for: dict[str, list[Any]] = {}
    spoken_by: dict[str, list[Any]] = {}
    for statement in statements.get("items", []):
        speaker = statement.get("speaker") or {}
        if speaker.get("id") == own:
            for behalf in _list(statement.get("onBehalfOf")):
                if isinstance(behalf, Mapping) and behalf.get("id") != own:
                    spoke_for.setdefault(str(behalf["id"]), []).append(behalf)
        elif any(isinstance(b, Mapping) and b.get("id") == own for b in _list(statement.get("onBehalfOf"))):
            spoken_by.setdefault(str(speaker.get("id")), []).append(speaker)
    out = []
    if spoke_for:
        out.append("<p>Spoke on behalf of: " + ", ".join(
            f"{_ref(linker, found[0])} ({len(found)} statement{'s' if len(found) != 1 else ''})"
            for found in spoke_for.values()) + "</p>")
    if spoken_by:
        out.append("<p>Spoken for by: " + ", ".join(
            f"{_ref(linker, found[0])} ({len(found)} statement{'s' if len(found) != 1 else ''})"
            for found in spoken_by.values()) + "</p>")
    return "".join(out) or '<p class="muted">No statement made on anyone else’s behalf.</p>'


# --- resolutions and policy measures ------------------------------------------------------------


def instrument_sections(facts: Sequence[tuple[str, str]], positions: Item, statements: Item,
                        linker: Linker, *, heading: str, rest: str) -> list[str]:
    """A resolution's or a measure's page: ``facts`` (name, rendered value) under ``heading``
    (adoption, or the measure itself), who stands where, the statements about it in date order."""
    items = sorted(positions.get("items", []), key=lambda p: (str(p.get("stance") or ""),
                                                              str((p.get("holder") or {}).get("label", ""))))
    table = ('<div class="scroll"><table class="grid"><thead><tr><th scope="col">actor</th>'
             '<th scope="col">stance</th><th scope="col">when</th><th scope="col">evidence</th>'
             '<th scope="col">record</th></tr></thead><tbody>'
             + "".join(_position_row(linker, p, holder=True) for p in items) + "</tbody></table></div>"
             if items else '<p class="muted">No position recorded.</p>')
    return [
        _section("adoption", escape(heading), _dl(facts) + rest),
        _section("positions", f"Who stands where ({int(positions.get('total', 0))})", table),
        _section("statements", f"Statements about it ({int(statements.get('total', 0))})",
                 _statement_list(linker, statements, "statement about it")),
    ]


def resolution_facts(resolution: Item, linker: Linker) -> list[tuple[str, str]]:
    count = resolution.get("sponsorCount")
    qualifier = {"moreThan": "more than ", "atLeast": "at least ", "about": "about ", "exactly": ""}.get(
        str(resolution.get("sponsorCountQualifier") or ""), "")
    binding = resolution.get("binding")
    return [
        ("Symbol", escape(str(resolution.get("symbol") or ""))),
        ("Title", escape(str(resolution.get("title") or ""))),
        ("Adopted by", _refs(linker, resolution.get("adoptedBy"))),
        ("Adopted on", escape(human_date(resolution.get("adoptedOn"))) if resolution.get("adoptedOn") else ""),
        ("Method", escape(str(resolution.get("adoptionMethod") or ""))),
        ("Lead sponsor", _refs(linker, resolution.get("leadSponsor"))),
        ("Sponsors", _refs(linker, resolution.get("sponsor"))),
        ("Number of sponsors", f"{qualifier}{int(count)}" if count is not None else ""),
        ("Binding", "" if binding is None else ("yes" if binding else "no")),
        ("Status", escape(str(resolution.get("status") or ""))),
        ("About", _refs(linker, resolution.get("about"))),
        ("Provisions", str(len(resolution.get("provisions", []))) if resolution.get("provisions") else ""),
    ]


# --- statement ----------------------------------------------------------------------------------


def statement_sections(statement: Item, source: Item | None, linker: Linker, *, url: str) -> list[str]:
    """A statement's page: the words (quote or paraphrase, distinguished), who, on whose behalf,
    when (with precision), about what, the positions it is evidence for, the source and a
    citation ready to copy."""
    date = statement.get("date")
    precision = statement.get("datePrecision")
    facts = _dl([
        ("Speaker", _ref(linker, statement.get("speaker")) if statement.get("speaker") else ""),
        ("On behalf of", _refs(linker, statement.get("onBehalfOf"))),
        ("Date", f'<time datetime="{escape(str(date))}">{escape(human_date(date, precision))}</time>'
                 f' <span class="muted">(precision: {escape(str(precision or "not given"))})</span>' if date else "undated"),
        ("About", _refs(linker, statement.get("about"))),
        ("Occasion", _refs(linker, statement.get("occasion"))),
        ("Addressed to", _refs(linker, statement.get("addressee"))),
        ("Curation", escape(str(statement.get("curationStatus") or ""))),
        ("Retracted", escape(str((statement.get("retracted") or {}).get("on", ""))) if statement.get("retracted") else ""),
    ])
    positions = _list(statement.get("evidenceFor"))
    shows = ("<ul>" + "".join(
        f'<li>{_ref(linker, p.get("holder"))} {_stance(p.get("stance"))} {_ref(linker, p.get("target"))} '
        f'— {linker.link(str(p.get("id")), "position")}</li>' for p in positions if isinstance(p, Mapping))
             + "</ul>") if positions else '<p class="muted">No position cites it.</p>'
    words = _words(statement) or '<p class="muted">No words recorded.</p>'
    kinds = []
    if statement.get("quote"):
        kinds.append("a quote is the speaker’s exact words as the source printed them")
    if statement.get("paraphrase"):
        kinds.append("a paraphrase is the source’s account, not the speaker’s words")
    note = f'<p class="muted">{escape("; ".join(kinds)).capitalize()}.</p>' if kinds else ""
    source_part = _source_facts(source, statement, linker)
    citation = cite_statement(statement, source, url=url)
    return [
        _section("words", "What was said", words + note),
        _section("who", "Who, when, about what", facts),
        _section("shows", "Evidence for", shows),
        _section("source", "Source", source_part
                 + '<p><label for="citation">Cite this statement</label></p>'
                 + f'<textarea id="citation" class="citation" rows="4" readonly>{escape(citation)}</textarea>'),
    ]


def _source_facts(source: Item | None, statement: Item, linker: Linker) -> str:
    if source is None:
        return f"<p>{_ref(linker, statement.get('source'))}</p>" if statement.get("source") else ""
    return _dl([
        ("Reported in", linker.link(str(source["id"]), str(source.get("title") or source.get("label") or source["id"]))),
        ("Publisher", _refs(linker, source.get("publisher"))),
        ("Published", escape(human_date(source.get("issued"))) if source.get("issued") else ""),
        ("At", "".join(f'<a href="{escape(str(u))}" rel="external">{escape(str(u))}</a>'
                       for u in _list(source.get("url")) if str(u).startswith(("http://", "https://")))),
    ])


def cite_statement(statement: Item, source: Item | None, *, url: str) -> str:
    """A plain-text citation: speaker (on behalf of), date, words, where reported, the permalink
    ``url`` (the statement's IRI)."""
    speaker = str((statement.get("speaker") or {}).get("label", "Unknown speaker"))
    behalf = [str(b.get("label")) for b in _list(statement.get("onBehalfOf"))
              if isinstance(b, Mapping) and b.get("label") and b.get("label") != speaker]
    who = speaker + (f" (on behalf of {', '.join(behalf)})" if behalf else "")
    quotes = _list(statement.get("quote"))
    words = " … ".join(f"“{q}”" for q in quotes) if quotes else (
        f"[paraphrase] {_list(statement.get('paraphrase'))[0]}" if statement.get("paraphrase") else "")
    when = human_date(statement.get("date"), statement.get("datePrecision"))
    reported = ""
    if source is not None:
        publisher = ", ".join(str(p.get("label")) for p in _list(source.get("publisher")) if isinstance(p, Mapping))
        title = str(source.get("title") or source.get("label") or "")
        reported = f" Reported by {publisher}{', ' if publisher else ''}“{title}”, {human_date(source.get('issued'))}."
    return f"{who}, {when}: {words}.{reported} policykg, statement {url}."


def statement_jsonld(statement: Item, source: Item | None, *, url: str) -> dict[str, Any]:
    """schema.org for search engines: a ``Quotation`` (a ``CreativeWork`` when only a paraphrase
    is recorded), spoken by the speaker, created on its date, based on its source."""
    speaker = statement.get("speaker") or {}
    quotes = _list(statement.get("quote"))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Quotation" if quotes else "CreativeWork",
        "@id": statement.get("id"),
        "url": url,
        "text": " … ".join(map(str, quotes)) if quotes else " ".join(map(str, _list(statement.get("paraphrase")))),
        "inLanguage": "en",
    }
    person = {"@id": speaker.get("id"), "name": speaker.get("label")}
    if quotes:
        data["spokenByCharacter"] = person
        data["creator"] = person
    else:
        data["about"] = [person]
    if statement.get("date"):
        data["dateCreated"] = str(statement["date"])
    about = [{"@id": a.get("id"), "name": a.get("label")} for a in _list(statement.get("about")) if isinstance(a, Mapping)]
    if about:
        data["about"] = data.get("about", []) + about
    if source is not None:
        based: dict[str, Any] = {"@type": "NewsArticle" if "NewsArticle" in _list(source.get("type")) else "CreativeWork",
                                 "@id": source.get("id"), "headline": source.get("title")}
        if source.get("issued"):
            based["datePublished"] = str(source["issued"])
        publishers = [{"@type": "Organization", "name": p.get("label")} for p in _list(source.get("publisher"))
                      if isinstance(p, Mapping)]
        if publishers:
            based["publisher"] = publishers[0]
        urls = [str(u) for u in _list(source.get("url"))]
        if urls:
            based["url"] = urls[0]
        data["isBasedOn"] = based
    elif statement.get("source"):
        data["isBasedOn"] = {"@id": statement["source"].get("id"), "name": statement["source"].get("label")}
    return data


# --- source -------------------------------------------------------------------------------------


def source_sections(source: Item, statements: Item, positions: Item, linker: Linker, *, slug: str) -> list[str]:
    """A source's page: what it is, when it was loaded, what it asserts (counts by class), its
    statements and positions, each linked."""
    facts = _dl([
        ("Title", escape(str(source.get("title") or ""))),
        ("Publisher", _refs(linker, source.get("publisher"))),
        ("Published", escape(human_date(source.get("issued"))) if source.get("issued") else ""),
        ("At", "".join(f'<a href="{escape(str(u))}" rel="external">{escape(str(u))}</a>'
                       for u in _list(source.get("url")) if str(u).startswith(("http://", "https://")))),
        ("Recorded", escape(str(source.get("recordedAt") or ""))),
        ("Loaded from", f'<code>{escape(str(source.get("loadedFrom")))}</code>' if source.get("loadedFrom") else ""),
        ("Triples", f'{int(source["tripleCount"]):,}' if source.get("tripleCount") is not None else ""),
    ])
    counts = source.get("counts") or {}
    asserts = ('<div class="scroll"><table class="grid"><thead><tr><th scope="col">class</th>'
               '<th scope="col">resources</th></tr></thead><tbody>'
               + "".join(f"<tr><td>{escape(str(name))}</td><td>{int(n)}</td></tr>" for name, n in sorted(counts.items()))
               + "</tbody></table></div>") if counts else ""
    sparql = linker.path("query") + "?" + urlencode({"query": str(source.get("query", ""))})
    links = (f'<p class="muted">Its whole graph: <a href="{escape(sparql)}">as a query</a> · as JSON: '
             f'<a href="{escape(linker.path("sources", slug))}">the source</a> · '
             f'<a href="{escape(linker.path("statements") + "?" + urlencode({"source": slug}))}">its statements</a> · '
             f'<a href="{escape(linker.path("positions") + "?" + urlencode({"source": slug}))}">its positions</a>.</p>')
    items = sorted(positions.get("items", []), key=lambda p: (str((p.get("holder") or {}).get("label", "")),
                                                              str((p.get("target") or {}).get("label", ""))))
    table = ('<div class="scroll"><table class="grid"><thead><tr><th scope="col">actor</th>'
             '<th scope="col">stance</th><th scope="col">target</th><th scope="col">when</th>'
             '<th scope="col">record</th></tr></thead><tbody>'
             + "".join(f"<tr><td>{_ref(linker, p.get('holder'))}</td><td>{_stance(p.get('stance'))}</td>"
                       f"<td>{_ref(linker, p.get('target'))}</td><td>{escape(_period(p))}</td>"
                       f"<td>{linker.link(str(p['id']), 'position')}</td></tr>" for p in items)
             + "</tbody></table></div>") if items else '<p class="muted">No position.</p>'
    return [
        _section("about", "The source", facts + links),
        _section("asserts", "What it asserts", asserts),
        _section("statements", f"Statements it reports ({int(statements.get('total', 0))})",
                 _statement_list(linker, statements, "statement")),
        _section("positions", f"Positions it records ({int(positions.get('total', 0))})", table),
    ]


# --- query --------------------------------------------------------------------------------------


def query_page(examples: Sequence[Mapping[str, str]], linker: Linker, *, query: str, chosen: str | None,
               result: Mapping[str, Any] | None, error: str | None, rest: str | None) -> str:
    """The query page: the cookbook's examples one click away, an editor, the answer as a table
    with download links and the equivalent REST call."""
    current = ' aria-current="true"'
    listing = "".join(
        f'<li><a href="{escape(linker.path("query") + "?" + urlencode({"example": e["name"]}))}"'
        f'{current if e["name"] == chosen else ""}>{escape(e["title"])}</a></li>'
        for e in examples)
    editor = (f'<form method="get" action="{escape(linker.path("query"))}" id="editor">'
              '<p><label for="query">SPARQL query</label> <span class="muted">(Ctrl+Enter runs it)</span></p>'
              f'<textarea id="query" name="query" rows="14" spellcheck="false" autocapitalize="off">'
              f"{escape(query)}</textarea>"
              '<p><button type="submit">Run</button></p></form>')
    parts = ["<h1>Query</h1>",
             "<p>Run SPARQL over the whole graph. Pick an example from the cookbook, change it, run it; "
             f'every answer can be downloaded. The endpoint itself is <a href="{escape(linker.path("sparql"))}">'
             "/sparql</a>.</p>",
             _section("examples", "Examples", f"<ol>{listing}</ol>" if listing else
                      '<p class="muted">The cookbook (docs/sparql.md) is not installed here.</p>'),
             _section("edit", "Editor", editor)]
    if error:
        parts.append(_section("answer", "Answer", f'<p class="error" role="alert">{escape(error)}</p>'))
    elif result is not None:
        parts.append(_section("answer", "Answer", _answer(linker, query, result, rest)))
    script = f'\n<script src="{escape(linker.path("static", "query.js"))}" defer></script>'
    return _page("Query", "\n".join(parts), linker, head=script)


def _answer(linker: Linker, query: str, result: Mapping[str, Any], rest: str | None) -> str:
    sparql = linker.path("sparql") + "?"
    if result.get("graph") is not None:
        downloads = " · ".join(f'<a href="{escape(sparql + urlencode({"query": query, "format": ext}))}">{name}</a>'
                               for ext, name in (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples")))
        body = f'<p>Download: {downloads}</p><pre>{escape(str(result["graph"]))}</pre>'
    elif "boolean" in result:
        body = f'<p role="status">The answer is <strong>{"yes" if result["boolean"] else "no"}</strong>.</p>'
    else:
        columns: list[str] = list(result.get("head", {}).get("vars", []))
        rows = result.get("results", {}).get("bindings", [])
        shown = rows[:1000]
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
        long = {c for c in columns if any(len(str((row.get(c) or {}).get("value", ""))) > 60
                                          and (row.get(c) or {}).get("type") != "uri" for row in shown)}
        cells = "".join("<tr>" + "".join(f'<td{" class=long" if c in long else ""}>{_cell(linker, row.get(c))}</td>'
                                         for c in columns) + "</tr>" for row in shown)
        count = f'<p role="status">{len(rows)} row(s)' + (f", the first {len(shown)} shown" if len(shown) < len(rows)
                                                         else "") + ".</p>"
        body = count + f'<div class="scroll"><table class="grid results"><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table></div>'
    downloads = " · ".join(f'<a href="{escape(sparql + urlencode({"query": query, "format": ext}))}" download>{name}</a>'
                           for ext, name in (("json", "JSON"), ("csv", "CSV"))) if result.get("graph") is None else ""
    more = []
    if downloads:
        more.append(f"<p>Download: {downloads}</p>")
    if rest:
        more.append(f'<p>The same question over REST: <a href="{escape(linker.root + rest)}"><code>GET {escape(rest)}</code></a></p>')
    more.append(f'<p class="muted">By hand: <code>curl {escape(linker.path("sparql"))} -H &#x27;Accept: text/csv&#x27; '
                f"--data-urlencode query@file.rq</code></p>")
    return body + "".join(more)


def _cell(linker: Linker, term: Mapping[str, Any] | None) -> str:
    if not term:
        return ""
    value = str(term.get("value", ""))
    if term.get("type") == "uri":
        href = linker.href(value)
        base = linker.iris.base
        shown = value[len(base):] if value.startswith(base) and len(value) > len(base) else value
        if not href:
            return escape(value)
        return f'<a href="{escape(href)}" title="{escape(value)}">{escape(shown)}</a>'
    if term.get("xml:lang"):
        return f'<span lang="{escape(str(term["xml:lang"]))}">{escape(value)}</span>'
    return escape(value)


def quote_path(text: str) -> str:
    return quote(text, safe="")
