"""SDG inference: the goals and targets a paragraph addresses where it cites none.

Between the pipeline and the graph: it reads what the pipeline found (the SDG concept terms of
:mod:`kg.nlp.sdg_concepts`, and the trained goal classifier's probabilities) for each paragraph of a
document, weighs them, lets neighbouring paragraphs inform each other (a report groups its
paragraphs by subject), and decides which goals and targets each paragraph addresses, each with a
score, the method, and the spans of the text that carry it. The graph keeps these inferred links
apart from the citations the author printed (:mod:`kg.graph.document`).
"""
