from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, PreviewableMixin, RevisionMixin
from wagtail.rich_text import expand_db_html

from .events import EVENT_CHOICES, EVENTS_BY_NAME
from .rendering import TemplateSourceError, html_safe, template_compile, template_render, unescape_tags


class EmailTemplate(DraftStateMixin, RevisionMixin, PreviewableMixin, models.Model):
    """The text of one email event, edited in the admin with drafts, history and preview.

    Only a published template is used; while none is, the files under templates/emails/ are.
    Subject and bodies are Django templates over the event's variables (see events.py).
    """

    event = models.CharField(max_length=50, choices=EVENT_CHOICES, unique=True)
    subject = models.CharField(max_length=255, help_text="e.g. We received your order {{ order_number }}")
    body_html = RichTextField("body", help_text="The HTML email. Variables as {{ order_number }}.")
    body_text = models.TextField(
        "plain-text body", help_text="The text version, for mail programs that do not show HTML."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event"]

    def __str__(self):
        return self.get_event_display()

    def clean(self):
        super().clean()
        errors = {}
        for name, source in (("subject", self.subject), ("body_html", unescape_tags(self.body_html or "")),
                             ("body_text", self.body_text)):
            try:
                template_compile(source or "")
            except TemplateSourceError as exc:
                errors[name] = f"Template error on line {exc.line or '?'}: {exc.args[0]}"
        if errors:
            raise ValidationError(errors)

    def render(self, context: dict) -> tuple[str, str, str]:
        """(subject, text, html) for `context`, the html wrapped in the shop's email layout."""
        context = _with_order_summary(context)
        subject = " ".join(template_render(self.subject, context, autoescape=False).split())
        text = template_render(self.body_text, context, autoescape=False)
        body = expand_db_html(template_render(unescape_tags(self.body_html), context, autoescape=True))
        html = render_to_string("emails/_from_snippet.html", {**context, "subject": subject, "body": html_safe(body)})
        return subject, text, html

    @property
    def variables(self) -> dict[str, str]:
        event = EVENTS_BY_NAME.get(self.event)
        return event.variables if event else {}

    def get_preview_template(self, request, mode_name):
        return "emails_admin/preview.html"

    def get_preview_context(self, request, mode_name):
        from .samples import sample_context

        context = super().get_preview_context(request, mode_name)
        try:
            subject, text, html = self.render(sample_context(self.event))
            context.update(subject=subject, text=text, html=html)
        except TemplateSourceError as exc:
            context["error"] = str(exc)
        context["variables"] = self.variables
        return context


def _with_order_summary(context: dict) -> dict:
    if "lines" in context and "total" in context:
        return {
            **context,
            "order_summary_html": html_safe(render_to_string("emails/_order_lines.html", context)),
            "order_summary_text": render_to_string("emails/_order_lines.txt", context),
        }
    return context
