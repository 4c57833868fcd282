"""Draft entries from an article's text: quotes, speakers, on whose behalf, dates and stances.

``policykg extract`` and ``POST /extract`` read a news article and propose what it reports as an
entry file (docs/entries.md) for a curator to correct: statements with their quotes or reported
speech, speakers with their roles, on whose behalf they spoke, when, what about, and stances
suggested from cue phrases. Everything is marked ``curationStatus: draft`` with an
``attributionConfidence``; what the text cannot settle is written ``TO DECIDE: …``, which
``policykg validate`` reports until a curator replaces it (docs/extraction.md).

It is rule-based and deterministic: the same text gives the same bytes, nothing is downloaded.
Names are linked to the store's actors and instruments by label or alternative label when a
:class:`StoreLookup` is given, otherwise proposed as new entries.

>>> import datetime as dt
>>> draft = extract("UNITED NATIONS -- “We are firmly opposed to these sanctions,” "
...                 "Fu Cong, China’s U.N. ambassador, told reporters Monday.",
...                 published=dt.date(2024, 7, 2), publisher="Associated Press")
>>> statement = draft.entries["statements"][0]
>>> statement["speaker"], statement["onBehalfOf"], statement["date"], statement["quote"]
('fu-cong', ['china'], '2024-07-01', 'We are firmly opposed to these sanctions')
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml
from pyoxigraph import Literal, NamedNode

from kg.errors import TO_DECIDE, ConfigError
from kg.iris import slugify

__all__ = ["MAX_ARTICLE", "Draft", "Known", "StoreLookup", "TO_DECIDE", "article_text", "extract",
           "published_date", "slug"]

MAX_ARTICLE = 200_000
"""Longest article read, in characters (a long feature is about 30,000)."""
MAX_SENTENCE = 2_000
"""Longest sentence (its quotes aside) whose speakers are looked for, in characters: the rules
look back from each verb, so their work grows with the square of a sentence's length."""
MAX_VERBS = 12
"""Most speech verbs read in one sentence (a reporter's has one to three)."""


