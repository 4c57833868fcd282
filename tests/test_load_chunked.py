"""Loads committed in chunks of files (``policykg load --chunk-mb``): the same graph as one
transaction, each source all or nothing, and a failure that says what stayed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from benchmarks.generate import generate
from kg.errors import EngineError, EntryError, PartlyLoaded
from kg.history import version_quads, versions
from kg.load import load_paths
from kg.store import Store
from tests.test_cli import run

RECORDED_AT = "https://w3id.org/policykg/ontology#recordedAt"

SOURCE = """\
source: {{id: {slug}, title: A report, publisher: press, issued: 2024-07-02}}
statements:
  - {{id: said, speaker: {speaker}, date: 2024-07-01, paraphrase: {words}}}
"""
REGISTRY = """\
source: {id: registry, title: Who is who, publisher: press, issued: 2024-07-01}
actors:
  - {id: press, type: NewsOrganization, label: Press}
  - {id: fu-cong, type: Person, label: Fu Cong}
"""


def quads(store: Store) -> set[str]:
    """The store's quads but the load times (``pk:recordedAt``), which differ between loads."""
    return {str(q) for q in store if q.predicate.value != RECORDED_AT}


def files(tmp_path: Path, *texts: tuple[str, str]) -> list[Path]:
    paths = []
    for name, text in texts:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("reader", ["worker process", "this process"])
