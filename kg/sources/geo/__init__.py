"""Official geography (Etalab's découpage administratif) → the places the documents name."""