def article_text(data: bytes, name: str) -> str:
    """An article's bytes as text, or a ConfigError naming what is wrong with them.

    >>> article_text("“Yes,” he said.".encode(), "a.txt")
    '“Yes,” he said.'
    >>> article_text(b"\\xff", "a.txt")
    Traceback (most recent call last):
    kg.errors.ConfigError: a.txt: not UTF-8 text (byte 0)
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise ConfigError(f"{name}: the article is empty")
    if len(text) > MAX_ARTICLE:
        raise ConfigError(f"{name}: an article of {len(text):,} characters; the limit is {MAX_ARTICLE:,}")
    if "\x00" in text:
        raise ConfigError(f"{name}: contains NUL characters: not an article's text")
    return text


def published_date(value: str, name: str = "--published") -> dt.date:
    """The publication date given as YYYY-MM-DD, or a ConfigError saying so.

    >>> published_date("2024-07-02")
    datetime.date(2024, 7, 2)
    >>> published_date("2 July")
    Traceback (most recent call last):
    kg.errors.ConfigError: --published: '2 July' is not a date written YYYY-MM-DD
    """
    try:
        if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
            return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise ConfigError(f"{name}: {value!r} is not a date written YYYY-MM-DD")

# --- words -------------------------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DATE_EXPRESSION = re.compile(
    rf"\b(?:(?P<last>last|this past|on|this)\s+)?(?P<weekday>{_WEEKDAY})\b"
    rf"|\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})\b(?:,?\s+(?P<year>\d{{4}}))?"
    rf"|\b(?P<relday>yesterday|today)\b"
    rf"|\b(?:in\s+)?(?P<monthonly>{_MONTH})(?:\s+(?P<monthyear>\d{{4}}))?\b"
    rf"|\b(?P<rel>this|last|next)\s+(?P<unit>year|month)\b")

# States by label, with the names and adjectives an article uses for them. The label's slug is
# the actor's id (``china``, ``united-states``), as in the project's data.
STATES: dict[str, tuple[str, ...]] = {
    "China": ("Chinese", "Beijing", "People's Republic of China", "PRC"),
    "United States": ("U.S.", "US", "American", "Washington", "United States of America", "USA"),
    "United Kingdom": ("British", "U.K.", "UK", "Britain", "London"),
    "France": ("French", "Paris"),
    "Russia": ("Russian", "Moscow", "Russian Federation"),
    "Germany": ("German", "Berlin"),
    "Japan": ("Japanese", "Tokyo"),
    "India": ("Indian", "New Delhi"),
    "Brazil": ("Brazilian", "Brasilia"),
    "South Africa": ("South African", "Pretoria"),
    "Canada": ("Canadian", "Ottawa"),
    "Australia": ("Australian", "Canberra"),
    "Mexico": ("Mexican",),
    "Italy": ("Italian", "Rome"),
    "Spain": ("Spanish", "Madrid"),
    "Ukraine": ("Ukrainian", "Kyiv"),
    "Iran": ("Iranian", "Tehran"),
    "Israel": ("Israeli",),
    "Turkey": ("Turkish", "Ankara", "Türkiye"),
    "Egypt": ("Egyptian", "Cairo"),
    "Nigeria": ("Nigerian",),
    "Kenya": ("Kenyan", "Nairobi"),
    "Indonesia": ("Indonesian", "Jakarta"),
    "Pakistan": ("Pakistani", "Islamabad"),
    "Saudi Arabia": ("Saudi",),
    "South Korea": ("South Korean", "Seoul"),
    "North Korea": ("North Korean", "Pyongyang"),
    "Switzerland": ("Swiss", "Bern"),
    "Netherlands": ("Dutch", "The Hague"),
    "Singapore": ("Singaporean",),
}
STATE_OF: dict[str, str] = {}
for _label, _names in STATES.items():
    for _name in (_label, *_names):
        STATE_OF[_name.lower().replace("’", "'")] = _label
DEMONYMS = {
    "Chinese", "American", "British", "French", "Russian", "German", "Japanese", "Indian", "Brazilian",
    "South African", "Canadian", "Australian", "Mexican", "Italian", "Spanish", "Ukrainian", "Iranian",
    "Israeli", "Turkish", "Egyptian", "Nigerian", "Kenyan", "Indonesian", "Pakistani", "Saudi",
    "South Korean", "North Korean", "Swiss", "Dutch", "Singaporean",
}
ORGANIZATIONS = {  # international organisations an article names, with their short names
    "United Nations": ("U.N.", "UN"),
    "U.N. General Assembly": ("General Assembly", "UN General Assembly", "United Nations General Assembly"),
    "U.N. Security Council": ("Security Council", "UN Security Council"),
    "European Union": ("EU", "E.U."),
    "World Health Organization": ("WHO",),
}
ORG_OF = {name.lower(): label for label, names in ORGANIZATIONS.items() for name in (label, *names)}

SPEECH_VERBS = (
    "said", "says", "told", "tells", "added", "adds", "stated", "noted", "declared", "argued",
    "warned", "insisted", "explained", "wrote", "continued", "remarked", "stressed", "emphasized",
    "acknowledged", "replied", "responded", "observed", "recalled", "cautioned", "maintained",
    "asserted", "complained", "criticized", "criticised", "called", "urged", "praised",
    "welcomed", "rejected", "condemned", "denounced", "described", "announced", "according to",
)
BELIEF_VERBS = ("believe", "believes", "think", "thinks", "wanted", "wants", "hopes", "hope")
DOCUMENT_VERBS = (
    "calls on", "called on", "calls for", "called for", "recognizes", "recognized", "resolves",
    "resolved", "urges", "urged", "encourages", "requests", "decides", "affirms", "reaffirms",
    "welcomes", "emphasizes", "stresses", "notes", "expresses", "gave", "gives", "says", "said",
    "states", "stated", "declares",
)
_VERB = re.compile(r"\b(?:(?:does not|doesn[’']t|did not|didn[’']t|do not|don[’']t)\s+)?"
                   r"(?P<verb>" + "|".join(sorted(SPEECH_VERBS + BELIEF_VERBS, key=len, reverse=True))
                   + r")\b(?P<on>\s+(?:on|for)\b)?")
ROLE_NOUNS = (
    "ambassador", "envoy", "spokesperson", "spokesman", "spokeswoman", "diplomat", "minister",
    "official", "representative", "delegate", "secretary", "president", "prime minister",
    "leader", "chief", "head", "director", "negotiator", "chancellor", "premier", "senator",
    "secretary-general", "permanent representative", "deputy",
)
ORG_NOUNS = ("mission", "ministry", "department", "government", "delegation", "embassy", "office",
             "council", "commission", "agency", "administration", "treasury", "parliament", "congress")
PRONOUNS = {"he", "she"}
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "gen", "gov", "sen", "rep", "sept", "jan", "feb",
                 "aug", "oct", "nov", "dec", "no", "vs", "jr", "sr", "prof", "amb", "lt", "col", "sgt"}
NOT_NAMES = {"the", "a", "an", "in", "on", "but", "and", "however", "both", "while", "when",
             "after", "before", "since", "as", "this", "that", "these", "those", "it", "its", "they",
             "we", "i", "he", "she", "his", "her", "their", "our", "officials", "adding"}

# Cue phrases → (stance, confidence). Confidence is how often a curator would keep the stance
# the cue suggests; the strongest wordings come first so they win.
STANCE_CUES: tuple[tuple[str, str, float], ...] = (
    (r"(?:firmly|strongly|resolutely|categorically) oppos(?:ed|e|es)\b", "opposes", 0.9),
    (r"(?:strongly|sharply|harshly) critici[sz](?:ed|es|e)\b", "opposes", 0.85),
    (r"\b(?:rejected|rejects|condemned|condemns|denounced|denounces)\b", "opposes", 0.8),
    (r"\boppos(?:ed|es|e) to\b", "opposes", 0.8),
    (r"\bcritici[sz](?:ed|es|e)\b", "opposes", 0.6),
    (r"\bin (?:broad|full|strong) support of\b", "supports", 0.85),
    (r"\bvery appreciative of\b", "supports", 0.7),
    (r"\b(?:welcomed|welcomes|praised|praises|endorsed|endorses)\b", "supports", 0.7),
    (r"\bin support of\b|\bsupports?\b", "supports", 0.6),
    (r"\bappreciative of\b", "supports", 0.6),
    (r"\b(?:called|calls|call) on\b.{1,80}?\bto\b|\burged\b|\burges\b|\bdemanded\b|\bcalled for\b|\bcalls for\b",
     "calls_for", 0.8),
    (r"\b(?:abstained|remained neutral|takes no position)\b", "neutral", 0.7),
)


def slug(text: str) -> str:
    """An entry id from a name: ``U.N. ambassador`` → ``un-ambassador``.

    >>> slug("U.S. mission to the United Nations"), slug("China’s Foreign Ministry")
    ('us-mission-to-the-united-nations', 'chinas-foreign-ministry')
    """
    return slugify(re.sub(r"(?<=\w)[.’'](?=\w|\s|$)", "", text)) or "x"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").strip().lower())


# --- the store ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """An entity the store already has: its slug (the id an entry file refers to it by), kind and
    label."""

    slug: str
    kind: str  # actor, resolution, measure, topic
    label: str
    type: str | None = None  # the actor's class local name: Person, State, …


class Lookup(Protocol):
    def find(self, name: str) -> Known | None: ...
    def behalf(self, person: str, on: dt.date) -> list[str]: ...
    def topics(self) -> list[tuple[str, Known]]: ...


_FIND = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?s ?class ?label WHERE {
  ?s rdfs:label|skos:altLabel|pk:symbol ?name ; a ?class .
  OPTIONAL { ?s rdfs:label ?label }
}
"""
_BEHALF = """
PREFIX pk: <https://w3id.org/policykg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?organization WHERE {
  ?membership org:member ?person ; org:organization ?organization ; a org:Membership .
  OPTIONAL { ?membership pk:startDate ?start }
  OPTIONAL { ?membership pk:endDate ?end }
  FILTER((BOUND(?start) || BOUND(?end)) && (!BOUND(?start) || ?start <= ?on) && (!BOUND(?end) || ?on <= ?end))
}
ORDER BY ?organization
"""
_TOPICS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pk: <https://w3id.org/policykg/ontology#>
SELECT ?s ?name ?label WHERE { ?s a pk:Topic ; rdfs:label|skos:altLabel ?name ; rdfs:label ?label }
ORDER BY ?s ?name
LIMIT %d
"""
MAX_TOPICS = 20_000
"""Topic names read from the store to spot in the text (a larger store is read up to here)."""


class StoreLookup:
    """Names looked up in a :class:`kg.store.Store`, each as an exact label, alternative label or
    symbol (bound as a literal: the index finds it without a scan)."""

    def __init__(self, store: Any):
        self._store = store
        self._base = store.iris.base
        self._cache: dict[str, Known | None] = {}

    def _slug_of(self, iri: str) -> tuple[str, str] | None:
        if not iri.startswith(self._base):
            return None
        kind, _, rest = iri[len(self._base):].partition("/")
        return (kind, rest) if rest and "/" not in rest else None

    def find(self, name: str) -> Known | None:
        if name in self._cache:
            return self._cache[name]
        found: Known | None = None
        for literal in (Literal(name, language="en"), Literal(name)):
            rows = self._store.select(_FIND, substitutions={"name": literal})
            for row in sorted(rows, key=lambda r: (r["s"].value, r["class"].value)):
                where = self._slug_of(row["s"].value)
                if where is None or where[0] not in ("actor", "resolution", "measure", "topic"):
                    continue
                local = row["class"].value.rsplit("#", 1)[-1]
                label = row["label"].value if "label" in row else name
                if found is None or (found.type in (None, "Actor", "Organization") and where[0] == "actor"):
                    found = Known(where[1], where[0], label, local if where[0] == "actor" else None)
            if found is not None:
                break
        self._cache[name] = found
        return found

    def behalf(self, person: str, on: dt.date) -> list[str]:
        rows = self._store.select(_BEHALF, substitutions={
            "person": NamedNode(self._base + "actor/" + person),
            "on": Literal(on.isoformat(), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date"))})
        slugs = [self._slug_of(row["organization"].value) for row in rows]
        return [s[1] for s in slugs if s and s[0] == "actor"]

    def topics(self) -> list[tuple[str, Known]]:
        out = []
        for row in self._store.select(_TOPICS % MAX_TOPICS):
            where = self._slug_of(row["s"].value)
            if where is not None and where[0] == "topic":
                out.append((row["name"].value, Known(where[1], "topic", row["label"].value)))
        return out


# --- the text ----------------------------------------------------------------------------------

_OPEN, _CLOSE = "“", "”"
_DATELINE = re.compile(r"^(?:[A-Z][A-Z .,'’-]+?)(?:\s*\([^)]*\))?\s*(?:--|—|–)\s*")


@dataclass
class Quote:
    start: int  # of the text inside the marks, in the paragraph
    end: int
    text: str
    closed: bool = True


def quotes_in(paragraph: str) -> list[Quote]:
    """The quoted spans of a paragraph: curly pairs, and straight double quotes paired in order.
    A quote still open at the paragraph's end runs to it (it continues in the next paragraph).

    >>> [q.text for q in quotes_in('He said “a,” and "b c" then “d')]
    ['a,', 'b c', 'd']
    """
    found: list[Quote] = []
    i, n = 0, len(paragraph)
    while i < n:
        ch = paragraph[i]
        if ch == _OPEN or ch == '"':
            close = _CLOSE if ch == _OPEN else '"'
            j = paragraph.find(close, i + 1)
            if ch == _OPEN:
                k = paragraph.find(_OPEN, i + 1)
                if k != -1 and (j == -1 or k < j):  # an opening mark before any close: unclosed
                    j = -1
            if j == -1:
                found.append(Quote(i + 1, n, paragraph[i + 1:].rstrip(), closed=False))
                break
            found.append(Quote(i + 1, j, paragraph[i + 1:j]))
            i = j + 1
            continue
        i += 1
    return found


def _clean_quote(text: str, own_sentence: bool) -> str:
    """A quote's words as the entry keeps them: a trailing comma (which belongs to the reporter's
    "…,” he said") dropped; a final full stop kept only when the quote is a sentence of the
    speaker's own (it begins with a capital letter), not the end of the reporter's sentence.

    >>> _clean_quote("great and far-reaching,", False), _clean_quote("We agree.", True)
    ('great and far-reaching', 'We agree.')
    """
    text = re.sub(r"[,;:]+$", "", text.strip()).rstrip()
    if text.endswith(".") and not text.endswith("..") and not own_sentence:
        text = text[:-1].rstrip()
    return text


def _sentence_bounds(paragraph: str, quotes: list[Quote]) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph; never inside a quote, never after an abbreviation."""
    starts = [q.start for q in quotes]  # in order, not overlapping
    bounds, start = [], 0
    for match in re.finditer(r"[.?!…][”\"]?\s+(?=[“\"A-Z])", paragraph):
        cut = match.end()
        last = match.start() + (1 if paragraph[match.start() + 1:match.start() + 2] in ("”", '"') else 0)
        index = bisect.bisect_right(starts, last) - 1
        if index >= 0 and last < quotes[index].end:
            continue
        word = re.search(r"(\S+)$", paragraph[max(0, match.start() - 40):match.start() + 1])
        token = word.group(1).rstrip(".").lstrip("“\"(") if word else ""
        if paragraph[match.start()] == "." and (token.lower() in ABBREVIATIONS
                                                or re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?", token)
                                                or re.fullmatch(r"[A-Z]", token)):
            continue
        bounds.append((start, cut))
        start = cut
    if start < len(paragraph):
        bounds.append((start, len(paragraph)))
    return bounds


