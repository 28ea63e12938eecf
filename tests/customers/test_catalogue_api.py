"""GET /api/v1/customers/{c}/catalogue: what this user may order for this customer."""

from decimal import Decimal

from customers.models import CatalogueProduct


def codes(client, customer_no: str) -> dict[str, list[str]]:
    body = client.get(f"/api/v1/customers/{customer_no}/catalogue", {"page_size": 200}).json()
    assert set(body) == {"count", "next", "previous", "results", "meta"}
    assert body["count"] == len(body["results"])
    return {item["productCode"]: item["levels"] for item in body["results"]}


def test_an_owner_sees_the_products_marked_for_owners_at_their_levels(anna, demo):
    CatalogueProduct.objects.create(
        product_code="ADD-BOTH",
        name_sv="Båda",
        name_en="Both",
        unit_price=Decimal("10.00"),
        level="both",
    )
    seen = codes(anna, demo.family)
    assert seen["ADD-SURF10"] == ["subscription"]
    assert seen["CUS-INS"] == ["customer"]
    assert seen["ADD-BOTH"] == ["customer", "subscription"]
    assert "ADD-TV" not in seen and "CUS-PORTAL" not in seen  # for customer service only


def test_the_items_carry_price_interval_and_the_order_link(anna, demo):
    body = anna.get(f"/api/v1/customers/{demo.family}/catalogue", {"page_size": 200}).json()
    item = next(i for i in body["results"] if i["productCode"] == "CUS-INS")
    assert (item["unitPrice"], item["vatRate"], item["currency"], item["chargeInterval"]) == (
        "63.20",
        "25.00",
        "SEK",
        "monthly",
    )
    assert item["operations"] == [
        {
            "rel": "create-recurring-product",
            "method": "POST",
            "href": f"/api/v1/customers/{demo.family}/recurring-products",
        }
    ]
    surf = next(i for i in body["results"] if i["productCode"] == "ADD-SURF10")
    assert surf["operations"] == []  # ordered on a subscription, each offers its own


def test_names_follow_the_language(anna, demo):
    body = anna.get(f"/api/v1/customers/{demo.family}/catalogue", HTTP_ACCEPT_LANGUAGE="en").json()
    names = {i["productCode"]: i["name"] for i in body["results"]}
    assert names["ADD-INS"] == "Phone insurance"
    body = anna.get(f"/api/v1/customers/{demo.family}/catalogue").json()
    assert {i["productCode"]: i["name"] for i in body["results"]}["ADD-INS"] == "Mobilförsäkring"


def test_an_agent_sees_every_active_product(agent, demo):
    CatalogueProduct.objects.filter(product_code="CUS-PORTAL").update(active=False)
    seen = codes(agent, demo.family)
    assert "ADD-TV" in seen and "CUS-SUPPORT" in seen
    assert "CUS-PORTAL" not in seen
    assert len(seen) == CatalogueProduct.objects.filter(active=True).count()


def test_a_viewer_may_order_nothing(bertil, demo):
    assert codes(bertil, demo.family) == {}
