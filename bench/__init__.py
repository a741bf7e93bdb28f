"""Benchmark of the SPARQL endpoint: synthetic data generator, store cache, load driver and report."""
