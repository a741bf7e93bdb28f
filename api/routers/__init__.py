"""One router per resource: the SPARQL endpoint, and the endpoint's metadata (VoID, health)."""