# --- the draft ---------------------------------------------------------------------------------


@dataclass
class Entity:
    slug: str
    section: str  # actors, resolutions, measures
    label: str
    type: str | None = None
    alt: list[str] = field(default_factory=list)
    known: bool = False  # in the store: referred to, not defined
    fields: dict[str, Any] = field(default_factory=dict)
    role: str | None = None
    behalf: list[str] = field(default_factory=list)

    def names(self) -> set[str]:
        return {_norm(n) for n in (self.label, *self.alt)}


@dataclass
class Draft:
    """A drafted entry file: ``entries`` in the core format, ``notes`` per entry id (why each
    value was chosen, written as YAML comments) and ``to_decide`` (what a curator must settle)."""

    entries: dict[str, Any]
    notes: dict[str, list[str]]
    to_decide: list[dict[str, str]]

    def yaml(self) -> str:
        """The entry file as YAML, with the notes as comments above each entry."""
        head = [
            "# policykg draft entry file: proposed by `policykg extract` from the article's text.",
            "# Every statement and position is a draft (curationStatus: draft) with the extractor's",
            "# attributionConfidence. Check each against the article; replace every `TO DECIDE:` value",
            "# (`policykg validate` lists them) and delete what the article does not support.",
        ]
        lines = head + [""]
        for section, value in self.entries.items():
            if section == "source":
                lines.append(_dump({"source": value}).rstrip())
                lines.append("")
                continue
            lines.append(f"{section}:")
            for entry in value:
                for note in self.notes.get(entry["id"], []):
                    lines.append(f"  # {note}")
                body = _dump([entry]).rstrip().splitlines()
                lines.extend("  " + line for line in body)
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def json(self) -> dict[str, Any]:
        return {"entries": self.entries, "notes": self.notes, "to_decide": self.to_decide,
                "draft": self.yaml()}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if (data[:1] in "“\"'" or ": " in data or data.startswith(TO_DECIDE) or " #" in data
                    or re.fullmatch(r"\d{4}-\d{2}-\d{2}", data) or data.lower() in ("yes", "no", "true", "false", "null")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)


def _decide(what: str) -> str:
    return f"{TO_DECIDE} {what}"


@dataclass
class _Said:
    """One attribution found in a sentence."""

    speaker: Entity | None
    confidence: float
    verb: str
    verb_start: int
    verb_end: int
    how: str  # what resolved the speaker, for the note
    date: tuple[dt.date, str] | None = None
    document_verb: str | None = None


