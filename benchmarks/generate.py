"""A seeded synthetic "who said what" graph shaped like the real data, at any size.

``python -m benchmarks.generate --statements N --seed S --out DIR`` writes

- ``DIR/entries/bench-registry.yaml``: a directory source that defines the shared entities —
  actors (people, states, ministries, international and news organizations, groups), roles,
  memberships over time (roles held by people, dated), topics, resolutions and measures;
- ``DIR/entries/<source>.yaml``: one entry file per source (a news report), in the format of
  ``data/ap-2024-07-02-un-ai-resolutions.yaml`` (docs/entries.md): the source, the press
  briefings it reports (events), its statements (speaker, onBehalfOf, date, quotes and/or
  paraphrases, about, occasion) and the positions they show (holder, stance, target, since,
  evidence: statements by the holder or on its behalf, from the same source, so never dated
  after it);
- ``DIR/dump.nq``: the same graph as N-Quads, one named graph per source, exactly the triples
  ``policykg load`` derives from the entry files (produced with :func:`kg.entries.parse_batch`);
- ``DIR/curator/bench-curator.yaml``: one more source of 20 statements (a curator's file), not
  in the dump, that the runner validates and commits into the full store;
- ``DIR/manifest.json``: counts and the slugs the runner binds queries to (head, middle and
  tail actors of the Zipf distribution).

Speaking activity is Zipf-distributed (weight ∝ 1/rank) over the actors that speak, so a few
actors dominate, as in news. Everything derives from ``--seed``: the same seed and size give
the same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY = "bench-registry"
_FIRST_DAY = dt.date(2015, 1, 1)
_LAST_DAY = dt.date(2025, 12, 31)
_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vo", "su", "dan", "el", "fi", "gor", "ha", "is",
              "ju", "ko", "lin", "mar", "no", "pe", "qua", "ri", "sa", "to", "ul", "ve", "wen",
              "xi", "ya", "zo", "bel", "cor", "dre")
_WORDS = ("we", "will", "the", "international", "community", "must", "support", "oppose",
          "cooperation", "sanctions", "development", "security", "resolution", "measure",
          "countries", "our", "position", "firmly", "welcome", "concern", "dialogue", "rules",
          "standards", "investment", "technology", "artificial", "intelligence", "capacity",
          "building", "inclusive", "fair", "open", "nondiscriminatory", "dangerous", "risks",
          "benefits", "partners", "negotiations", "agreement", "commitment", "transparent",
          "responsible", "governance", "progress", "multilateral", "urgent", "action", "lift",
          "restrictions", "trade", "climate", "human", "rights", "data", "protection", "peace",
          "stability", "growth", "digital", "divide", "trust", "safety", "cannot", "accept",
          "appreciate", "efforts", "shared", "future", "global", "south", "north", "unilateral")
_STANCES = ("supports", "opposes", "neutral", "calls_for")


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def _day(rng: random.Random, start: dt.date = _FIRST_DAY, end: dt.date = _LAST_DAY) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Actor:
    slug: str
    kind: str  # Person, State, GovernmentBody, InternationalOrganization, NewsOrganization, Group
    label: str
    parent: str | None = None
    # (start, end, organization slug, membership id) for people
    roles: list[tuple[dt.date, dt.date | None, str, str, str]] = field(default_factory=list)


@dataclass
class World:
    actors: list[Actor]
    speakers: list[Actor]
    weights: list[float]  # cumulative Zipf weights over speakers
    publishers: list[Actor]
    topics: list[str]
    resolutions: list[str]
    measures: list[str]
    registry_yaml: str


def build_world(statements: int, rng: random.Random) -> World:
    """The shared entities, sized from the number of statements."""
    n_states = max(8, min(190, statements // 60))
    n_io = max(3, min(60, statements // 800))
    n_news = max(3, min(60, statements // 1500))
    n_people = max(12, statements // 30)
    n_topics = max(12, min(600, statements // 150))
    n_resolutions = max(4, statements // 400)
    n_measures = max(3, statements // 1000)

    states = [Actor(f"state-{i:03d}", "State", f"Republic of {_name(rng, 3)}") for i in range(n_states)]
    bodies = []
    for state in states:
        for j, what in enumerate(("Foreign Ministry", "Trade Ministry")):
            bodies.append(Actor(f"{state.slug}-ministry-{j}", "GovernmentBody",
                                f"{what} of {state.label.removeprefix('Republic of ')}", parent=state.slug))
        bodies.append(Actor(f"{state.slug}-un-mission", "GovernmentBody",
                            f"Mission of {state.label.removeprefix('Republic of ')} to the United Nations",
                            parent=state.slug))
    ios = [Actor(f"io-{i:03d}", "InternationalOrganization", f"{_name(rng, 2)} Organization for "
                 f"{rng.choice(('Cooperation', 'Trade', 'Development', 'Security'))}") for i in range(n_io)]
    news = [Actor(f"news-{i:03d}", "NewsOrganization", f"The {_name(rng, 2)} Herald") for i in range(n_news)]
    groups = [Actor(f"group-{i}", "Group", label) for i, label in enumerate(
        ("developing countries", "developed countries", "small island states", "some countries",
         "landlocked countries"))]
    people = [Actor(f"person-{i:05d}", "Person", f"{_name(rng, 2)} {_name(rng, 3)}") for i in range(n_people)]

    roles = ("ambassador", "minister", "spokesperson", "department-head")
    role_org = {"ambassador": "-un-mission", "minister": "-ministry-0", "spokesperson": "-ministry-0",
                "department-head": "-ministry-1"}
    for person in people:
        # A career of one to three roles, back to back; the last may be open-ended.
        start = _day(rng, _FIRST_DAY - dt.timedelta(days=2000), _FIRST_DAY + dt.timedelta(days=1500))
        for k in range(rng.randint(1, 3)):
            role = rng.choice(roles)
            if rng.random() < 0.1:
                org = rng.choice(ios).slug
            else:
                org = rng.choice(states).slug + role_org[role]
            end = start + dt.timedelta(days=rng.randint(400, 2500))
            open_ended = end > _LAST_DAY or rng.random() < 0.15
            person.roles.append((start, None if open_ended else end, org, role, f"{person.slug}-role-{k}"))
            if open_ended:
                break
            start = end + dt.timedelta(days=1)

    speakers = people + bodies + states + ios
    rng.shuffle(speakers)
    weights = list(itertools.accumulate(1.0 / rank for rank in range(1, len(speakers) + 1)))
    topics = [f"topic-{i:03d}" for i in range(n_topics)]
    # Symbols of the UN's form, in sessions that do not exist (100 and up), so never a real one.
    symbols = [f"A/RES/{100 + i // 500}/{i % 500 + 1}" for i in range(n_resolutions)]
    resolutions = [symbol.lower().replace("/", "-") for symbol in symbols]
    measures = [f"measure-{i:05d}" for i in range(n_measures)]

    lines = [
        "# Synthetic benchmark data (benchmarks/generate.py): the shared entities that the",
        "# source files refer to by slug. Not real people, states or organizations.",
        "source:",
        f"  id: {REGISTRY}",
        "  title: Synthetic directory of actors, roles, topics and instruments (benchmark data)",
        f"  publisher: {news[0].slug}",
        "  issued: 2026-01-01",
        "",
        "actors:",
    ]
    all_actors = states + bodies + ios + news + groups + people
    for actor in all_actors:
        lines += [f"  - id: {actor.slug}", f"    type: {actor.kind}", f"    label: {_q(actor.label)}"]
        if actor.parent:
            lines.append(f"    subOrganizationOf: {actor.parent}")
    lines += ["", "roles:"]
    for role in roles:
        lines += [f"  - id: {role}", f"    label: {role.replace('-', ' ')}"]
    lines += ["", "memberships:"]
    for person in people:
        for start, end, org, role, mid in person.roles:
            lines += [f"  - id: {mid}", f"    member: {person.slug}", f"    organization: {org}",
                      f"    role: {role}", f"    startDate: {start.isoformat()}"]
            if end:
                lines.append(f"    endDate: {end.isoformat()}")
            lines.append("    datePrecision: day")
    lines += ["", "resolutions:"]
    for slug, symbol in zip(resolutions, symbols):
        adopted = _day(rng)
        lines += [f"  - id: {slug}", f"    symbol: {symbol}",
                  f"    title: {_q(_sentence(rng, 5, 12))}", f"    adoptedBy: {rng.choice(ios).slug}",
                  f"    adoptedOn: {adopted.isoformat()}",
                  f"    adoptionMethod: {rng.choice(('consensus', 'recordedVote'))}",
                  f"    leadSponsor: {rng.choice(states).slug}", f"    sponsorCount: {rng.randint(1, 150)}",
                  "    binding: false", "    status: adopted",
                  f"    about: [{', '.join(rng.sample(topics, 2))}]"]
    lines += ["", "measures:"]
    for slug in measures:
        lines += [f"  - id: {slug}", f"    label: {_q('Measure ' + _sentence(rng, 3, 8))}",
                  f"    issuedBy: {rng.choice(bodies).slug}", f"    announcedOn: {_day(rng).isoformat()}",
                  "    status: proposed", f"    affects: [{rng.choice(states).slug}, {rng.choice(topics)}]",
                  f"    about: [{rng.choice(topics)}]"]
    lines += ["", "topics:"]
    for slug in topics:
        lines += [f"  - id: {slug}", f"    label: {_q(' '.join(rng.sample(_WORDS, 3)))}"]
    return World(all_actors, speakers, weights, news, topics, resolutions, measures, "\n".join(lines) + "\n")


def _speaker(world: World, rng: random.Random) -> Actor:
    return world.speakers[bisect.bisect_left(world.weights, rng.random() * world.weights[-1])]


def _on_behalf(actor: Actor, day: dt.date) -> list[str]:
    """Whom a speaker speaks for on ``day``: the organization of a role held then (and its state)."""
    if actor.kind != "Person":
        return [actor.parent] if actor.parent else []
    for start, end, org, _, _ in actor.roles:
        if start <= day and (end is None or day <= end):
            return [org, org.rsplit("-", 2)[0]] if org.startswith("state-") else [org]
    return []


def source_yaml(world: World, slug: str, n: int, rng: random.Random) -> str:
    """One source's entry file with ``n`` statements."""
    issued = _day(rng, _FIRST_DAY + dt.timedelta(days=30))
    publisher = rng.choice(world.publishers)
    lines = [
        f"# Synthetic benchmark source: {n} statements (benchmarks/generate.py).",
        "source:",
        f"  id: {slug}",
        "  type: NewsArticle",
        f"  title: {_q(_sentence(rng, 6, 14))}",
        f"  publisher: {publisher.slug}",
        f"  issued: {issued.isoformat()}",
    ]
    statements = []
    briefings: dict[str, tuple[str, dt.date]] = {}
    for k in range(n):
        speaker = _speaker(world, rng)
        day = issued - dt.timedelta(days=rng.choice((0, 1, 1, 2, 3, 7, 14)))
        about = rng.sample(world.topics, rng.choice((1, 1, 2)))
        if rng.random() < 0.5:
            about.insert(0, rng.choice(world.resolutions if rng.random() < 0.6 else world.measures))
        occasion = None
        if speaker.kind == "Person" and rng.random() < 0.5:
            occasion = f"{slug}-briefing-{speaker.slug}"
            briefings.setdefault(occasion, (speaker.slug, day))
            day = briefings[occasion][1]
        statements.append((f"s{k:03d}", speaker, day, _on_behalf(speaker, day), about, occasion))
    if briefings:
        lines += ["", "events:"]
        for event, (who, day) in briefings.items():
            lines += [f"  - id: {event}", "    type: PressBriefing", f"    label: {_q('Press briefing by ' + who)}",
                      f"    date: {day.isoformat()}", "    datePrecision: day", f"    participant: {who}"]
    lines += ["", "statements:"]
    for sid, speaker, day, behalf, about, occasion in statements:
        lines += [f"  - id: {sid}", f"    speaker: {speaker.slug}"]
        if behalf:
            lines.append(f"    onBehalfOf: {behalf[0] if len(behalf) == 1 else '[' + ', '.join(behalf) + ']'}")
        lines += [f"    date: {day.isoformat()}", "    datePrecision: day"]
        if occasion:
            lines.append(f"    occasion: {occasion}")
        kind = rng.random()
        if kind < 0.7:
            lines.append(f"    quote: {_q(_sentence(rng, 4, 18))}")
        if kind >= 0.4:
            lines.append(f"    paraphrase: {_q(_sentence(rng, 10, 30))}")
        lines.append(f"    about: [{', '.join(about)}]")
    # Positions: a holder's stance toward something its statements here are about.
    positions: list[str] = []
    n_positions = 0
    holders: dict[tuple[str, str], list[tuple[str, dt.date]]] = {}
    for sid, speaker, day, behalf, about, _ in statements:
        for holder in [speaker.slug, *behalf]:
            holders.setdefault((holder, about[0]), []).append((sid, day))
    for (holder, target), evidence in holders.items():
        if rng.random() < 0.3:
            stance = rng.choice(_STANCES)
            since = min(day for _, day in evidence)
            n_positions += 1
            positions += [f"  - id: p{n_positions:03d}", f"    holder: {holder}", f"    stance: {stance}",
                          f"    target: {target}", f"    since: {since.isoformat()}", "    datePrecision: day"]
            if stance == "calls_for":
                positions.append(f"    demandedAction: {_q(' '.join(rng.sample(_WORDS, 3)))}")
            positions.append(f"    evidence: [{', '.join(sid for sid, _ in evidence)}]")
    if positions:
        lines += ["", "positions:", *positions]
    return "\n".join(lines) + "\n"