def test_chunks_give_the_same_graph_as_one_transaction(store: Store, tmp_path: Path, reader: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if reader == "worker process":  # as for large imports, whatever the size
        monkeypatch.setattr("kg.load.READER_MIN_BYTES", 0)
    generate(60, 11, tmp_path, nquads=False)
    entries = tmp_path / "entries"
    whole = load_paths([entries], store)
    expected = quads(store)
    store.clear()
    # Chunks of about 2 kB: each file a chunk of its own, so every chunk is checked while the
    # one before it is being written (the registry first: every source refers to it).
    chunked = load_paths([entries], store, chunk_bytes=2000)
    assert len(list(entries.glob("*.yaml"))) > 3
    assert quads(store) == expected
    assert sorted(chunked.loaded) == sorted(whole.loaded) and chunked.triples == whole.triples
    again = load_paths([entries], store, chunk_bytes=2000)
    assert again.loaded == [] and sorted(again.unchanged) == sorted(whole.loaded)


def test_each_chunk_keeps_its_versions(tmp_path: Path) -> None:
    # A chunk's versions go to the history store while the chunk before it is written to the
    # main one: each source's version 1 holds what its graph holds.
    generate(80, 12, tmp_path, nquads=False)
    with Store(tmp_path / "store") as store:
        report = load_paths([tmp_path / "entries"], store, chunk_bytes=2000)
        assert len(report.loaded) >= 3
        for slug in report.loaded:
            (version,) = versions(store, slug)
            assert version.recorded and version.number == 1
            kept = {(q.subject, q.predicate, q.object) for q in version_quads(store, slug, 1)}
            graph = {(q.subject, q.predicate, q.object) for q in store._graph_quads(store.iris.graph(slug))}
            assert kept == graph and len(kept) == version.triples


def test_a_chunk_whose_versions_cannot_be_kept_is_not_written(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    paths = files(tmp_path, ("a.yaml", REGISTRY),
                  *((f"{slug}.yaml", SOURCE.format(slug=slug, speaker="fu-cong", words=f"Fu in {slug}"))
                    for slug in ("b-report", "c-report", "d-report")))
    with Store(tmp_path / "store") as store:
        keep, calls = store.keep_versions, []

        def failing(sources, change=None):  # type: ignore[no-untyped-def]
            calls.append(sources)
            if len(calls) == 3:
                raise EngineError("the history store could not write")
            return keep(sources, change)

        monkeypatch.setattr(store, "keep_versions", failing)
        with pytest.raises(PartlyLoaded) as caught:
            load_paths(paths, store, chunk_bytes=1)
        assert sorted(caught.value.committed) == ["b-report", "registry"]
        assert "could not write" in str(caught.value.failure)
        graphs = set(store.graphs())
        assert store.iris.graph("b-report") in graphs
        assert not {store.iris.graph("c-report"), store.iris.graph("d-report")} & graphs
        monkeypatch.undo()
        report = load_paths(paths, store, chunk_bytes=1)
        assert report.loaded == ["c-report", "d-report"]
        assert [v.number for v in versions(store, "c-report")] == [1]


def test_a_failing_chunk_is_not_written_and_the_chunks_before_it_stay(store: Store, tmp_path: Path) -> None:
    good = files(tmp_path, ("a.yaml", REGISTRY),
                 ("b.yaml", SOURCE.format(slug="b-report", speaker="fu-cong", words="Fu spoke")))
    bad = files(tmp_path, ("c.yaml", SOURCE.format(slug="c-report", speaker="nobody", words="Who spoke")))
    with pytest.raises(PartlyLoaded) as caught:
        load_paths([*good, *bad], store, chunk_bytes=1)
    assert sorted(caught.value.committed) == ["b-report", "registry"]
    assert isinstance(caught.value.failure, EntryError)
    assert "unknown reference 'nobody'" in str(caught.value.failure)
    assert "run the same command again to resume" in str(caught.value)
    graphs = set(store.graphs())
    assert store.iris.graph("b-report") in graphs and store.iris.graph("c-report") not in graphs
    # Mended, the same command resumes: what was written is skipped as unchanged.
    bad[0].write_text(SOURCE.format(slug="c-report", speaker="fu-cong", words="Fu again"), encoding="utf-8")
    report = load_paths([*good, *bad], store, chunk_bytes=1)
    assert report.loaded == ["c-report"] and sorted(report.unchanged) == ["b-report", "registry"]


def test_a_file_may_not_refer_to_a_later_chunk(store: Store, tmp_path: Path) -> None:
    paths = files(tmp_path, ("a.yaml", SOURCE.format(slug="a-report", speaker="fu-cong", words="Fu spoke")),
                  ("b.yaml", REGISTRY))
    with pytest.raises(PartlyLoaded) as caught:
        load_paths(paths, store, chunk_bytes=1)
    assert caught.value.committed == [] and len(store) == 0
    assert "unknown reference 'fu-cong'" in str(caught.value.failure)
    # In one transaction the same files load: every file sees every other.
    assert sorted(load_paths(paths, store).loaded) == ["a-report", "registry"]


def test_a_source_given_twice_across_chunks_is_refused(store: Store, tmp_path: Path) -> None:
    paths = files(tmp_path, ("a.yaml", REGISTRY),
                  ("b.yaml", SOURCE.format(slug="report", speaker="fu-cong", words="First")),
                  ("c.yaml", SOURCE.format(slug="report", speaker="fu-cong", words="Second")))
    with pytest.raises(PartlyLoaded) as caught:
        load_paths(paths, store, chunk_bytes=1)
    assert "source 'report' is also given by" in str(caught.value.failure)
    words = {q.object.value for q in store if q.predicate.value.endswith("#paraphrase")}
    assert words == {"First"}


def test_a_syntax_error_in_a_later_chunk(store: Store, tmp_path: Path) -> None:
    paths = files(tmp_path, ("a.yaml", REGISTRY), ("b.yaml", "source: [unclosed\n"))
    with pytest.raises(PartlyLoaded) as caught:
        load_paths(paths, store, chunk_bytes=1)
    assert isinstance(caught.value.failure, EntryError) and caught.value.committed == ["registry"]


def test_the_cli_loads_in_chunks_and_says_what_stayed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    paths = files(tmp_path, ("a.yaml", REGISTRY),
                  ("b.yaml", SOURCE.format(slug="b-report", speaker="nobody", words="Who")))
    failed = run("load", "--chunk-mb", "0.000001", *map(str, paths), store=store, check=False)
    assert failed.returncode == 1
    assert "unknown reference 'nobody'" in failed.stderr
    assert "1 problem(s); the chunk that failed was not written; 1 source(s)" in failed.stderr
    paths[1].write_text(SOURCE.format(slug="b-report", speaker="fu-cong", words="Fu"), encoding="utf-8")
    done = run("load", "--chunk-mb", "0.000001", *map(str, paths), store=store)
    assert "loaded b-report" in done.stdout and "unchanged registry" in done.stdout
    refused = run("load", "--chunk-mb", "1", "--server", "http://127.0.0.1:9", str(paths[0]), store=store,
                  check=False)
    assert refused.returncode == 1 and "--chunk-mb is for a store opened here" in refused.stderr


def test_a_large_dump_is_read_as_it_streams_in_chunks_of_whole_graphs(
        store: Store, tmp_path: Path, tmp_store_dir: Path) -> None:
    generate(60, 12, tmp_path, nquads=False)
    dump = tmp_path / "dump.nq"
    with Store(tmp_store_dir, keep_history=False) as on_disk:  # its dumps have each graph's quads together
        load_paths([tmp_path / "entries"], on_disk)
        before = {str(q) for q in on_disk}
        with dump.open("wb") as out:
            on_disk.export(RdfFormat.N_QUADS, out)
    graphs = [line.rsplit(" ", 2)[-2] for line in dump.read_text().splitlines()]
    assert graphs.index(f"<{store.iris.meta_graph}>") > 0  # the metadata are not first: read beforehand
    # Sources come before the registry they refer to: their pieces are held until it is written.
    assert graphs.index(f"<{store.iris.graph('bench-registry')}>") > 0
    report = load_paths([dump], store, chunk_bytes=5000)  # pieces of about 25 quads: one graph or two
    assert {str(q) for q in store} == before  # the metadata restored as the dump has them
    assert len(report.loaded) == len(set(graphs)) - 1


def test_a_dump_whose_graphs_are_interleaved_is_refused_in_chunks(store: Store, tmp_path: Path) -> None:
    generate(30, 13, tmp_path)
    lines = (tmp_path / "dump.nq").read_text().splitlines()
    lines.append(lines[0])  # the first graph again, after the others
    dump = tmp_path / "shuffled.nq"
    dump.write_text("\n".join(lines) + "\n")
    with pytest.raises(PartlyLoaded) as caught:
        load_paths([dump], store, chunk_bytes=dump.stat().st_size // 2)
    assert "are not all together in the file" in str(caught.value.failure)
    load_paths([dump], store)  # in one transaction, the order does not matter


def test_a_syntax_error_in_a_large_dump_writes_nothing(store: Store, tmp_path: Path) -> None:
    generate(30, 14, tmp_path)
    dump = tmp_path / "dump.nq"
    dump.write_text(dump.read_text() + "<http://example.org/s> <http://example.org/p> .\n")
    with pytest.raises(PartlyLoaded) as caught:
        load_paths([dump], store, chunk_bytes=1000)
    assert "N-Quads syntax error" in str(caught.value.failure) and caught.value.committed == []
    assert len(store) == 0