class _Extractor:
    def __init__(self, published: dt.date, lookup: Lookup | None):
        self.published, self.lookup = published, lookup
        self.entities: dict[str, Entity] = {}
        self.by_name: dict[str, Entity] = {}
        self.last_person: Entity | None = None
        self.last_person_paragraph = -1
        self.last_instrument: Entity | None = None
        self.last_resolution: Entity | None = None
        self.last_measure: Entity | None = None
        self.dates: dict[str, tuple[dt.date, str]] = {}
        self.last_date: tuple[dt.date, str] | None = None  # the last date the article named
        self.unnamed_roles: list[str] = []
        self.last_organization: Entity | None = None  # for "its spokesperson"  # "China's ambassador", before the text names him
        self.statements: list[dict[str, Any]] = []
        self.provisions: list[dict[str, Any]] = []
        self.positions: list[dict[str, Any]] = []
        self.memberships: list[dict[str, Any]] = []
        self.roles: dict[str, dict[str, Any]] = {}
        self.notes: dict[str, list[str]] = {}
        self.to_decide: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.suffixes: dict[str, int] = {}  # the next number to try after an id already taken
        self.paragraph = 0
        self.topic_names = {" ".join(re.findall(r"[\w'’-]+", _norm(name))): known
                            for name, known in (lookup.topics() if lookup else []) if len(name) > 3}

    # -- entities --------------------------------------------------------------------------------

    def unique(self, base: str) -> str:
        base = base[:60].strip("-") or "x"
        candidate, n = base, self.suffixes.get(base, 2)
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.suffixes[base] = n
        self.ids.add(candidate)
        return candidate

    def entity(self, label: str, section: str, type_: str | None, alt: tuple[str, ...] = ()) -> Entity:
        """The entity called ``label`` (or any of ``alt``): the one already met, the store's, or a
        new one."""
        for name in (label, *alt):
            if _norm(name) in self.by_name:
                found = self.by_name[_norm(name)]
                for extra in (label, *alt):
                    if _norm(extra) not in found.names() and not found.known:
                        found.alt.append(extra)
                    self.by_name.setdefault(_norm(extra), found)
                return found
        known = None
        if self.lookup is not None:
            for name in (label, *alt):
                known = self.lookup.find(name)
                if known is not None and (known.kind == {"actors": "actor", "resolutions": "resolution",
                                                          "measures": "measure"}[section]):
                    break
                known = None
        if known is not None:
            entity = Entity(known.slug, section, known.label, known.type or type_, known=True)
            self.ids.add(known.slug)
        else:
            entity = Entity(self.unique(slug(label)), section, label, type_)
            entity.alt = [a for a in dict.fromkeys(alt) if _norm(a) != _norm(label)]
        self.entities[entity.slug] = entity
        for name in (label, *alt, entity.label):
            self.by_name.setdefault(_norm(name), entity)
        return entity

    def state(self, name: str) -> Entity | None:
        label = STATE_OF.get(_norm(name))
        if label is None:
            return None
        written = name.strip()
        alt = () if (written in DEMONYMS or not written[:1].isupper() or _norm(written) == _norm(label)) else (written,)
        entity = self.entity(label, "actors", "State", alt)
        for other in (label, *STATES[label]):
            self.by_name.setdefault(_norm(other), entity)
        return entity

    def organization(self, phrase: str) -> Entity:
        """An organisation named by a phrase ("the U.S. mission to the United Nations"): a
        government body when a state's name or adjective begins it (and part of that state)."""
        phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(" ,."), flags=re.I).strip()
        label = ORG_OF.get(_norm(phrase))
        if label is not None:
            return self.entity(label, "actors", "InternationalOrganization", ORGANIZATIONS[label])
        parent = self._leading_state(phrase)
        entity = self.entity(phrase, "actors", "GovernmentBody" if parent else "Organization")
        self.last_organization = entity
        if parent is not None and not entity.known:
            entity.fields.setdefault("subOrganizationOf", parent.slug)
            entity.behalf = [entity.slug, parent.slug]
        elif not entity.behalf:
            entity.behalf = [entity.slug]
        return entity

    def _leading_state(self, phrase: str) -> Entity | None:
        phrase = phrase.replace("’", "'")
        for name in sorted(STATE_OF, key=len, reverse=True):
            if _norm(phrase).startswith(name + " ") or _norm(phrase).startswith(name + "'s "):
                return self.state(name)
        return None

    def person(self, name: str) -> Entity:
        for entity in self.entities.values():  # "Fu" after "Fu Cong"; "Evans" after "Nate Evans"
            if entity.type == "Person" and " " not in name and name in entity.label.split():
                return entity
        entity = self.entity(name, "actors", "Person")
        if entity.known and entity.type != "Person":
            return entity
        entity.type = entity.type or "Person"
        return entity

    def resolution(self, phrase: str, sponsor: Entity | None) -> Entity:
        if sponsor is not None:
            adjective = _adjective(sponsor)
            phrase = re.sub(r"\s+(?:spearheaded|sponsored|led|drafted|proposed|put forward|backed)\s+by\b.*", "", phrase)
            entity = self.entity(f"{adjective} resolution", "resolutions", None, (phrase,))
            if not entity.known:
                entity.fields.setdefault("sponsor", [sponsor.slug])
        else:
            entity = self.entity(phrase, "resolutions", None)
        self.last_instrument = self.last_resolution = entity
        return entity

    def resolution_of(self, match: re.Match[str], text: str) -> Entity | None:
        """The resolution a match of :data:`_RESOLUTION` names: by its sponsor ("the
        Chinese-sponsored resolution", "the resolution … spearheaded by the United States"), by
        what it is on, or the last one named ("the resolution")."""
        if match.group("plural"):
            return None
        who = match.group("who") or match.group("by")
        sponsor = self.state(who) if who else None
        if sponsor is None and (match.group("generic") or match.group("on") is None):
            return self.last_resolution if match.group("generic") else None
        if match.group("noun") == "measure" and sponsor is None:
            return None
        phrase = re.sub(r"^(?:the|a|an|that|this)\s+", "", text[match.start():match.end()].strip())
        phrase = re.sub(r"\s+this year\b", "", phrase).rstrip(" -—–")
        return self.resolution(phrase, sponsor)

    def measure(self, phrase: str, owner: Entity | None, status: str | None) -> Entity:
        entity = self.entity(phrase, "measures", None)
        if not entity.known:
            if owner is not None:
                entity.fields.setdefault("issuedBy", owner.slug)
            if status:
                entity.fields.setdefault("status", status)
        self.last_instrument = self.last_measure = entity
        return entity

    # -- mentions ---------------------------------------------------------------------------------

    def mentions(self, text: str, masked: str) -> list[Entity]:
        """Instruments and actors the sentence names, in order (and remembered for later
        references to them)."""
        found: list[tuple[int, Entity]] = []
        for match in _SYMBOL.finditer(masked):
            entity = self.entity(match.group(0), "resolutions", None)
            if not entity.known:
                entity.fields.setdefault("symbol", match.group(0))
            self.last_instrument = self.last_resolution = entity
            found.append((match.start(), entity))
        for match in _RESOLUTION.finditer(masked):
            entity = self.resolution_of(match, masked)
            if entity is not None:
                found.append((match.start(), entity))
        for match in _MEASURE.finditer(masked):
            phrase = re.sub(r"^(?:the|a|an)\s+", "", text[match.start():match.end()].strip())
            if match.group("ref") or not (match.group("owner") or match.group("status")):
                if self.last_measure is not None:
                    found.append((match.start(), self.last_measure))
                    continue
            owner = self.organization(match.group("owner")) if match.group("owner") else None
            status = "proposed" if match.group("status") and "propos" in match.group("status") else None
            entity = self.measure(phrase, owner, status)
            after = masked[match.end():match.end() + 60]
            announced = re.match(r",?\s*(?:announced|unveiled|issued|published)\s+(?:on\s+)?", after)
            if announced and not entity.known:
                date = _date_at(after[announced.end():], self.published)
                if date is not None:
                    entity.fields.setdefault("announcedOn", date[0].isoformat())
            found.append((match.start(), entity))
        for match in _STATE_NAMES.finditer(masked):
            state = self.state(match.group(0))
            if state is not None:
                found.append((match.start(), state))
        for match in re.finditer(rf"\b(?:{_NAME_TOKEN})", masked):  # a person named before: "Fu had …"
            for entity in list(self.entities.values()):
                if entity.type == "Person" and match.group(0) in entity.label.split():
                    found.append((match.start(), entity))
                    break
        for match in DATE_EXPRESSION.finditer(masked):
            if match.group("weekday") or match.group("month") or match.group("relday"):
                self.last_date = _resolve(match, self.published) or self.last_date
        return [e for _, e in sorted(found, key=lambda pair: pair[0])]

    # -- speakers --------------------------------------------------------------------------------

    def resolve(self, np: str, appositive: str | None) -> tuple[Entity | None, float, str]:
        """The entity a subject phrase names, how sure, and how it was found."""
        np = re.sub(r"^(?:and|but|then|so)\s+", "", np.strip(" ,"))
        low = _norm(np)
        if low in PRONOUNS:
            if self.last_person is not None:
                return self.last_person, 0.8, f"“{np}” read as {self.last_person.label}, the last person named"
            return None, 0.0, f"“{np}”: no person named before"
        if low == "it" or low == "they":
            if low == "it" and self.last_instrument is not None:
                return self.last_instrument, 0.6, f"“{np}” read as {self.last_instrument.label}"
            return None, 0.0, f"“{np}”: the referent is unclear"
        if re.search(r"\bresolution\b", low):
            match = _RESOLUTION.search(np)
            entity = self.resolution_of(match, np) if match else None
            if entity is not None:
                return entity, 0.85 if not match.group("generic") else 0.7, f"“{np}” read as {entity.label}"
        state = self.state(np)
        if state is not None:
            return state, 0.85, "a state named"
        role = _role_noun(low)
        if role is not None and _name_run(np) != np.strip():
            # "the Chinese ambassador": the person of that role (and state) met before
            owner = self._leading_state(re.sub(r"^(?:the|a|an)\s+", "", np))
            for strict in (True, False):
                for person in reversed(list(self.entities.values())):
                    if person.type == "Person" and person.role and role in _norm(person.role) and (
                            owner is None or owner.slug in person.behalf or not strict):
                        return person, 0.75 if strict else 0.6, f"“{np}” read as {person.label}, named before with that role"
            if re.search(r"\b(?:" + "|".join(ORG_NOUNS) + r")\b", low) and not re.search(
                    r"\b(?:ambassador|spokesperson|spokesman|spokeswoman|minister|envoy|diplomat|official)\b", low):
                return self.organization(np), 0.8, "an organisation named"
            self.unnamed_roles.append(np)
            return None, 0.0, f"“{np}” is not named"
        short = re.fullmatch(r"(?:the|this|that)\s+(" + "|".join(ORG_NOUNS) + r")", low)
        if short:  # "the mission": the one named before
            for entity in reversed(list(self.entities.values())):
                if entity.section == "actors" and entity.type != "Person" and re.search(
                        r"\b" + short.group(1) + r"\b", entity.label.lower()):
                    return entity, 0.75, f"“{np}” read as {entity.label}, named before"
        if re.search(r"\b(?:" + "|".join(ORG_NOUNS) + r")\b", low) or _norm(np) in ORG_OF:
            return self.organization(np), 0.8, "an organisation named"
        name = _name_run(np)
        if name and _norm(name) in ORG_OF:
            return self.organization(name), 0.8, "an organisation named"
        if name:
            person = self.person(name)
            if appositive:
                self.give_role(person, appositive)
            elif person.role is None and len(self.unnamed_roles) == 1 and not person.known:
                # "China's U.N. ambassador said …" then "Fu Cong told reporters": the one role
                # the text gave without a name is read as his
                self.give_role(person, self.unnamed_roles.pop())
            how = "named with a role" if appositive else "named"
            return person, 0.95 if (" " in name or person.role) else 0.85, how
        return None, 0.0, f"“{np}” is not a name"

    def give_role(self, person: Entity, appositive: str) -> None:
        """Read "China’s U.N. ambassador" or "spokesperson for the U.S. mission to the United
        Nations": the role, whom it is held for, and a membership."""
        appositive = appositive.strip(" ,")
        if person.known or person.type != "Person" or appositive.lower().startswith(("who ", "which ")):
            return
        owner = organization = None
        role = appositive
        possessive = re.match(r"^(?P<owner>.+?)[’']s\s+(?P<role>.+)$", appositive)
        of = re.match(r"^(?:the\s+|a\s+|an\s+)?(?P<role>[\w .’'-]+?)\s+(?:for|of|at|to)\s+(?P<org>(?:the\s+)?[A-Z].+)$",
                      appositive)
        its = re.match(r"^(?:its|their)\s+(?P<role>.+)$", appositive, re.I)
        if its and self.last_organization is not None:  # "Its spokesperson, Nate Evans,"
            role, organization = its.group("role"), self.last_organization
        elif possessive:
            owner, role = possessive.group("owner"), possessive.group("role")
            organization = self.state(owner) or self.organization(owner)
        elif of:
            role, org = of.group("role"), of.group("org")
            organization = self.state(org) or self.organization(org)
        else:
            adjective = self._leading_state(re.sub(r"^(?:the|a|an)\s+", "", appositive))
            if adjective is not None:
                organization = adjective
                role = re.sub(r"^(?:the|a|an)\s+", "", appositive).split(" ", 1)[-1]
        if _role_noun(_norm(role)) is None:
            return
        if organization is None:  # "the ambassador, Fu Cong": the role named earlier without a name?
            noun = _role_noun(_norm(role))
            earlier = next((p for p in self.unnamed_roles if _role_noun(_norm(p)) == noun), None)
            if earlier is not None:
                self.unnamed_roles.remove(earlier)
                self.give_role(person, earlier)
            person.role = person.role or appositive
            return
        role = re.sub(r"^(?:the|a|an)\s+", "", role).strip()
        person.role = appositive
        person.behalf = organization.behalf or [organization.slug]
        role_id = slug(role)
        self.roles.setdefault(role_id, {"id": role_id, "label": role})
        membership = {"id": self.unique(f"{person.slug}-{role_id}"), "member": person.slug,
                      "organization": organization.slug, "role": role_id}
        self.memberships.append(membership)
        self.notes[membership["id"]] = [f"from “{appositive}”; the article gives no dates for it"]

    def attributions(self, masked: str) -> list[_Said]:
        """Who speaks in a sentence (``masked``: its quotes replaced by ``⟦n⟧``)."""
        found: list[_Said] = []
        for count, match in enumerate(_VERB.finditer(masked)):
            if count == MAX_VERBS:
                break
            verb = match.group("verb")
            if verb == "called" and not match.group("on") and "⟦" not in masked[match.end():]:
                continue
            if verb in ("announced", "described") and "⟦" not in masked[match.end():]:
                continue
            before = masked[:match.start()]
            if verb == "according to":
                inverted = _inverted_subject(masked[match.end():])
                if inverted is None:
                    continue
                speaker, confidence, how = self.resolve(*inverted)
                if speaker is not None:
                    found.append(_Said(speaker, confidence, verb, match.start(), match.end(), how))
                continue
            # the subject: the phrase before the verb (after an earlier attribution's end), or after it
            clause_start = max(before.rfind("⟧"), before.rfind(";"), before.rfind("—"), before.rfind(" that "), -1)
            subject_text = before[clause_start + 1:] if clause_start >= 0 else before
            np, appositive = _subject(subject_text)
            after_subject = None
            if not np or re.fullmatch(r"[\s,]*", subject_text):
                after_subject = _inverted_subject(masked[match.end():])
                if after_subject:
                    np, appositive = after_subject
            if not np and re.fullmatch(r"\s*,?\s*and\s*", subject_text) and found:
                previous = found[-1]
                found.append(_Said(previous.speaker, previous.confidence, verb, match.start(), match.end(),
                                   previous.how, None))
                continue
            if not np:
                continue
            if verb in BELIEF_VERBS:
                state = self.state(np)
                if state is None or self.last_person is None or state.slug not in self.last_person.behalf \
                        or self.paragraph - self.last_person_paragraph > 1:
                    continue
                found.append(_Said(self.last_person, 0.7, verb, match.start(), match.end(),
                                   f"{np}’s view, voiced by {self.last_person.label}, who speaks for it"))
                continue
            speaker, confidence, how = self.resolve(np, appositive)
            if speaker is None and not re.search(r"\b(?:he|she)\b", np.lower()) and not _role_noun(_norm(np)):
                continue
            said = _Said(speaker, confidence, verb, match.start(), match.end(), how)
            said.date = speech_date(masked, match.start(), match.end(), max(clause_start, 0),
                                    self.published, self.last_date)
            found.append(said)
        for count, match in enumerate(_DOC_VERB.finditer(masked)):
            if count == MAX_VERBS:
                break
            np = _subject(masked[:match.start()])[0]
            if not np:
                continue
            low = _norm(np)
            entity = None
            if low == "it" and self.last_instrument is not None and self.last_instrument.section == "resolutions":
                entity = self.last_instrument
            elif re.search(r"\bresolution\b", low):
                entity, _, _ = self.resolve(np, None)
                if entity is None or entity.section != "resolutions":
                    entity = None
            if entity is not None:
                found.append(_Said(entity, 0.8, match.group(1), match.start(), match.end(),
                                   "the resolution's text", document_verb=match.group(1)))
        found.sort(key=lambda s: s.verb_start)
        return found

    # -- sentences --------------------------------------------------------------------------------

    def sentence(self, text: str, quotes: list[Quote], base: int) -> None:
        masked, spans, cursor = "", [], 0
        for index, quote in enumerate(quotes):
            open_at = quote.start - 1 - base
            close_at = quote.end + 1 - base if quote.closed else len(text)
            masked += text[cursor:open_at] + f"⟦{index}⟧"
            spans.append((len(masked) - len(f"⟦{index}⟧"), len(masked)))
            cursor = close_at
        masked += text[cursor:]

        def restore(part: str) -> str:
            return re.sub(r"⟦(\d+)⟧", lambda m: "“" + quotes[int(m.group(1))].text.rstrip("”\"") + "”", part).strip()

        plain = restore(masked)
        if len(masked) > MAX_SENTENCE:  # not a sentence a reporter writes: its quotes are left to decide
            mentioned, said = [], []
            self.last_person = None
        else:
            mentioned = self.mentions(text, masked)
            said = self.attributions(masked)
        # Each quote goes to the nearest attribution (a speech verb before a belief verb); with
        # none in the sentence, to the person who spoke last, if that was in the last paragraphs.
        groups: dict[int, list[int]] = {}
        carried: dict[int, _Said] = {}
        for index, (start, end) in enumerate(spans):
            if not said:
                if self.last_person is not None and self.paragraph - self.last_person_paragraph <= 2:
                    carried[-1] = _Said(self.last_person, 0.6, "", start, start,
                                        f"no attribution in the sentence: {self.last_person.label}, the last speaker")
                    groups.setdefault(-1, []).append(index)
                else:
                    carried[-2] = _Said(None, 0.0, "", start, start, "no attribution found in the sentence")
                    groups.setdefault(-2, []).append(index)
                continue
            best = min(range(len(said)), key=lambda i: (
                said[i].verb in BELIEF_VERBS,
                min(abs(said[i].verb_start - end), abs(start - said[i].verb_end))))
            groups.setdefault(best, []).append(index)
        spoken: set[str] = set()
        for key, indexes in sorted(groups.items(), key=lambda kv: kv[1][0]):
            who = carried[key] if key < 0 else said[key]
            texts = [_clean_quote(quotes[i].text, own_sentence=quotes[i].text[:1].isupper()) for i in indexes]
            texts = [t for t in texts if t]
            if not texts:
                continue
            if who.document_verb is not None and who.speaker is not None:
                self.provision(who, texts, plain, mentioned)
                continue
            clause = _reported_clause(masked, who) if key >= 0 else None
            self.statement(who, texts, restore(clause) if clause else None, plain, mentioned)
            spoken.add(who.speaker.slug if who.speaker else "")
        # Reported speech: an attribution with no quote of its own, one statement a speaker.
        for index, who in enumerate(said):
            if index in groups or who.speaker is None or who.document_verb is not None:
                continue
            if who.speaker.slug in spoken or who.speaker.section != "actors":
                continue
            clause = _reported_clause(masked, who)
            if clause is None:
                continue
            spoken.add(who.speaker.slug)
            self.statement(who, [], restore(clause), plain, mentioned)
        for who in said:  # the date of these remarks, for the speaker's later ones
            if who.speaker is not None and who.date is not None:
                self.dates[who.speaker.slug] = who.date
        speakers = [s.speaker for s in said if s.speaker is not None and s.speaker.type == "Person"]
        persons = [e for e in mentioned if e.type == "Person"]
        if speakers or persons:
            self.last_person, self.last_person_paragraph = (speakers or persons)[-1], self.paragraph

    def when(self, who: _Said) -> tuple[dt.date, str, str]:
        speaker = who.speaker.slug if who.speaker is not None else ""
        if who.date is not None:
            self.dates[speaker] = who.date
            return who.date[0], who.date[1], "the date beside the attribution"
        if speaker in self.dates:
            day, precision = self.dates[speaker]
            return day, precision, "the date of the speaker’s earlier remarks in the article"
        return self.published, "day", "no date in the text: the publication date"

    def statement(self, who: _Said, quotes: list[str], paraphrase: str | None, plain: str,
                  mentioned: list[Entity]) -> None:
        speaker = who.speaker
        day, precision, dated = self.when(who)
        key = quotes[0] if quotes else re.sub(r"^that\s+", "", paraphrase or "")
        words = re.findall(r"[A-Za-z0-9]+", key.replace("’", "").replace("'", ""))
        base = (speaker.slug if speaker is not None else "unattributed") + "-" + "-".join(
            w.lower() for w in words[:4])
        entry: dict[str, Any] = {"id": self.unique(slug(base)), "curationStatus": "draft"}
        notes = []
        if speaker is None:
            entry["speaker"] = _decide(f"who said this? ({who.how})")
            self.to_decide.append({"entry": entry["id"], "field": "speaker", "why": who.how})
            confidence = 0.0
        else:
            entry["speaker"] = speaker.slug
            confidence = who.confidence
            notes.append(f"speaker: {who.how}")
            behalf = [b for b in speaker.behalf if b != speaker.slug]
            if not behalf and self.lookup is not None and speaker.known and speaker.type == "Person":
                behalf = self.lookup.behalf(speaker.slug, day)
                if behalf:
                    notes.append("on behalf of: from the store's roles held on that date")
            if behalf:
                entry["onBehalfOf"] = behalf
        entry["date"] = day.isoformat()
        entry["datePrecision"] = precision
        notes.append(f"date: {dated}")
        if quotes:
            entry["quote"] = quotes if len(quotes) > 1 else quotes[0]
        if paraphrase:
            entry["paraphrase"] = _sentence_case(re.sub(r"^that\s+", "", paraphrase.strip(" ,—")))
        about = [e.slug for e in mentioned if speaker is None or (e.slug != speaker.slug and e.slug not in speaker.behalf)]
        about += self.topic_slugs(plain)
        if about:
            entry["about"] = list(dict.fromkeys(about))
        entry["attributionConfidence"] = round(confidence, 2)
        self.statements.append(entry)
        self.notes[entry["id"]] = notes
        self.stances(entry, plain, speaker, mentioned, day, precision)

    def provision(self, who: _Said, quotes: list[str], plain: str, mentioned: list[Entity]) -> None:
        resolution = who.speaker
        assert resolution is not None
        entry: dict[str, Any] = {"id": self.unique(slug(f"{resolution.slug}-" + "-".join(
            re.findall(r"[a-z0-9]+", quotes[0].lower())[:4])))}
        entry["partOf"] = resolution.slug
        if who.document_verb and who.document_verb not in ("gave", "gives", "says", "said"):
            entry["operativeVerb"] = re.sub(r"ed\b", "es", who.document_verb) if who.document_verb.endswith(
                ("ized", "olved")) else who.document_verb.replace("called", "calls")
        entry["quote"] = quotes if len(quotes) > 1 else quotes[0]
        entry["paraphrase"] = plain.strip()
        topics = self.topic_slugs(plain)
        about = [e.slug for e in mentioned if e.slug != resolution.slug] + topics
        if about:
            entry["about"] = list(dict.fromkeys(about))
        self.provisions.append(entry)
        self.notes[entry["id"]] = [f"quoted from {resolution.label}: {who.how}"]

    def topic_slugs(self, text: str) -> list[str]:
        """The store's topics named in ``text`` (by up to six words: a lookup per word run)."""
        if not self.topic_names:
            return []
        words = re.findall(r"[\w'’-]+", _norm(text))
        found: list[str] = []
        for i in range(len(words)):
            for n in range(1, 7):
                known = self.topic_names.get(" ".join(words[i:i + n]))
                if known is not None and known.slug not in found:
                    found.append(known.slug)
        return found

    def stances(self, statement: dict[str, Any], text: str, speaker: Entity | None,
                mentioned: list[Entity], day: dt.date, precision: str) -> None:
        if speaker is None:
            return
        for pattern, stance, confidence in STANCE_CUES:
            match = re.search(pattern, text, re.I)
            if match is None:
                continue
            behalf = [self.entities[b] for b in speaker.behalf if b in self.entities]
            states = [b for b in behalf if b.type == "State"]
            holder = (states or behalf or [speaker])[0]
            rest = text[match.end():]
            target = self.target_of(rest, mentioned, holder)
            entry: dict[str, Any] = {"id": self.unique(f"{holder.slug}-{stance.replace('_', '-')}-"
                                                       + (target.slug if target else "target")),
                                     "curationStatus": "draft", "holder": holder.slug, "stance": stance}
            cue = match.group(0)
            if target is None:
                what = re.split(r"[”\"]", _clause_head(rest))[0].strip(" “,")[:80]
                entry["target"] = _decide(f"what “{cue} {what}” is toward")
                self.to_decide.append({"entry": entry["id"], "field": "target", "why": f"cue “{cue}”"})
            else:
                entry["target"] = target.slug
            if stance == "calls_for":
                action = re.search(r"\bto\s+([a-z][^,.;“”\"]{2,80})", text[match.start():])
                if action:
                    entry["demandedAction"] = action.group(1).strip()
                called = re.match(r"(?:called|calls|call) on\s+(?:the\s+)?(.+?)\s+to\b", cue)
                addressee = self.state(called.group(1)) if called else None
                if addressee is not None and addressee.slug != holder.slug:
                    statement.setdefault("addressee", addressee.slug)
            entry["since"] = day.isoformat()
            entry["datePrecision"] = precision
            entry["evidence"] = [statement["id"]]
            entry["attributionConfidence"] = confidence
            self.positions.append(entry)
            self.notes[entry["id"]] = [f"stance suggested by the cue “{cue}” (confidence {confidence})"]
            return

    def target_of(self, rest: str, mentioned: list[Entity], holder: Entity) -> Entity | None:
        low = _norm(_clause_head(rest)[:160])
        low = re.sub(r"^[“”\"]?(?:to|of|on|against|at)?\s*", "", low)
        if re.search(r"\b(?:the|these|those|this|that)\s+(?:sanctions|rule|measure|restrictions|regulation|tariffs|controls)\b", low):
            return self.last_measure
        if re.search(r"\b(?:the|this|that)\s+(?:resolution|initiative|proposal|draft)\b", low):
            return self.last_instrument
        for entity in self.entities.values():
            if entity.section in ("resolutions", "measures") and any(
                    re.search(r"\b" + re.escape(n) + r"\b", low) for n in entity.names()):
                return entity
        return None

    # -- the whole text ----------------------------------------------------------------------------

    def run(self, paragraphs: list[str]) -> None:
        for number, paragraph in enumerate(paragraphs):
            self.paragraph = number
            quotes = quotes_in(paragraph)
            opens = [q.start - 1 for q in quotes]
            for start, end in _sentence_bounds(paragraph, quotes):
                inside = quotes[bisect.bisect_left(opens, start):bisect.bisect_left(opens, end)]
                self.sentence(paragraph[start:end], inside, start)


