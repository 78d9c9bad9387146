"""The stored queries are standard SPARQL 1.1 with the same answers on every store, and kg publish fills a real
Virtuoso server.

Every stored query, with the parameters of each of its ``# Example:`` lines and a few more (one that names
nothing), runs on the default build in pyoxigraph the way ``kg query`` runs it (parameters substituted,
SEP-0007), and on three other SPARQL stores: rdflib, a real Virtuoso 7 server and Apache Jena's ARQ (both from
Debian's packages); they are given the parameters as a ``VALUES`` block at the top of the query. The answers must be the same, row for row and in order (the queries all have an ``ORDER BY`` that
decides every row), compared by value (tests/engines.py). A store that is not installed is skipped with the
reason; CI (.ci/run) installs both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest

from engines import (Virtuoso, canonical, jena_classpath, jena_sparql, jena_unavailable, json_answer, run_jena,
                     triples_answer, virtuoso_unavailable, with_values)
from kg.exports import Exporter
from kg.exports.publish import Credentials, publish
from kg.store.binding import data_base, prefixes_for, substitutions
from kg.store.open import open_store
from kg.store.queries import catalogue
from kg.store.sparql import PREFIX_IRIS, execute

# Parameters beyond the examples: other kinds of value, and values that match nothing (an empty answer).
MORE = {
    "programmes-for-target": [{"target": "4"}, {"target": "1.1"}],
    "paragraphs-citing-target": [{"target": "4"}, {"target": "17.6"}],
    "partners-of-programme": [{"programme": "wipo-green-database"}, {"programme": "itc"}],
    "countries-of-programme": [{"programme": "wipo"}],
    "active-in-country": [{"place": "076"}, {"place": "199"}],
    "mentions-of-entity": [{"entity": "4.4"}, {"entity": "CHL"}],
    "link-provenance": [{"from": "wipo-green-database", "to": "ctcn"}, {"from": "young-designers-pilot", "to": "152"}],
    "activities-of-programme": [{"programme": "wep"}],
}
PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIX_IRIS.items())


def case_name(name: str, values: dict) -> str:
    return name + ("?" + "&".join(f"{k}={v}" for k, v in sorted(values.items())) if values else "")


@pytest.fixture(scope="module")
def store(built):
    return open_store(built[1])


@pytest.fixture(scope="module")
def graphs(store) -> list[str]:
    return sorted({q.graph_name.value for q in store if isinstance(q.graph_name, pyoxigraph.NamedNode)})


@pytest.fixture(scope="module")
def cases(store) -> dict[str, tuple]:
    """case name → (stored query, bound parameters, pyoxigraph's answer as kg query gives it)."""
    prefixes = prefixes_for(data_base(store))
    found = {}
    for name, query in catalogue().items():
        runs = [dict(re.findall(r"--param (\w+)=(\S+)", e)) for e in query.examples] + MORE.get(name, [])
        for values in runs:
            key = case_name(name, values)
            if key in found:
                continue
            bound = substitutions(values, query.parameters, query.text, store, prefixes, declared=True)
            result = execute(store, query.text, path=query.path, substitutions=bound)
            if isinstance(result, pyoxigraph.QuerySolutions):
                names = [v.value for v in result.variables]
                answer = {"vars": names, "rows": [[canonical(row[n]) for n in names] for row in result]}
            elif isinstance(result, pyoxigraph.QueryBoolean):
                answer = {"boolean": bool(result)}
            else:
                answer = triples_answer((t.subject, t.predicate, t.object) for t in result)
            found[key] = (query, bound, answer)
    return found


def differences(cases: dict, answers: dict, query: str | None = None) -> list[str]:
    """What ``answers`` (case name → answer, or an error message) get wrong, for one stored query or all."""
    found = []
    for key, (stored, _, expected) in cases.items():
        if query is not None and stored.name != query:
            continue
        got = answers.get(key)
        if got != expected:
            if isinstance(got, str):
                found.append(f"{key}: {got[:300]}")
            elif got is None:
                found.append(f"{key}: no answer")
            else:
                rows = got.get("rows", got.get("triples")), expected.get("rows", expected.get("triples"))
                first = next((i for i, (a, b) in enumerate(zip(*rows)) if a != b), min(map(len, rows)))
                found.append(f"{key}: {len(rows[0])} rows, pyoxigraph {len(rows[1])}; first difference at row "
                             f"{first}: {rows[0][first:first + 1]} against {rows[1][first:first + 1]}")
    return found


QUERIES = sorted(catalogue())


def test_the_cases_cover_every_stored_query_with_answers(cases):
    assert {query.name for query, _, _ in cases.values()} == set(QUERIES)
    # The cases are not all empty: most examples answer something on the default report.
    assert sum(1 for *_, answer in cases.values() if answer.get("rows") or answer.get("triples")) >= 20


@pytest.fixture(scope="module")
def rdflib_answers(built, cases) -> dict:
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(str(built[1] / "graph.nq"), format="nquads")

    answers: dict = {}
    for key, (query, bound, _) in cases.items():
        try:
            # Parameters as a VALUES block, standard SPARQL, as for the other stores: rdflib's own initBindings
            # loses every row of a query that has a VALUES block of its own (entities --param type=programme).
            result = dataset.query(PROLOGUE + with_values(query.text, bound))
            if result.type == "SELECT":
                names = [str(v) for v in result.vars]
                answers[key] = {"vars": names,
                                "rows": [[canonical(row[i]) for i in range(len(names))] for row in result]}
            elif result.type == "ASK":
                answers[key] = {"boolean": bool(result.askAnswer)}
            else:
                answers[key] = triples_answer(result)
        except Exception as error:  # noqa: BLE001 - the store's refusal is the test's finding
            answers[key] = f"{type(error).__name__}: {error}"
    return answers


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, built):
    """A Virtuoso server with the default build loaded, once for this module."""
    reason = virtuoso_unavailable()
    if reason:
        pytest.skip(reason)
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    try:
        server.load_nquads(built[1] / "graph.nq")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso_answers(virtuoso, cases, graphs) -> dict:
    answers: dict = {}
    for key, (query, bound, expected) in cases.items():
        try:
            answers[key] = virtuoso.answer(PROLOGUE + with_values(query.text, bound), graphs,
                                           construct="triples" in expected)
        except RuntimeError as error:
            answers[key] = str(error)
    return answers


