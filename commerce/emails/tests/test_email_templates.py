import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commerce.emails.events import EMAIL_EVENTS
from commerce.emails.models import EmailTemplate
from commerce.emails.samples import sample_context
from commerce.notifications.services import notification_render, notification_send
from commerce.orders.notifications import order_email_context
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db

# one variable per event that its context really carries, to show the edited text is rendered with data
SHOWN = {
    "password_reset": "reset_url", "back_in_stock": "product_name", "abandoned_cart": "restore_url",
    "low_stock_digest": "count", "stock_sold_out": "sku",
}


def publish(event, *, subject, body_html, body_text) -> EmailTemplate:
    template = EmailTemplate(event=event, subject=subject, body_html=body_html, body_text=body_text, live=False)
    template.full_clean()
    template.save()
    template.save_revision().publish()
    return template


@pytest.mark.parametrize("event", [e.name for e in EMAIL_EVENTS])
def test_every_event_renders_from_its_published_snippet(event):
    var = SHOWN.get(event, "order_number")
    publish(event, subject=f"Edited {event}: {{{{ {var} }}}}",
            body_html=f"<p>Edited body with <b>{{{{ {var} }}}}</b></p>",
            body_text=f"Edited text {{{{ {var} }}}}")
    context = sample_context(event)
    subject, text, html = notification_render(event=event, context=context)
    value = str(context[var])
    assert subject == f"Edited {event}: {value}"
    assert text == f"Edited text {value}"
    assert f"<b>{value}</b>" in html and "<html" in html  # wrapped in the shop's email layout


def test_a_draft_snippet_is_not_used_the_file_template_is():
    template = EmailTemplate(event="order_placed", subject="DRAFT {{ order_number }}", body_html="<p>x</p>",
                             body_text="x", live=False)
    template.save()
    template.save_revision()  # saved as a draft, never published
    subject, text, _ = notification_render(event="order_placed", context=sample_context("order_placed"))
    assert subject.startswith("We received your order") and "DRAFT" not in subject


def test_a_new_draft_of_a_published_snippet_keeps_the_published_text_in_use():
    template = publish("order_confirmed", subject="Live {{ order_number }}", body_html="<p>a</p>", body_text="a")
    template.subject = "Draft {{ order_number }}"
    template.save_revision()
    subject, _, _ = notification_render(event="order_confirmed", context={"order_number": "CW-1"})
    assert subject == "Live CW-1"


def test_bad_template_syntax_is_refused_with_its_line():
    template = EmailTemplate(event="order_shipped", subject="Shipped", body_html="<p>ok</p>",
                             body_text="Hello\n\n{% if courier %}\nvia {{ courier }}\n", live=False)
    with pytest.raises(ValidationError) as info:
        template.full_clean()
    message = info.value.message_dict["body_text"][0]
    assert "line 3" in message and "endif" in message


def test_order_lines_summary_and_quoted_conditions_work_in_the_rich_body():
    order = order_with_lines(quantities=(2,))
    publish("order_placed", subject="Order {{ order_number }}",
            body_html='<p>{% if status == &quot;pending&quot; %}Waiting{% endif %}</p>{{ order_summary_html }}',
            body_text="{{ order_summary_text }}")
    _, text, html = notification_render(event="order_placed", context=order_email_context(order=order))
    assert "Waiting" in html and "<table" in html and order.lines.get().sku in html
    assert "Total:" in text


def test_the_order_email_is_sent_with_the_edited_text(mailoutbox, django_capture_on_commit_callbacks):
    publish("order_placed", subject="Thanks! {{ order_number }}", body_html="<p>Hi {{ customer_name }}</p>",
            body_text="Hi {{ customer_name }}")
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(event="order_placed", recipient=order.email, context=order_email_context(order=order))
    assert mailoutbox[0].subject == f"Thanks! {order.number}"
    assert mailoutbox[0].body == "Hi Ada Buyer"


def test_admin_refuses_a_broken_template_and_previews_a_good_one_on_a_sample_order(admin_client):
    order = order_with_lines(quantities=(1,))
    data = {"event": "order_confirmed", "subject": "Confirmed {{ order_number }}",
            "body_html": '{"blocks":[{"key":"a","type":"unstyled","text":"Hello {% if x %}","depth":0,'
                         '"inlineStyleRanges":[],"entityRanges":[],"data":{}}],"entityMap":{}}',
            "body_text": "ok"}
    response = admin_client.post(reverse("email_templates:add"), data)
    assert response.status_code == 200 and b"Template error on line 1" in response.content
    assert not EmailTemplate.objects.exists()

    data["body_html"] = data["body_html"].replace("{% if x %}", "{{ customer_name }}")
    preview_url = reverse("email_templates:preview_on_add")
    assert admin_client.post(preview_url, data).json()["is_valid"]
    preview = admin_client.get(preview_url)
    assert preview.status_code == 200
    assert f"Confirmed {order.number}".encode() in preview.content  # the newest order is the sample
    assert b"Hello Ada Buyer" in preview.content

    response = admin_client.post(reverse("email_templates:add"), {**data, "action-publish": "publish"})
    assert response.status_code == 302
    assert EmailTemplate.objects.get().live