_STATE_NAMES = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(
    (n for label, names in STATES.items() for n in (label, *names) if n[0].isupper() and len(n) > 2
     and n not in ("US",)), key=len, reverse=True)) + r")(?![\w-])")
_SYMBOL = re.compile(r"\bA/RES/\d+/\d+\b|\bS/RES/\d+\s*\(\d{4}\)")
_ADJECTIVES = "|".join(re.escape(n) for n in sorted(
    (n for label, names in STATES.items() for n in (label, *names)), key=len, reverse=True))
_RESOLUTION = re.compile(
    rf"\b(?:(?:the|a|an|that|this)\s+)?(?:(?:first|second|new|just-adopted|landmark|nonbinding|draft)\s+)?"
    rf"(?:(?P<who>{_ADJECTIVES})(?:-(?:sponsored|led|drafted|backed|proposed))?\s+)?"
    rf"(?:(?:U\.N\.|UN|United Nations)\s+)?(?:General Assembly\s+)?"
    rf"(?P<noun>resolution|measure)(?P<plural>s)?\b"
    rf"(?:\s+(?:this year\s+)?on\s+(?P<on>(?:(?!(?:spearheaded|sponsored|led|drafted|proposed|backed|put|that|which|and|"
    rf"this|adopted|approved|by)\b)[\w’'-]+\s?)+))?"
    rf"(?:\s*(?:spearheaded|sponsored|led|drafted|proposed|put forward|backed)\s+by\s+(?:the\s+)?(?P<by>{_ADJECTIVES}))?"
    rf"(?=[\s,.;:—]|$)"
    rf"|(?P<generic>\b[Tt]he resolution\b)")
