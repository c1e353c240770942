import pytest
from django.core import mail
from wagtail.contrib.forms.models import FormSubmission

from cms_pages.models import ContactPage

VALID = {"your_name": "Ada", "email": "ada@example.com", "order_number": "", "message": "Where is my parcel?"}


@pytest.fixture
def contact(home):
    return ContactPage.objects.get()


@pytest.mark.django_db
def test_contact_page_stores_submission_and_emails_after_commit(client, contact, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(contact.url, VALID)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):  # commit: hand over to notifications
        callbacks[0]()
    submission = FormSubmission.objects.get(page=contact)
    assert submission.get_data()["message"] == "Where is my parcel?"
    assert "homepage" not in submission.form_data
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [contact.to_address]
    assert email.reply_to == ["ada@example.com"]  # staff answer the visitor with "Reply"
    assert "Where is my parcel?" in email.body
    assert email.subject == "Message from the shop's contact form"


@pytest.mark.django_db
def test_contact_page_honeypot_filled_stores_and_sends_nothing(client, contact, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact.url, {**VALID, "homepage": "http://spam.example"})
    assert response.status_code == 200  # the bot is thanked like a person
    assert FormSubmission.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_contact_page_invalid_form_shows_errors(client, contact):
    response = client.post(contact.url, {**VALID, "email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert FormSubmission.objects.count() == 0


@pytest.mark.django_db
def test_contact_page_throttled_per_ip(client, contact, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "contact": "2/hour"}}
    statuses = [client.post(contact.url, VALID).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert FormSubmission.objects.count() == 2
    other_ip = client.post(contact.url, VALID, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


@pytest.mark.django_db
def test_contact_page_form_has_labels_and_hidden_honeypot(client, contact):
    html = client.get(contact.url).content.decode()
    assert '<label for="id_email">Email' in html
    assert 'class="field honeypot"' in html
    assert 'name="csrfmiddlewaretoken"' in html
