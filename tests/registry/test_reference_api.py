"""The public reference data of the registry API: vocabularies and areas."""

from __future__ import annotations

from shared import vocab


def test_every_vocabulary_is_listed(client):
    # Found by schemathesis: the list was a tuple, which flask-smorest took for
    # (body, status, headers), so every request was a 500.
    response = client.get("/api/v1/vocabularies")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [v["id"] for v in response.get_json()] == [v.id for v in vocab.ALL]
    risk_groups = next(v for v in response.get_json() if v["id"] == vocab.RISK_GROUPS.id)
    assert {c["code"] for c in risk_groups["concepts"]} == {
        c.code for c in vocab.RISK_GROUPS.concepts
    }
