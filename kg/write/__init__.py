"""SHACL-gated writes to the store, mirrored to the data files through a crash-safe journal."""