@pytest.fixture(scope="module")
def jena(tmp_path_factory) -> tuple[str, Path]:
    reason = jena_unavailable()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("jena")
    return jena_classpath(work), work


@pytest.fixture(scope="module")
def jena_answers(jena, built, cases) -> dict:
    classpath, work = jena
    names = {f"q{i:03d}": key for i, key in enumerate(cases)}
    texts = {short: PROLOGUE + with_values(cases[key][0].text, cases[key][1]) for short, key in names.items()}
    return {names[short]: answer for short, answer in run_jena(classpath, built[1] / "graph.nq", texts, work).items()}


@pytest.mark.parametrize("query", QUERIES)
def test_rdflib_gives_pyoxigraphs_answers(rdflib_answers, cases, query):
    assert differences(cases, rdflib_answers, query) == []


@pytest.mark.parametrize("query", QUERIES)
def test_virtuoso_gives_pyoxigraphs_answers(virtuoso_answers, cases, query):
    assert differences(cases, virtuoso_answers, query) == []


@pytest.mark.parametrize("query", QUERIES)
def test_jena_gives_pyoxigraphs_answers(jena_answers, cases, query):
    assert differences(cases, jena_answers, query) == []


def test_jenas_own_command_answers_a_stored_query_and_refuses_lateral(jena, built, cases):
    """Jena's command-line tool (``arq.sparql``, the class behind ``sparql``), in strict SPARQL 1.1."""
    import json

    classpath, work = jena
    key = "coverage-matrix"
    # The command's default graph is its --data file's triples: the union of the build's graphs.
    union = work / "union.nt"
    union.write_bytes(pyoxigraph.serialize(sorted({q.triple for q in open_store(built[1])}, key=str),
                                           format=pyoxigraph.RdfFormat.N_TRIPLES))
    done = jena_sparql(classpath, union, PROLOGUE + cases[key][0].text, work)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json_answer(json.loads(done.stdout)) == cases[key][2]
    lateral = jena_sparql(classpath, union, "SELECT * WHERE { ?s ?p ?o LATERAL { ?o ?q ?r } }", work)
    assert lateral.returncode != 0 and "LATERAL" in lateral.stdout + lateral.stderr


def test_kg_publish_fills_virtuoso_with_digest_authentication(virtuoso, built):
    exporter = Exporter(open_store(built[1]))
    quads = exporter.quads()
    warned: list[str] = []
    sent = publish(quads, virtuoso.graph_store_url, credentials=Credentials(Virtuoso.USER, Virtuoso.PASSWORD),
                   warn=warned.append)
    assert warned == []  # Virtuoso asks for Digest: the password never crosses the wire
    names = sorted({q.graph_name.value for q in quads})
    assert [s.graph for s in sent] == names and all(s.status in (200, 201, 204) for s in sent)
    # Read back every quad of every graph: the store holds exactly what kg sent.
    back = virtuoso.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { "
                          + " ".join(f"<{n}>" for n in names) + " } }").json()
    held = sorted(tuple(canonical(row[v]) for v in ("g", "s", "p", "o")) for row in back["results"]["bindings"])
    expected = sorted(tuple(canonical(t) for t in (q.graph_name, q.subject, q.predicate, q.object)) for q in quads)
    assert held == expected
    # Publishing again replaces each graph: the same store, each quad once.
    publish(quads, virtuoso.graph_store_url, credentials=Credentials(Virtuoso.USER, Virtuoso.PASSWORD))
    count = virtuoso.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { "
                           + " ".join(f"<{n}>" for n in names) + " } }").json()
    assert int(count["results"]["bindings"][0]["n"]["value"]) == len(quads)
