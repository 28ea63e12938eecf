"""The OpenAPI document at /api/schema/ and its docs page at /api/docs/.

The document itself is validated by `manage.py spectacular --validate --fail-on-warn`
in `make check`; tests/test_api_schema_fuzz.py holds the running API to it. These tests
hold the document to the contract every route shares (bff-api.md).
"""

import re
from html.parser import HTMLParser

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HTTP_METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def api_routes() -> dict[str, set[str]]:
    """/api/v1/ routes of the URLconf (as OpenAPI paths) and their views' methods."""
    found: dict[str, set[str]] = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                view = pattern.callback.view_class
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                methods = {m for m in HTTP_METHODS if hasattr(view, m)}
                found.setdefault(path, set()).update(methods)

    walk(get_resolver().url_patterns)
    return found


def test_the_document_is_public_openapi_3_in_yaml_and_json(client):
    as_yaml = client.get("/api/schema/")
    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content)["openapi"].startswith("3.")
    as_json = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert as_json.json()["info"]["title"]


def test_every_api_route_and_method_is_in_the_document(document):
    documented = {path: {m for m, _ in item.items()} for path, item in document["paths"].items()}
    for path, methods in api_routes().items():
        assert path in documented, f"{path} is not in the OpenAPI document"
        assert methods <= documented[path], f"{path}: {methods - documented[path]} undocumented"


def test_every_operation_has_an_example_for_each_answer_and_problems_are_rfc9457(document):
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        for status, answer in operation["responses"].items():
            if status in ("204", "304"):
                assert "content" not in answer, f"{where} {status} has a body"
                continue
            for media_type, content in answer["content"].items():
                if media_type in ("text/csv", "application/zip"):
                    continue
                assert content.get("examples"), f"{where} {status} {media_type}: no example"
            if int(status) >= 400:
                assert set(answer["content"]) == {PROBLEM}, f"{where} {status}"
                schema = answer["content"][PROBLEM]["schema"]["$ref"]
                expected = "ValidationProblem" if status == "400" else "Problem"
                assert schema.endswith(f"/{expected}"), f"{where} {status}: {schema}"
        if operation.get("requestBody"):
            for content in operation["requestBody"]["content"].values():
                assert content.get("examples"), f"{where}: no request example"


def test_customer_routes_say_who_may_call_them_and_how_to_retry_writes(document):
    for path, method, operation in operations(document):
        if not path.startswith("/api/v1/customers/"):
            continue
        where = f"{method.upper()} {path}"
        assert {"401", "404"} <= set(operation["responses"]), where
        assert {"jwtAuth": []} in operation["security"], where
        assert {"cookieAuth": []} in operation["security"], where
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "get":
            if "200" in operation["responses"] and "application/json" in operation["responses"][
                "200"
            ].get("content", {}):
                assert "If-None-Match" in headers, where
                assert "304" in operation["responses"], where
        else:
            assert "Idempotency-Key" in headers, where


def test_the_shared_components_have_the_contract_shapes(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "errors" in schemas["ValidationProblem"]["properties"]
    assert set(schemas["Meta"]["required"]) == {"asOf", "stale", "source"}
    assert set(schemas["Operation"]["required"]) == {"rel", "method", "href"}
    for name, schema in schemas.items():
        if name.startswith("Paged"):
            assert {"count", "next", "previous", "results", "meta"} <= set(schema["required"])
    assert "totals" in schemas["PagedUsageRecordList"]["required"]
    usage = document["paths"]["/api/v1/customers/{customerNo}/subscriptions/{subscriptionNo}/usage"]
    answers = usage["get"]["responses"]["200"]["content"]
    assert set(answers) == {"application/json", "text/csv"}
    queries = {p["name"] for p in usage["get"]["parameters"] if p["in"] == "query"}
    assert queries >= {"usage_type", "zone", "roaming", "date_from", "date_to", "q", "sort"}
    assert {"jwtAuth", "cookieAuth"} <= set(document["components"]["securitySchemes"])


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_the_docs_page_works_offline_from_the_apps_own_static_files(client, settings):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    parser = _Assets()
    parser.feed(page.content.decode())
    assert parser.urls, "the docs page loads no assets"
    for url in parser.urls:
        assert not re.match(r"^(https?:)?//", url), f"external asset {url}"
        if url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL):
            name = url.split(settings.STATIC_URL, 1)[1].split("?")[0]
            assert finders.find(name), f"{url} is not among the static files"
    # The script that starts Swagger UI is served by the page itself and reads the schema.
    script_urls = [u for u in parser.urls if "script" in u and u.startswith("/api/docs/")]
    assert script_urls, parser.urls
    script = client.get(script_urls[0])
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
