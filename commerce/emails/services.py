"""Email templates edited in the admin: the published one for an event, if any."""

from .models import EmailTemplate


def email_template_render(*, event: str, context: dict) -> tuple[str, str, str] | None:
    """(subject, text, html) from the published snippet for `event`, or None when there is none."""
    template = EmailTemplate.objects.filter(event=event, live=True).first()
    if template is None:
        return None
    return template.render(context)
