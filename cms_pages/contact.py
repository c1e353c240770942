"""The contact form: honeypot, per-IP throttle, stored submission, email through Celery.

Wagtail's AbstractEmailForm would send the email synchronously inside the request; here the
submission is stored and the notification is handed to the notifications app after commit, which
delivers it from a Celery task with retries.
"""

from django import forms
from django.conf import settings
from django.db import transaction
from django.template.response import TemplateResponse

from commerce.core.after_commit import on_commit_fail_open
from commerce.core.throttling import ip_ident, throttle_hit

HONEYPOT_FIELD = "homepage"
THROTTLE_SCOPE = "contact"


def with_honeypot(form_class: type[forms.Form]) -> type[forms.Form]:
    """The form builder's class plus a field people never see and bots love to fill."""
    honeypot = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    return type(form_class.__name__, (form_class,), {HONEYPOT_FIELD: honeypot})


def contact_throttle_hit(*, request) -> bool:
    """Count one submission for the client's address; True while it is within its rate."""
    state = throttle_hit(request=request, scope=THROTTLE_SCOPE, idents=[ip_ident(request)])
    return state is None or not state.exceeded


def contact_page_serve(*, page, request):
    if request.method != "POST":
        context = page.get_context(request)
        context["form"] = page.get_form(page=page, user=request.user)
        return TemplateResponse(request, page.get_template(request), context)

    form = page.get_form(request.POST, request.FILES, page=page, user=request.user)
    if not contact_throttle_hit(request=request):
        form.add_error(None, "You have sent several messages already. Please try again in a while.")
        context = page.get_context(request)
        context["form"] = form
        return TemplateResponse(request, page.get_template(request), context, status=429)
    if form.is_valid():
        if form.cleaned_data.get(HONEYPOT_FIELD):
            # a bot: thank it like a person, store and send nothing
            return page.render_landing_page(request, None)
        submission = page.process_form_submission(form)
        return page.render_landing_page(request, submission)
    context = page.get_context(request)
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context)


def _recipients(page) -> list[str]:
    addresses = [a.strip() for a in (page.to_address or "").split(",") if a.strip()]
    return addresses or [settings.SHOP_STAFF_EMAIL]


@transaction.atomic
def contact_submission_create(*, page, form):
    """Store the submission and email it to the page's addresses once the transaction commits."""
    data = {name: value for name, value in form.cleaned_data.items() if name != HONEYPOT_FIELD}
    submission = page.get_submission_class().objects.create(form_data=data, page=page)
    fields = [
        {"label": field.label, "value": ", ".join(v) if isinstance(v := data.get(field.name), list) else v}
        for field in form
        if field.name in data
    ]
    from django import forms as django_forms

    reply_to = next(
        (data.get(name) for name, field in form.fields.items() if isinstance(field, django_forms.EmailField) and data.get(name)),
        "",
    )
    context = {
        "reply_to": reply_to,  # the visitor's address, so staff can simply reply
        "page_title": page.title,
        "subject": page.subject or f"New message from {page.title}",
        "fields": fields,
        "submission_id": submission.pk,
        "submitted_at": submission.submit_time.isoformat(),
    }

    def send():
        from commerce.notifications.services import notification_send

        for recipient in _recipients(page):
            notification_send(
                event="contact",
                recipient=recipient,
                context=context,
                dedupe_key=f"contact:{submission.pk}:{recipient}",
            )

    # fails open: the submission is stored; a failure to record its emails must not answer a 500
    on_commit_fail_open(send, what="contact form notifications")
    return submission
