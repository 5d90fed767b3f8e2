"""Refusals and field messages reach people and API clients translated by their codes: the
pages in the reader's language, the API in the language Accept-Language asks for (English when
it asks for none, as the API has always answered)."""

from __future__ import annotations

from services.registry.accounts import services as accounts
from tests.registry.conftest import ORG_A, offer_input
from tests.registry.pages import sign_in, text_of


def _remove_myself(client, db, lang: str) -> str:
    token = sign_in(client, db, "a_admin")
    me = accounts.get_user_by_email(db, "a_admin@example.org")
    response = client.post(
        f"/o/{ORG_A}/admin/users/{me.id}/remove?lang={lang}", data={"csrf_token": token}
    )
    assert response.status_code == 409
    return text_of(response)


def test_a_refusal_on_a_page_is_translated_by_its_code(client, db, world):
    assert "Du kan ikke fjerne deg selv fra organisasjonen." in _remove_myself(client, db, "nb")
    assert "You cannot remove yourself from the organisation." in _remove_myself(client, db, "en")


def _post_nameless_offer(client, db, world, lang: str) -> str:
    token = sign_in(client, db, "a_registrar")
    response = client.post(
        f"/o/{ORG_A}/offers/new?lang={lang}",
        data={
            "csrf_token": token,
            "agency": world.agencies["a_health"],
            "name": "",
            "age_max": "ti",
        },
    )
    assert response.status_code == 422
    return text_of(response)


def test_a_field_message_on_a_page_is_translated_by_its_code(client, db, world):
    norwegian = _post_nameless_offer(client, db, world, "nb")
    assert "Fyll ut dette feltet." in norwegian
    assert "Skriv et helt tall, for eksempel 12." in norwegian
    english = _post_nameless_offer(client, db, world, "en")
    assert "Fill in this field." in english
    assert "Write a whole number, like 12." in english
    assert "Missing data for required field." not in english


def _submitted_offer(client, world) -> str:
    auth = world.auth("a_registrar")
    created = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"]),
        headers=auth,
    )
    assert created.status_code == 201, created.get_json()
    offer_id = created.get_json()["id"]
    assert (
        client.post(f"/api/v1/offers/{offer_id}/submit", json={}, headers=auth).status_code == 200
    )
    return offer_id


def test_an_api_refusal_is_english_by_default_and_norwegian_on_request(client, world):
    offer_id = _submitted_offer(client, world)
    auth = world.auth("a_registrar")
    url = f"/api/v1/offers/{offer_id}"
    default = client.patch(url, json={"name": "Nytt navn"}, headers=auth)
    assert default.status_code == 409
    assert default.get_json()["message"] == (
        "The offer is waiting for review. Recall it before you edit it."
    )
    bokmaal = client.patch(
        url, json={"name": "Nytt navn"}, headers={**auth, "Accept-Language": "nb-NO,nb;q=0.9"}
    )
    assert bokmaal.status_code == 409
    assert bokmaal.get_json()["message"] == (
        "Tilbudet venter på kvalitetssjekk. Hent det tilbake før du redigerer det."
    )
    english = client.patch(
        url, json={"name": "Nytt navn"}, headers={**auth, "Accept-Language": "en"}
    )
    assert english.get_json() == default.get_json()


def test_api_field_messages_are_english_by_default_and_norwegian_on_request(client, world):
    auth = world.auth("a_registrar")
    body = offer_input(world.agencies["a_health"], age_max="ti")
    del body["name"]
    url = f"/api/v1/organisations/{ORG_A}/offers"
    default = client.post(url, json=body, headers=auth)
    assert default.status_code == 422
    assert default.get_json()["errors"]["json"]["name"] == ["Missing data for required field."]
    assert default.get_json()["errors"]["json"]["age_max"] == ["Not a valid integer."]
    nynorsk = client.post(url, json=body, headers={**auth, "Accept-Language": "nn"})
    assert nynorsk.status_code == 422
    assert nynorsk.get_json()["errors"]["json"]["name"] == ["Fyll ut dette feltet."]
    assert nynorsk.get_json()["errors"]["json"]["age_max"] == ["Skriv eit heilt tal, til dømes 12."]