_MEASURE = re.compile(
    r"(?:\b(?:the|a|an)\s+)?(?:(?P<owner>(?:[A-Z][\w.]*\s+){1,4}(?:Department|Ministry|Treasury|Commission|"
    r"Administration|Office|Government))[’']s\s+)?(?P<status>proposed\s+|new\s+|planned\s+|draft\s+)?"
    r"(?:(?:U\.S\.|Chinese|American|British|French|Russian|EU|European)\s+)?(?P<noun>rule|regulation|executive order|export controls|tariffs|ban)\b"
    r"|(?P<ref>\b(?:these|those|the)\s+(?:sanctions|rule|restrictions)\b)")
_DOC_VERB = re.compile(r"\b(" + "|".join(re.escape(v) for v in sorted(DOCUMENT_VERBS, key=len, reverse=True)) + r")\b")


def _adjective(state: Entity) -> str:
    """How a resolution's sponsor is named before it: "Chinese", "U.S."."""
    names = STATES.get(state.label, ())
    for name in names:
        if name.endswith(".") or name in DEMONYMS:
            return name
    return state.label


def _role_noun(low: str) -> str | None:
    for noun in sorted(ROLE_NOUNS, key=len, reverse=True):
        if re.search(r"\b" + re.escape(noun) + r"\b", low):
            return noun
    return None


