"""Territoires d'industrie knowledge graph: sources → validated build → Oxigraph store → queries."""

__version__ = "0.1.0"
