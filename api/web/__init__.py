"""The site: server-rendered pages in French, as Jinja2 templates (autoescaped) over the `kg` functions."""
