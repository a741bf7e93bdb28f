"""The HTTP face of the knowledge graph: a read-only W3C SPARQL 1.1 Protocol endpoint with its descriptions.

`api.main.create_app(settings)` builds the FastAPI application; `kg serve` runs it with uvicorn.
"""
