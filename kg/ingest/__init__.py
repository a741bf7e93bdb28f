"""sources → validated → store: parse, SHACL-validate, infer, publish one immutable build."""