_NAME_TOKEN = r"[A-Z][a-zà-ÿ’'-]+|[A-Z]\.|[A-Z][a-z]+-[A-Z][a-z]+"


def _name_run(text: str) -> str | None:
    """The capitalised words a phrase ends with, if they look like a person's name."""
    match = re.search(rf"((?:(?:{_NAME_TOKEN})\s+){{0,3}}(?:{_NAME_TOKEN}))\s*$", text.strip())
    if match is None:
        return None
    tokens = match.group(1).split()
    while tokens and (tokens[0].lower() in NOT_NAMES or tokens[0].lower() in WEEKDAYS):
        tokens.pop(0)
    if not tokens or any(t.lower().strip(".") in MONTHS or t.lower() in WEEKDAYS for t in tokens):
        return None
    return " ".join(tokens)


_ADVERBS = r"(?:also|however|again|later|then|previously|repeatedly|publicly|flatly|strongly|sharply|firmly|" \
           r"harshly|has|had|have|was|is|would|will|further|separately|quickly|once more|in turn|too|on \w+day)"


def _subject(before: str) -> tuple[str, str | None]:
    """The subject phrase that ends ``before`` (the text before a verb), and an appositive
    inside commas after it: "Fu Cong, China’s U.N. ambassador," → ("Fu Cong", "China’s U.N.
    ambassador")."""
    text = before.rstrip()
    while True:
        stripped = re.sub(rf"\b{_ADVERBS}\s*,?$", "", text).rstrip()
        stripped = re.sub(r",\s*(?:however|meanwhile|though|too|in turn)\s*,?$", "", stripped).rstrip()
        if stripped == text:
            break
        text = stripped
    appositive = None
    if text.endswith(","):
        inner = text[:-1]
        comma = inner.rfind(",")
        if comma != -1:
            head, appositive = inner[:comma], inner[comma + 1:].strip()
            if _name_run(appositive) == appositive.strip() and _role_noun(_norm(head)):
                # "the spokesperson for the U.S. mission to the United Nations, Nate Evans,"
                role = re.search(r"((?:the|a|an)\s+[^,]*)$", head)
                return appositive, role.group(1) if role else head
            text = head
        else:
            text = inner
    text = text.rstrip(" ,")
    match = re.search(r"(?:^|[\s(])((?:[Tt]he|[Aa]n?)\s+[^,;:⟦⟧]*?)$", text)
    candidate = None
    possessive = re.search(r"(?:^|\s)((?:[A-Z][\w.’'-]*\s+)*[A-Z][\w.-]*[’']s\s+[^,;:⟦⟧]*)$", text)
    if possessive and _role_noun(_norm(possessive.group(1))):  # "China's ambassador to the United Nations"
        return possessive.group(1), None
    if match and (_role_noun(_norm(match.group(1))) or re.search(r"\b(?:resolution|measure|"
                                                                 + "|".join(ORG_NOUNS) + r")\b", match.group(1).lower())):
        candidate = match.group(1)
    if candidate is None:
        pronoun = re.search(r"(?:^|\s)(he|she|it|they|He|She|It|They)$", text)
        if pronoun:
            return pronoun.group(1), None
        name = _name_run(text)
        if name:
            words_before = text[:len(text) - len(name)].rstrip()
            if words_before and not words_before.endswith((",", "—", "⟧", ":", ";")) and re.search(
                    r"[a-z]$", words_before) and not re.search(
                    r"\b(?:and|but|that|as|while|adding|because|when|after)$", words_before):
                # "… in Geneva on controlling weapons, Fu said" is fine (comma); "the United States said"
                # at the end of a longer clause is fine too; a bare lower-case word before means the
                # name is an object ("told the U.S."), unless a clause ends there
                if not re.search(r",\s*\S*$", text[:len(text) - len(name)] + "x"):
                    pass
            return name, appositive
        return "", None
    return candidate, appositive


def _inverted_subject(after: str) -> tuple[str, str | None] | None:
    """``⟦0⟧, said Nate Evans, spokesperson for …,`` → ("Nate Evans", "spokesperson for …")."""
    match = re.match(rf"\s+((?:(?:{_NAME_TOKEN})\s+){{0,3}}(?:{_NAME_TOKEN})|(?:the|a|an)\s+[^,.;⟦]+?)"
                     rf"(?:,\s*(?P<app>[^,;⟦]+?)(?:,|\.?\s*$)|(?=[.,;]|\s+⟦|$))", after)
    if match is None:
        return None
    return match.group(1), match.group("app")


def _reported_clause(masked: str, who: _Said) -> str | None:
    """The words reported in a sentence without its own quotes: what follows "said (that)" or
    precedes ", Fu said" — or the whole sentence for "criticized …", "called on … to …"."""
    after = masked[who.verb_end:]
    before = masked[:who.verb_start]
    if who.verb in BELIEF_VERBS:
        return masked
    if who.verb in ("criticized", "criticised", "called", "urged", "praised", "welcomed", "rejected",
                    "condemned", "denounced", "complained", "warned") and len(after.strip(" .")) > 10:
        return masked
    rest = re.sub(r"^\s+(?:to\s+)?(?:reporters|journalists|the press)\b", "", after)
    rest = re.sub(rf"^\s+(?:on\s+)?(?:{_WEEKDAY}|{_MONTH}\s+\d{{1,2}}|yesterday|today)\b,?", "", rest)
    rest = re.sub(r"^\s+(?:in a statement|in an interview|in a speech)\b,?", "", rest)
    that = re.match(r"^[^⟦,;.]{0,60}?\bthat\s+(?=\w|⟦)", rest)
    if that:
        return rest[that.end():]
    if (re.match(r"^\s+[A-Za-z“⟦]", rest) and len(rest.split()) > 4
                                             and not re.match(r"^\s+(?:on|in|at|to|after|before|during)\b", rest)):
        return rest
    if re.search(r"\w", before) and "," in before and len(before.split()) > 5 and "⟦" not in before:
        return before[:before.rfind(",")]
    return None


