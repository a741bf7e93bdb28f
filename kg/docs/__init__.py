"""The graph explained to people: resource descriptions, the ontology and the shapes as documentation."""
