"""Email templates in the Wagtail admin (Settings-like area "Emails")."""

from django.utils.html import format_html, format_html_join
from wagtail.admin.panels import FieldPanel, HelpPanel, PublishingPanel
from wagtail.admin.ui.tables import LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.views.snippets import SnippetViewSet

from .events import EMAIL_EVENTS
from .models import EmailTemplate


def _variables_help() -> str:
    items = format_html_join(
        "", "<details><summary>{}</summary><ul>{}</ul></details>",
        ((event.label, format_html_join("", "<li><code>{{{{ {} }}}}</code> — {}</li>", event.variables.items()))
         for event in EMAIL_EVENTS),
    )
    return format_html(
        "<p>Subject and bodies are templates: <code>{{{{ order_number }}}}</code> prints a variable, "
        "<code>{{% if courier %}}…{{% endif %}}</code> and <code>{{% for line in lines %}}…{{% endfor %}}</code> "
        "work too. A template with a syntax error cannot be saved. Until a template is published the "
        "built-in text is sent. Variables per email:</p>{}", items,
    )


class EmailTemplateViewSet(SnippetViewSet):
    model = EmailTemplate
    icon = "mail"
    menu_label = "Email templates"
    menu_order = 860
    add_to_admin_menu = True
    base_url_path = "emails/templates"
    admin_url_namespace = "email_templates"
    list_display = ["event", "subject", UpdatedAtColumn(), LiveStatusTagColumn()]
    list_filter = ["event", "live"]
    panels = [
        FieldPanel("event"),
        FieldPanel("subject"),
        FieldPanel("body_html"),
        FieldPanel("body_text"),
        HelpPanel(content=_variables_help(), heading="Variables"),
        PublishingPanel(),
    ]
