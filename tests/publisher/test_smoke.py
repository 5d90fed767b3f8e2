def test_keys_are_published(publisher):
    response = publisher.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.content_type == "application/jwk-set+json"
    [key] = response.get_json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key


def test_health_and_metrics(publisher):
    assert publisher.get("/healthz").get_json()["status"] == "ok"
    metrics = publisher.get("/metrics").get_data(as_text=True)
    assert "nettungen_log_last_sequence 9.0" in metrics
    assert "nettungen_published_offers 6.0" in metrics


def test_openapi_documents_every_feed_route(publisher_app, publisher):
    import re

    from openapi_spec_validator import validate

    spec = publisher.get("/openapi.json").get_json()
    validate(spec)
    documented = {path for path in spec["paths"]}
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in publisher_app.url_map.iter_rules()
        if rule.rule.startswith(("/ldes", "/offers", "/catalog", "/hsds", "/vocabularies"))
        or rule.rule in {"/healthz", "/.well-known/jwks.json"}
    }
    assert routes - documented == set()
    assert publisher.get("/docs").status_code == 200


def test_pages_carry_security_headers(publisher, offer_ids):
    response = publisher.get(
        f"/offers/{offer_ids['helsestasjon']}", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    # The page's stylesheet is served from the same origin, as the policy requires.
    assert 'href="/assets/nettungen.css"' in response.get_data(as_text=True)
    with publisher.get("/assets/nettungen.css") as stylesheet:
        assert stylesheet.status_code == 200
        assert stylesheet.content_type.startswith("text/css")


def test_hsts_only_over_tls(publisher):
    response = publisher.get("/healthz", base_url="https://node.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_docs_may_run_swagger_ui_inline(publisher):
    policy = publisher.get("/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
