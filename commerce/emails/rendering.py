"""Compile and render the Django template source a shop manager typed into an email snippet.

The context is the notification's JSON context (strings, numbers, lists and dicts): templates can
read data but cannot call into the application. Syntax errors are reported with their line.
"""

import html
import re

from django.template import Context, Engine, TemplateSyntaxError, engines
from django.utils.safestring import mark_safe

_TAG = re.compile(r"({[{%].*?[%}]})", re.S)


def _debug_engine() -> Engine:
    """An engine like the site's, with debug on so that syntax errors carry their line."""
    site = engines["django"].engine
    return Engine(debug=True, libraries=site.libraries, builtins=site.builtins, autoescape=True)


def unescape_tags(source: str) -> str:
    """The rich-text editor stores `{% if a == "b" %}` as `{% if a == &quot;b&quot; %}`: undo that inside tags."""
    return _TAG.sub(lambda m: html.unescape(m.group(1)), source)


class TemplateSourceError(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line

    def __str__(self):
        return f"Line {self.line}: {self.args[0]}" if self.line else self.args[0]


def template_compile(source: str):
    """Compile `source`; raise TemplateSourceError naming the line of a syntax error."""
    try:
        return _debug_engine().from_string(source)
    except TemplateSyntaxError as exc:
        debug = getattr(exc, "template_debug", None) or {}
        raise TemplateSourceError(str(exc), debug.get("line")) from exc


def template_render(source: str, context: dict, *, autoescape: bool) -> str:
    template = template_compile(source)
    return template.render(Context(context, autoescape=autoescape))


def html_safe(value: str):
    return mark_safe(value)  # noqa: S308  (rendered from a staff-edited template with an escaping context)
