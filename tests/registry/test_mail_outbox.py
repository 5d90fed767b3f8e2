"""Mails are written to the outbox in the caller's transaction: rendered in the recipient's
language, with links under the registry's address, saying why they were sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import select

from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor
from services.registry.mail import services as mail
from services.registry.mail.models import FAILED, PENDING, OutboxMail
from shared.errors import NotFound, PermissionDenied

MAIL_PACKAGE = Path(mail.__file__).parent
PARAMS = {
    "offer_title": "Barselgruppe <for alle>",
    "submitted_by": "Reidar Registrar",
    "organisation_name": "Drammen kommune",
    "review_path": "/review/abc",
}


def _enqueue(db, language="nb", **kwargs):
    return mail.enqueue_mail(
        db,
        to="pub@example.org",
        language=language,
        template="review_requested",
        params=PARAMS,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("language", "subject", "why"),
    [
        ("nb", "Til kvalitetssjekk: Barselgruppe <for alle>", "Du får denne e-posten fordi"),
        ("nn", "Til kvalitetssjekk: Barselgruppe <for alle>", "publiseringsansvarleg i Drammen"),
        ("en", "For review: Barselgruppe <for alle>", "You get this mail because"),
    ],
)
def test_a_mail_is_rendered_in_the_recipients_language(db, language, subject, why):
    mail.use_base_url(db, "https://registry.example.org/")
    row = _enqueue(db, language)
    assert row.subject == subject
    assert why in row.body_text and why in row.body_html
    assert "https://registry.example.org/review/abc" in row.body_text
    assert 'href="https://registry.example.org/review/abc"' in row.body_html
    assert f'<html lang="{language}">' in row.body_html
    # Text from the offer is escaped in the HTML part, and left as written in the text part.
    assert "Barselgruppe &lt;for alle&gt;" in row.body_html
    assert "<for alle>" in row.body_text
    assert row.message_id.startswith("<") and row.message_id.endswith("@registry.example.org>")


def test_the_mail_joins_the_callers_transaction_and_is_not_committed(db):
    row = _enqueue(db)
    assert row in db.new
    db.flush()
    assert row.status == PENDING and row.attempts == 0 and row.sent_at is None
    db.rollback()
    assert db.scalar(select(OutboxMail).where(OutboxMail.message_id == row.message_id)) is None


def test_each_mail_gets_a_message_id_of_its_own(db):
    first, second = _enqueue(db), _enqueue(db)
    db.flush()
    assert first.message_id != second.message_id


def test_only_optional_mails_say_how_to_stop_them(db):
    mail.use_base_url(db, "https://registry.example.org")
    required, optional = _enqueue(db, "en"), _enqueue(db, "en", optional=True)
    assert "https://registry.example.org/account/mail" not in required.body_text
    assert "You choose which of these mails you get" in optional.body_text
    assert 'href="https://registry.example.org/account/mail"' in optional.body_html


def test_an_optional_mail_the_recipient_turned_off_is_kept_but_never_sent(db):
    user = User(email="pub@example.org", name="Pia")
    db.add(user)
    db.flush()
    actor = Actor(user_id=user.id, label=user.email)
    mail.save_preferences(db, actor, "nb", set(mail.OPTIONAL_KINDS) - {"review_requested"})
    assert not mail.wants_mail(db, user.id, "review_requested")
    assert mail.wants_mail(db, user.id, "published")
    row = _enqueue(db, user_id=user.id, optional=True)
    assert row.status == mail.SKIPPED
    # A mail that is not optional is sent whatever the settings say.
    assert _enqueue(db, user_id=user.id).status == PENDING


def test_an_unknown_language_is_refused(db):
    with pytest.raises(ValueError, match="unknown language"):
        _enqueue(db, "de")


def test_failed_mails_lists_only_the_failures_newest_first(db):
    rows = [_enqueue(db) for _ in range(3)]
    rows[0].status = rows[2].status = FAILED
    db.flush()
    assert [m.id for m in mail.failed_mails(db)] == [rows[2].id, rows[0].id]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_text_of_every_mail_is_translated(lang):
    found = extract_from_dir(
        str(MAIL_PACKAGE),
        method_map=[("**/templates/**.txt", "jinja2"), ("**/templates/**.html", "jinja2")],
        keywords=DEFAULT_KEYWORDS,
    )
    messages = {m if isinstance(m, str) else m[0] for _f, _l, m, *_ in found}
    assert len(messages) > 15
    path = MAIL_PACKAGE.parent / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        translated = {m.id: m.string for m in read_po(po, locale=lang) if m.id and not m.fuzzy}
    assert not sorted(m for m in messages if not translated.get(m))


def test_a_node_admin_requeues_a_failed_mail(db):
    row = _enqueue(db)
    row.status, row.attempts, row.last_error = FAILED, 10, "550 No such user"
    db.flush()
    with pytest.raises(PermissionDenied):
        mail.requeue_mail(db, Actor(user_id=None, label="someone"), row.id)
    mail.requeue_mail(db, Actor.operator(), row.id)
    assert (row.status, row.attempts) == (PENDING, 0)
    assert mail.failed_mails(db) == []
    with pytest.raises(NotFound):  # only a failed mail is requeued
        mail.requeue_mail(db, Actor.operator(), row.id)
