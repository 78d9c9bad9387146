"""LATERAL (SEP-0006) in a query: rdflib places syntax errors with it read as a join."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.store.sparql import QueryError, execute, without_lateral


def test_lateral_is_blanked_in_place_but_not_in_strings_iris_or_names():
    query = ('SELECT * WHERE { ?s <http://e/LATERAL> "LATERAL" .\n'
             '  lateral { ?s ?lateral ex:LATERAL } # LATERAL\n}')
    blanked = without_lateral(query)
    assert len(blanked) == len(query)
    assert blanked.splitlines()[1] == "          { ?s ?lateral ex:LATERAL } # LATERAL"
    assert blanked.splitlines()[0] == query.splitlines()[0]


def test_a_syntax_error_after_a_lateral_names_its_line():
    query = ("PREFIX kgo: <https://w3id.org/sdg-kg/ontology#>\nSELECT ?m WHERE {\n  ?m a kgo:Mention\n"
             "  LATERAL { ?m kgo:surface ?s }\n  FILTER(?s = )\n}\n")
    with pytest.raises(QueryError) as error:
        execute(pyoxigraph.Store(), query, path="q.rq")
    assert str(error.value).startswith("q.rq:5: SPARQL syntax error at column 3")
