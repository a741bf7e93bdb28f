"""Where facts come from: RDF files read strictly, namespaces, labels, the official-geography import."""