def generate(statements: int, seed: int, out: Path, *, nquads: bool = True) -> dict:
    """Write the entry files, the N-Quads dump and the manifest to ``out``; return the manifest."""
    rng = random.Random(seed)
    world = build_world(statements, rng)
    entries = out / "entries"
    if entries.exists():
        shutil.rmtree(entries)
    entries.mkdir(parents=True)
    (entries / f"{REGISTRY}.yaml").write_text(world.registry_yaml, encoding="utf-8")
    sizes = []
    left = statements
    while left > 0:
        n = min(left, rng.choice((5, 8, 10, 12, 15, 20, 20, 25, 30, 40)))
        sizes.append(n)
        left -= n
    files = []
    for i, n in enumerate(sizes):
        slug = f"bench-src-{i:06d}"
        (entries / f"{slug}.yaml").write_text(source_yaml(world, slug, n, rng), encoding="utf-8")
        files.append(f"{slug}.yaml")
    # A curator's file of 20 statements, kept apart: the runner loads it into the full store.
    curator = out / "curator"
    curator.mkdir(exist_ok=True)
    (curator / "bench-curator.yaml").write_text(source_yaml(world, "bench-curator", 20, rng), encoding="utf-8")
    counts: dict[str, int] = {}
    for actor in world.actors:
        counts[actor.kind] = counts.get(actor.kind, 0) + 1
    speakers = [a.slug for a in world.speakers]
    people = [a.slug for a in world.speakers if a.kind == "Person"]
    states = [a.slug for a in world.speakers if a.kind == "State"]
    manifest = {
        "generator": "benchmarks/generate.py",
        "seed": seed,
        "statements": statements,
        "sources": len(sizes),
        "files": len(sizes) + 1,
        "actors": counts,
        "topics": len(world.topics),
        "resolutions": len(world.resolutions),
        "measures": len(world.measures),
        # Zipf ranks: head (most active), middle and tail speakers, for realistic bindings.
        "speakers_by_activity": speakers[:5] + speakers[len(speakers) // 10:len(speakers) // 10 + 3]
        + speakers[len(speakers) // 2:len(speakers) // 2 + 2],
        "people_by_activity": people[:3] + people[len(people) // 4:len(people) // 4 + 2],
        "states_by_activity": states[:3] + states[len(states) // 2:len(states) // 2 + 1],
        "topics_sample": world.topics[:3],
        "resolutions_sample": world.resolutions[:3],
        "international_organizations": [a.slug for a in world.actors if a.kind == "InternationalOrganization"][:3],
        "source_sample": [f.removesuffix(".yaml") for f in files[:3]],
    }
    if nquads:
        manifest["quads"] = write_nquads(entries, out / "dump.nq")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_nquads(entries: Path, target: Path, *, chunk: int = 500) -> int:
    """The triples ``policykg load`` derives from the entry files, as N-Quads; the quad count."""
    from kg.entries import NamedInput, parse_batch
    from kg.iris import Iris

    iris = Iris()
    registry = NamedInput.read(entries / f"{REGISTRY}.yaml")
    others = sorted(p for p in entries.glob("*.yaml") if p.stem != REGISTRY)
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for start in range(0, max(len(others), 1), chunk):
            items = [registry] + [NamedInput.read(p) for p in others[start:start + chunk]]
            batch = parse_batch(items, iris=iris)
            for source in batch.sources:
                if source.slug == REGISTRY and start > 0:
                    continue
                graph = f"<{source.graph_iri}>"
                for triple in source.triples:
                    out.write(f"{triple.subject} {triple.predicate} {triple.object} {graph} .\n")
                    count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, required=True, help="number of statements")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same bytes)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--no-nquads", action="store_true", help="write the entry files only")
    args = parser.parse_args()
    manifest = generate(args.statements, args.seed, args.out, nquads=not args.no_nquads)
    print(json.dumps({k: manifest[k] for k in ("statements", "sources", "files", "quads") if k in manifest}))


if __name__ == "__main__":
    main()