def _clause_head(text: str) -> str:
    """Text up to the end of its clause: a semicolon, or a full stop that ends a sentence (not the
    one of "U.S.")."""
    for match in re.finditer(r";|\.(?=\s|$)", text):
        if match.group() == "." and re.search(r"(?:\b[A-Z]\.[A-Z]|\b[A-Z]|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|"
                                              r"Oct|Nov|Dec|Mr|Mrs|Ms|Dr|St|Gen|Gov|Sen|Rep))$", text[:match.start()]):
            continue
        return text[:match.start()]
    return text


def _sentence_case(text: str) -> str:
    text = re.sub(r"[,;:—\s]+$", "", text)
    if text and not text.endswith((".", "?", "!", "”")):
        text += "."
    return text[:1].upper() + text[1:]


def _date_at(text: str, published: dt.date) -> tuple[dt.date, str] | None:
    match = DATE_EXPRESSION.match(text.strip())
    return _resolve(match, published) if match else None


_NOT_SPEAKING = re.compile(
    r"\b(?:announced|adopted|approved|published|issued|released|signed|unveiled|passed|proposed|held|"
    r"since|until|from|between|by|to|which|that|when|was|were)\s+(?:on\s+|in\s+)?$", re.I)


def speech_date(masked: str, verb_start: int, verb_end: int, clause_start: int, published: dt.date,
                last_date: tuple[dt.date, str] | None) -> tuple[dt.date, str] | None:
    """The date a sentence gives for the speaking: in the verb phrase ("told reporters Monday",
    "said last month that", "told reporters after last Monday’s vote") or in the subject's clause
    ("On Friday, Fu said", "In remarks to reporters last month, Fu said"); "that day" is the
    last date the article named. Dates of other things ("announced on June 21") are skipped.

    >>> s = "Fu Cong told reporters after last Monday’s vote that it was fine."
    >>> speech_date(s, 8, 12, 0, dt.date(2024, 7, 8), None)
    (datetime.date(2024, 7, 1), 'day')
    """
    phrase = _clause_head(masked[verb_end:])
    stop = re.search(r"\bthat\b|[,;:⟦]", phrase)
    phrase = phrase[:stop.start()] if stop else phrase
    for text, offset in ((phrase, 0), (masked[clause_start:verb_start], 0)):
        if re.search(r"\b(?:that|the same) day\b", text) and last_date is not None:
            return last_date
        for match in DATE_EXPRESSION.finditer(text):
            if _NOT_SPEAKING.search(text[:match.start()]):
                continue
            resolved = _resolve(match, published)
            if resolved is not None:
                return resolved
    return None


def _resolve(match: re.Match[str] | None, published: dt.date) -> tuple[dt.date, str] | None:
    """A date expression read against the publication date: a weekday is the last such day on or
    before it ("last Monday": before it), "March 21" the one of that year (of the year before
    when it would be more than a month ahead).

    >>> _resolve(DATE_EXPRESSION.search("Monday"), dt.date(2024, 7, 2))
    (datetime.date(2024, 7, 1), 'day')
    >>> _resolve(DATE_EXPRESSION.search("this year"), dt.date(2024, 7, 2))
    (datetime.date(2024, 1, 1), 'year')
    """
    if match is None:
        return None
    groups = match.groupdict()
    if groups.get("weekday"):
        target = WEEKDAYS.index(groups["weekday"].lower())
        back = (published.weekday() - target) % 7
        if groups.get("last") and groups["last"].lower() in ("last", "this past") and back == 0:
            back = 7
        return published - dt.timedelta(days=back), "day"
    if groups.get("month"):
        month = MONTHS[groups["month"].lower().rstrip(".")]
        year = int(groups["year"]) if groups.get("year") else published.year
        try:
            day = dt.date(year, month, int(groups["day"]))
        except ValueError:
            return None
        if not groups.get("year") and day > published + dt.timedelta(days=31):
            day = day.replace(year=year - 1)
        return day, "day"
    if groups.get("relday"):
        return published - dt.timedelta(days=1 if groups["relday"].lower() == "yesterday" else 0), "day"
    if groups.get("monthonly"):
        month = MONTHS[groups["monthonly"].lower().rstrip(".")]
        year = int(groups["monthyear"]) if groups.get("monthyear") else published.year
        if not groups.get("monthyear") and dt.date(year, month, 1) > published:
            year -= 1
        return dt.date(year, month, 1), "month"
    if groups.get("unit"):
        shift = {"this": 0, "last": -1, "next": 1}[groups["rel"].lower()]
        if groups["unit"] == "year":
            return dt.date(published.year + shift, 1, 1), "year"
        month = published.month + shift
        year = published.year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1), "month"
    return None


def _paragraphs(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def extract(text: str, *, published: dt.date, publisher: str | None = None, title: str | None = None,
            url: str | None = None, lookup: Lookup | None = None) -> Draft:
    """Draft entries for an article's ``text`` published on ``published``."""
    paragraphs = _paragraphs(text)
    # Leading lines without a final stop are the headline and its summary.
    heads = []
    # The headline is the first paragraph when it is one short line (the command asks for the text
    # headline first); a summary line without a final stop may follow it.
    first = text.strip().split("\n", 1)[0]
    if (len(paragraphs) > 1 and paragraphs[0] == first.strip() and len(first) <= 200 and not _DATELINE.match(first)
            and not re.search(r"[“”\"]", first)
            and (not re.search(r"[.?!]$", first) or re.search(r"\b(?:[A-Z]\.)+$", first))):
        heads.append(paragraphs.pop(0))
    while paragraphs and not re.search(r"[.?!”\"’)]$", paragraphs[0]) and len(paragraphs) > 1:
        heads.append(paragraphs.pop(0))
    if title is None and heads:
        title = heads[0]
    if paragraphs:
        paragraphs[0] = _DATELINE.sub("", paragraphs[0], count=1)
    extractor = _Extractor(published, lookup)
    source_notes = []
    publisher_entity = None
    if publisher:
        publisher_entity = extractor.entity(publisher, "actors", "NewsOrganization")
    extractor.run(paragraphs)
    source: dict[str, Any] = {}
    short = "".join(w[0] for w in publisher.split() if w[:1].isupper()).lower() if publisher else "source"
    title_words = slug(title or "article").split("-")[:6]
    source["id"] = slug(f"{short}-{published.isoformat()}-" + "-".join(title_words))
    source["type"] = "NewsArticle"
    source["title"] = title or _decide("the article's title")
    if title is None:
        extractor.to_decide.append({"entry": source["id"], "field": "title", "why": "no title given or found"})
    if publisher_entity is not None:
        source["publisher"] = publisher_entity.slug
    else:
        source["publisher"] = _decide("the publisher (an actor id)")
        extractor.to_decide.append({"entry": source["id"], "field": "publisher", "why": "no --publisher given"})
        source_notes.append("publisher: not given")
    source["issued"] = published.isoformat()
    if url:
        source["url"] = url
    entries: dict[str, Any] = {"source": source}
    actors = [e for e in extractor.entities.values() if e.section == "actors" and not e.known]
    if actors:
        entries["actors"] = [_entry(e) for e in actors]
    if extractor.roles:
        entries["roles"] = list(extractor.roles.values())
    if extractor.memberships:
        entries["memberships"] = extractor.memberships
    for section in ("resolutions", "measures"):
        items = [e for e in extractor.entities.values() if e.section == section and not e.known]
        if items:
            entries[section] = [_entry(e) for e in items]
    if extractor.provisions:
        entries["provisions"] = extractor.provisions
    if extractor.statements:
        entries["statements"] = extractor.statements
    if extractor.positions:
        entries["positions"] = extractor.positions
    notes = dict(extractor.notes)
    why = "not found in the store by its names" if lookup is not None else "drafted without a store"
    for entity in extractor.entities.values():
        if not entity.known and entity.section != "actors":
            notes.setdefault(entity.slug, []).append(f"proposed as new: {why}")
    return Draft(entries, notes, extractor.to_decide)


def _entry(entity: Entity) -> dict[str, Any]:
    """The entry proposing a new actor, resolution or measure."""
    entry: dict[str, Any] = {"id": entity.slug}
    if entity.section == "actors":
        entry["type"] = entity.type or "Organization"
    entry["label"] = entity.label
    alt = [a for a in entity.alt if _norm(a) != _norm(entity.label)]
    if alt:
        entry["altLabel"] = list(dict.fromkeys(alt))
    entry.update(entity.fields)
    return entry
