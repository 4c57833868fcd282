"""The browser interface (docs/ui.md): every page over HTTP, then the reader's path in a real browser.

The HTTP tests read the pages as a browser without JavaScript would (httpx against a real
``policykg serve`` holding the bundled data). The browser tests drive Debian's Chromium
(``/usr/bin/chromium``, installed by ``make test``) with Playwright against that server: search
"Fu Cong", open the actor page, see the July 2024 statements on the timeline, follow one to the
Treasury rule, see China's opposition with its evidence; run an example on the query page and
see rows. No console error, and no request to any host but the server. Each page's screenshot
is written to ``docs/ui/`` (shown in ``docs/ui.md``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from api.html import CSP
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SHOTS = ROOT / "docs" / "ui"
SOURCE = "ap-2024-07-02-un-ai-resolutions"
RULE = "us-treasury-outbound-investment-rule"
OPPOSED = "We are firmly opposed to these sanctions"
#: The pages of docs/ui.md: name → path.
PAGES = {
    "home": "/",
    "search": "/search?q=Fu+Cong",
    "actor": "/id/actor/fu-cong",
    "state": "/id/actor/china",
    "resolution": "/id/resolution/a-res-78-311",
    "measure": f"/id/measure/{RULE}",
    "source": f"/id/source/{SOURCE}",
    "query": "/query?example=opponents-of-the-treasury-rule",
}


class _Page(HTMLParser):
    """What a page holds: its language, links, scripts (by type and src), and ids."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.hrefs: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.ids: set[str] = set()
        self.data: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag in ("a", "link") and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag in ("img", "script", "iframe") and values.get("src"):
            self.hrefs.append(values["src"] or "")
        if tag == "script":
            self.scripts.append(values)
            self._in_ld = values.get("type") == "application/ld+json"
        if values.get("id"):
            self.ids.add(values["id"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.data.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _statement_slug(server: str, words: str) -> str:
    found = httpx.get(server + "/statements", params={"q": words}).json()["items"]
    assert found, words
    return found[0]["id"].rsplit("/", 1)[1]


# --- over HTTP, as without JavaScript ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_html_with_the_strict_policy(server, name):
    response = httpx.get(server + PAGES[name], headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "default-src 'self'" in CSP
    page = _parse(response.text)
    assert page.lang == "en"
    assert 'name="viewport"' in response.text
    assert "main" in page.ids  # the skip link's target
    # Only this server's own files: no address of another host in a src or a stylesheet link.
    for href in page.hrefs:
        assert not href.startswith("//"), href
    for script in page.scripts:
        assert script.get("type") == "application/ld+json" or (script.get("src") or "").startswith("/static/"), script
    for asset in {h for h in page.hrefs if h.startswith("/static/")}:
        assert httpx.get(server + asset).status_code == 200, asset


@pytest.mark.parametrize("path", ["/id/actor/fu-cong", "/id/actor/china", "/id/resolution/a-res-78-311",
                                  f"/id/measure/{RULE}", f"/id/source/{SOURCE}", "/id/topic/artificial-intelligence"])
def test_entity_pages_link_their_twins(server, path):
    page = httpx.get(server + path, headers={"Accept": "text/html"})
    assert page.headers["content-location"] == path + ".html"
    hrefs = _parse(page.text).hrefs
    for ext, media in (("json", "application/json"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json")):
        assert path + "." + ext in hrefs, ext
        twin = httpx.get(server + path + "." + ext)
        assert twin.status_code == 200 and twin.headers["content-type"].startswith(media), (ext, twin.text[:200])
    assert f'<{path}.json>; rel="alternate"; type="application/json"' in page.headers["link"]


def test_the_json_twin_is_the_rest_lookup(server):
    for path, rest in (("/id/actor/fu-cong", "/actors/fu-cong"), ("/id/resolution/a-res-78-311", "/resolutions/a-res-78-311"),
                       (f"/id/source/{SOURCE}", f"/sources/{SOURCE}")):
        twin = httpx.get(server + path + ".json").json()
        lookup = httpx.get(server + rest).json()
        assert twin["id"] == lookup["id"] and twin.get("label") == lookup.get("label")
    assert httpx.get(server + "/id/actor/fu-cong.json").json()["memberships"]
    measure = httpx.get(server + f"/id/measure/{RULE}.json").json()
    assert measure["label"].startswith("U.S. Treasury proposed rule") and measure["positions"]["total"] == 2
    assert httpx.get(server + "/id/actor/nobody.json").status_code == 404


def test_the_id_iri_negotiates_the_page(server):
    html = httpx.get(server + "/id/actor/fu-cong", headers={"Accept": "text/html,*/*;q=0.8"})
    turtle = httpx.get(server + "/id/actor/fu-cong", headers={"Accept": "text/turtle"})
    assert html.headers["content-type"].startswith("text/html") and "Accept" in html.headers["vary"]
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_home_has_a_search_box_counts_and_the_latest_sources(server):
    page = httpx.get(server + "/").text
    assert '<form class="search" role="search" method="get" action="/search">' in page
    assert 'type="search"' in page and 'name="q"' in page
    assert re.search(r"<strong>\d+</strong> statements", page) and re.search(r"<strong>\d+</strong> actors", page)
    assert f'href="/id/source/{SOURCE}"' in page


@pytest.mark.parametrize(("q", "expected"), [
    ("Fu Cong", 'href="/id/actor/fu-cong"'),          # an actor by name
    ("sanctions", "firmly opposed to these"),         # a statement by its words (a quote)
    ("strongly criticized", "/id/statement/"),         # a statement by its words (a paraphrase)
    ("78/311", 'href="/id/resolution/a-res-78-311"'),  # a resolution by symbol
    ("treasury outbound", f'href="/id/measure/{RULE}"'),  # a policy measure by an alternative name
])
def test_search_finds_actors_statements_resolutions_and_measures(server, q, expected):
    page = httpx.get(server + "/search", params={"q": q})
    assert page.status_code == 200
    assert expected in page.text, q


def test_search_escapes_what_it_is_given(server):
    page = httpx.get(server + "/search", params={"q": '<script>alert(1)</script>"'}).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_actor_page_without_javascript(server):
    page = httpx.get(server + "/id/actor/fu-cong.html").text
    parsed = _parse(page)
    assert {"roles", "timeline", "positions", "behalf"} <= parsed.ids
    assert not parsed.scripts
    timeline = page[page.index('id="timeline"'):page.index('id="positions"')]
    chart = timeline[timeline.index("<svg"):timeline.index("</svg>")]
    assert len(re.findall(r'<a href="/id/statement/[0-9a-f]{16}"', chart)) >= 10  # each point a link
    assert "<h3>July 2024</h3>" in timeline
    assert "Permanent Representative" in page  # roles over time
    assert re.search(r'Spoke on behalf of: <a href="/id/actor/china">China</a>', page)
    # the positions of China that his words are evidence of, with those words
    shown = page[page.index('id="shown"'):page.index('id="behalf"')]
    assert f'href="/id/measure/{RULE}"' in shown and "stance-opposes" in shown and OPPOSED in shown


def test_the_state_page_shows_positions_by_target_with_evidence(server):
    page = httpx.get(server + "/id/actor/china.html").text
    positions = page[page.index('id="positions"'):page.index('id="behalf"')]
    assert f'href="/id/measure/{RULE}"' in positions and "stance-opposes" in positions
    assert OPPOSED in positions
    assert "Spoken for by: " in page and 'href="/id/actor/fu-cong"' in page


def test_the_resolution_page_shows_adoption_and_who_stands_where(server):
    page = httpx.get(server + "/id/resolution/a-res-78-311.html").text
    adoption = page[page.index('id="adoption"'):page.index('id="positions"')]
    for text in ("1 July 2024", "consensus", "more than 140", 'href="/id/actor/un-general-assembly"',
                 'href="/id/actor/china"'):
        assert text in adoption, text
    assert "stance-supports" in page[page.index('id="positions"'):page.index('id="statements"')]
    statements = page[page.index('id="statements"'):]
    dates = re.findall(r'<li><p><a href="/id/statement/[0-9a-f]+">([^<]+)</a>', statements)
    assert dates  # in date order, each linked
    assert "<h1>A/RES/78/311 (Chinese-sponsored resolution on AI capacity-building)</h1>" in page


def test_the_measure_page_shows_chinas_opposition_with_its_evidence(server):
    page = httpx.get(server + f"/id/measure/{RULE}.html").text
    table = page[page.index('id="positions"'):page.index('id="statements"')]
    rows = [r for r in table.split("<tr>") if r.startswith('<td><a href="/id/actor/china">')]
    assert any("stance-opposes" in row and OPPOSED in row for row in rows), rows
    assert "21 June 2024" in page[page.index('id="adoption"'):]  # announced


def test_the_statement_page_words_citation_and_json_ld(server):
    slug = _statement_slug(server, OPPOSED)
    response = httpx.get(server + f"/id/statement/{slug}", headers={"Accept": "text/html"})
    page = response.text
    parsed = _parse(page)
    assert f'<div class="quote" lang="en"><span class="tag">quote</span><blockquote>{OPPOSED}</blockquote></div>' in page
    assert '<time datetime="2024-07-01">1 July 2024</time>' in page and "precision: day" in page
    assert 'href="/id/actor/fu-cong"' in page and 'href="/id/actor/china"' in page
    citation = re.search(r'<textarea id="citation"[^>]*>([^<]+)</textarea>', page)
    assert citation and "Fu Cong (on behalf of China), 1 July 2024" in citation.group(1)
    assert f"statement/{slug}" in citation.group(1)
    # schema.org JSON-LD, a data block the policy does not need to allow (it is not run)
    assert [s.get("type") for s in parsed.scripts] == ["application/ld+json"]
    data = json.loads("".join(parsed.data))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Quotation"
    assert data["text"] == OPPOSED and data["spokenByCharacter"]["name"] == "Fu Cong"
    assert data["dateCreated"] == "2024-07-01"
    assert data["isBasedOn"]["@type"] == "NewsArticle" and data["isBasedOn"]["datePublished"] == "2024-07-02"
    assert response.headers["content-security-policy"] == CSP


def test_a_paraphrase_is_not_shown_as_a_quote(server):
    slug = _statement_slug(server, "strongly criticized")
    page = httpx.get(server + f"/id/statement/{slug}.html").text
    assert '<div class="paraphrase" lang="en"><span class="tag">paraphrase</span><p>' in page
    data = json.loads("".join(_parse(page).data))
    assert data["@type"] == "CreativeWork" and "spokenByCharacter" not in data


def test_the_source_page_links_what_it_asserts(server):
    page = httpx.get(server + f"/id/source/{SOURCE}.html").text
    assert {"about", "asserts", "statements", "positions", "downloads"} <= _parse(page).ids
    assert "Associated Press" in page and "2 July 2024" in page
    assert len(re.findall(r'href="/id/statement/[0-9a-f]{16}"', page)) >= 10
    assert f'href="/dumps/{SOURCE}.trig"' in page


def test_the_query_page_runs_an_example_without_javascript(server):
    page = httpx.get(server + "/query").text
    examples = re.findall(r'href="(/query\?example=[^"]+)"', page)
    assert len(examples) >= 10
    answer = httpx.get(server + "/query", params={"example": "opponents-of-the-treasury-rule"})
    assert answer.status_code == 200
    rows = re.findall(r"<tr><td[ >]", answer.text)
    assert len(rows) >= 4 and "China" in answer.text
    assert f'href="/positions?target={RULE}&amp;stance=opposes"' in answer.text  # the REST call
    downloads = dict(re.findall(r'<a href="(/sparql\?[^"]+)" download>(JSON|CSV)</a>', answer.text))
    assert set(downloads.values()) == {"JSON", "CSV"}
    for href, name in downloads.items():
        got = httpx.get(server + href.replace("&amp;", "&"))
        assert got.status_code == 200, got.text
        assert got.headers["content-type"].startswith("text/csv" if name == "CSV" else "application/sparql-results+json")
        assert got.headers["content-disposition"].startswith("attachment")
    assert _parse(answer.text).scripts == [{"src": "/static/query.js", "defer": None}]


def test_the_query_page_takes_a_query_that_fits_in_a_url(server):
    # 5,000 characters of 4 UTF-8 bytes each: 60,000 bytes percent-encoded, under the server's 64 KiB
    fits = httpx.get(server + "/query", params={"query": "#" + "\U0001F600" * 4999})
    assert fits.status_code == 200
    assert httpx.get(server + "/query", params={"query": "#" * 5001}).status_code == 422


def test_the_query_page_reports_a_bad_query(server):
    # said on the page, beside the editor holding the query to correct
    answer = httpx.get(server + "/query", params={"query": "SELECT WHERE {"})
    assert answer.status_code == 200 and 'class="error" role="alert"' in answer.text
    assert "SELECT WHERE {</textarea>" in answer.text
    refused = httpx.get(server + "/query", params={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"})
    assert 'role="alert"' in refused.text and "SERVICE" in refused.text
    assert httpx.get(server + "/query", params={"example": "nothing-like-it"}).status_code == 404


def test_sparql_format_parameter(server):
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/policykg/ontology#Resolution> } ORDER BY ?s"
    csv = httpx.get(server + "/sparql", params={"query": query, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("s\r\n")
    assert csv.headers["content-disposition"] == 'attachment; filename="query.csv"'
    # a name the query's form has not, or an unknown one, leaves the choice to Accept (clients such
    # as SPARQLWrapper send format=xml for RDF/XML, format=json for results)
    other = httpx.get(server + "/sparql", params={"query": query, "format": "ttl"}, headers={"Accept": "text/csv"})
    assert other.headers["content-type"].startswith("text/csv") and "content-disposition" not in other.headers
    graph = httpx.get(server + "/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 1", "format": "nt"})
    assert graph.headers["content-type"].startswith("application/n-triples")


@pytest.mark.parametrize("path", ["/", "/search?q=china", "/query", "/id/actor/china", "/static/query.js"])
def test_head_answers_like_get(server, path):
    head, get = httpx.head(server + path), httpx.get(server + path, headers={"Accept": "text/html"})
    assert head.status_code == get.status_code == 200 and head.content == b""


def test_static_files_only_from_their_folder(server):
    script = httpx.get(server + "/static/query.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert httpx.get(server + "/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")
    for bad in ("/static/..%2Fhtml.py", "/static/nothing.js", "/static/pages.py"):
        assert httpx.get(server + bad).status_code == 404, bad


# --- in a real browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (skipped, loudly, where it is missing)."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="!!! BROWSER TESTS SKIPPED — "
                                         "the playwright package is missing: run make test")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"!!! BROWSER TESTS SKIPPED — {CHROMIUM} is missing: run make test (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watch:
    """A page's console errors, uncaught exceptions, failed requests, and every host it asked."""

    def __init__(self, page, server: str) -> None:  # type: ignore[no-untyped-def]
        self.server = urlsplit(server).netloc
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED"
                and self.errors.append(f"failed: {request.url} ({request.failure})"))
        page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc or request.url))

    def check(self) -> None:
        assert self.errors == []
        assert self.hosts == {self.server}


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    tab = context.new_page()
    watch = Watch(tab, server)
    try:
        yield tab
    finally:
        context.close()
    watch.check()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_in_a_browser_from_search_to_chinas_opposition(page, server):
    page.goto(server + "/")
    _shot(page, "home")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    box = page.get_by_role("searchbox")
    box.fill("Fu Cong")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=Fu\+Cong"))
    _shot(page, "search")
    page.locator("#actors + ul").get_by_role("link", name="Fu Cong", exact=True).click()
    page.wait_for_url(server + "/id/actor/fu-cong")
    assert page.get_by_role("heading", level=1).inner_text() == "Fu Cong"
    timeline = page.locator("section[aria-labelledby=timeline]")
    assert timeline.get_by_role("heading", name="July 2024").is_visible()
    points = timeline.locator("svg.chart a")
    assert points.count() >= 10
    _shot(page, "actor")
    # follow the chart's point of the statement against the Treasury rule
    point = timeline.locator(f'svg.chart a[aria-label*="{OPPOSED}"]').first
    assert "2024" in (point.get_attribute("aria-label") or "")
    point.focus()  # each point is a link the keyboard reaches
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == point.get_attribute("aria-label")
    point.click()
    page.wait_for_url(re.compile(r"/id/statement/[0-9a-f]{16}$"))
    assert OPPOSED in page.locator(".quote blockquote").first.inner_text()
    ld = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "{}")
    assert ld["@type"] == "Quotation" and ld["spokenByCharacter"]["name"] == "Fu Cong"
    _shot(page, "statement")
    page.locator("section[aria-labelledby=who]").get_by_role("link", name=re.compile("Treasury proposed rule")).click()
    page.wait_for_url(server + f"/id/measure/{RULE}")
    rows = page.locator("section[aria-labelledby=positions] tbody tr").filter(
        has=page.get_by_role("link", name="China", exact=True)).all_inner_texts()
    # China opposes it, and the row shows the evidence: the words of the statement
    assert any(re.search(r"China\s+opposes", row) and OPPOSED in row for row in rows), rows
    _shot(page, "measure")


def test_in_a_browser_the_query_page_runs_an_example(page, server):
    page.goto(server + "/query")
    page.get_by_role("link", name=re.compile("Who opposes the Treasury")).click()
    page.wait_for_url(re.compile(r"example=opponents-of-the-treasury-rule"))
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 4
    assert "China" in rows.first.inner_text()
    _shot(page, "query")
    # the editor: change the query, run it with Ctrl+Enter
    editor = page.locator("#query")
    editor.fill("SELECT ?symbol WHERE { ?r <https://w3id.org/policykg/ontology#symbol> ?symbol } ORDER BY ?symbol")
    editor.press("Control+Enter")
    page.wait_for_url(re.compile(r"query=SELECT"))
    assert page.locator("table.results tbody td").all_inner_texts() == ["A/RES/78/265", "A/RES/78/311"]


@pytest.mark.parametrize("name", ["resolution", "source", "state"])
def test_in_a_browser_other_pages(page, server, name):
    page.goto(server + PAGES[name])
    assert page.get_by_role("heading", level=1).is_visible()
    _shot(page, name)


def test_in_a_browser_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    tab = context.new_page()
    watch = Watch(tab, server)
    try:
        tab.goto(server + "/id/actor/fu-cong")
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide on a 390px screen"
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / "actor-phone.png"), full_page=False)
    finally:
        context.close()
    watch.check()
