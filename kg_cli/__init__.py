"""The `kg` command line: a thin layer over the `kg` library and the web app; `kg` never imports it."""
