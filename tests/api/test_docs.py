"""The API is documented from its code: the OpenAPI document and a page to browse it are public
and work under the site's Content-Security-Policy (no CDN, no inline script)."""

from __future__ import annotations

from cxculture.access import policy_of


def test_the_openapi_document_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    paths = set(document["paths"])
    assert {
        "/api/v1/departments",
        "/api/v1/people",
        "/api/v1/people/{employee_number}",
        "/api/v1/surveys",
        "/api/v1/surveys/{survey_id}/results",
        "/api/v1/training/completion",
        "/api/v1/effects",
    } <= paths
    assert set(document["paths"]["/api/v1/people/{employee_number}"]) >= {"get", "put", "delete"}


def test_every_operation_documents_the_error_format(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status in ("401", "403", "429"):
                assert status in operation["responses"], (path, method, status)


def test_every_api_endpoint_declares_its_scopes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            assert policy_of(app, rule.endpoint).api_scopes, rule.endpoint


def test_the_docs_page_loads_everything_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "https://" not in html
    assert "http://" not in html
    assert 'src="//' not in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/v1/docs/assets/{asset}" in html
        with client.get(f"/api/v1/docs/assets/{asset}") as served:
            assert served.status_code == 200
    with client.get("/static/js/api-docs.js") as starter:
        assert b"SwaggerUIBundle" in starter.data
