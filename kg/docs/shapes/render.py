"""The shapes in words as Markdown or plain text (`kg shapes`): by class what it must and should have, then the rest."""

from __future__ import annotations

from collections.abc import Mapping

from kg.docs.shapes.model import ClassDoc, Rule, ShapeDoc, ShapesDoc, curie, describe_targets
from kg.errors import UsageError

FORMATS = ("markdown", "text")

_INTRO = (
    "Ce qu'une ressource DOIT avoir est une violation si elle manque : `kg build` s'arrête et l'écriture est "
    "refusée. Ce qu'elle DEVRAIT avoir est un avertissement : accepté, mais signalé."
)


def render(doc: ShapesDoc, fmt: str = "markdown") -> str:
    """The model as Markdown or plain text: by class what it must and should have, then the other rules."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    writer = _Writer(fmt == "markdown", doc.prefixes)
    title = "Règles de validation des données" + (f" — {doc.title}" if doc.title else "")
    out = writer.heading(1, title + (f" (version {doc.version})" if doc.version else ""))
    out += [_INTRO, ""]
    out += writer.heading(2, "Par classe")
    for cls in doc.classes:
        out += writer.class_section(cls)
    out += writer.heading(2, "Règles selon d'autres cibles")
    for shape in doc.other_shapes:
        out += writer.shape_section(shape)
    return "\n".join(out).rstrip() + "\n"


class _Writer:
    """The lines of one rendering: Markdown marks (`code`, **bold**, #) or their plain-text equivalents."""

    def __init__(self, markdown: bool, prefixes: Mapping[str, str]) -> None:
        self.md = markdown
        self.prefixes = prefixes

    def heading(self, level: int, text: str) -> list[str]:
        if self.md:
            return ["#" * level + " " + text, ""]
        return [text, ("=" if level == 1 else "-" if level == 2 else "~") * len(text), ""]

    def code(self, text: str) -> str:
        return f"`{text}`" if self.md else text

    def rule_line(self, rule: Rule) -> str:
        if rule.predicate is not None and rule.predicate.label:
            subject = f"{rule.predicate.label} ({self.code(rule.predicate.curie)})"
        else:
            subject = self.code(rule.path) if rule.path else "la ressource elle-même"
        line = f"- {subject} : {' ; '.join(rule.requirements)}"
        if rule.message:
            line += f" — « {rule.message} »"
        return line + f" [{self.code(curie(rule.link_shape, self.prefixes))}]"

    def rules_block(self, title: str, rules: tuple[Rule, ...]) -> list[str]:
        if not rules:
            return []
        return [f"**{title}**" if self.md else title + " :", "", *(self.rule_line(r) for r in rules), ""]

    def severities(self, by_severity: ShapeDoc | ClassDoc) -> list[str]:
        """What must, should and may be there, each block only when it has rules."""
        return [
            *self.rules_block("Doit avoir", by_severity.by_severity("Violation")),
            *self.rules_block("Devrait avoir", by_severity.by_severity("Warning")),
            *self.rules_block("Pour information", by_severity.by_severity("Info")),
        ]

    def class_section(self, cls: ClassDoc) -> list[str]:
        out = self.heading(3, f"{cls.term.display} ({self.code(cls.term.curie)})")
        if cls.subclasses:
            out += ["S'applique aussi à : " + ", ".join(t.display for t in cls.subclasses) + ".", ""]
        if cls.see_also:
            out += ["Voir aussi les règles de : " + ", ".join(t.display for t in cls.see_also) + ".", ""]
        return out + self.severities(cls)

    def shape_section(self, shape: ShapeDoc) -> list[str]:
        out = self.heading(3, f"{shape.label or shape.curie} ({self.code(shape.curie)})")
        if shape.targets:
            out += ["S'applique à : " + describe_targets(shape.targets) + ".", ""]
        if shape.comment:
            out += [shape.comment, ""]
        return out + self.severities(shape)
