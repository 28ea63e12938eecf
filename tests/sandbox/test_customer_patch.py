"""PATCH customer: what may change, how it is validated, and that it persists."""

import pytest

from .conftest import assert_problem, problem_fields

EDITED = 30  # the customer these tests edit, by position in the sandbox's list


@pytest.fixture
def customer(api, catalogue):
    number = catalogue["all"][EDITED]["customerNo"]
    return api.ok("customer", f"/customers/{number}")


def patch(api, customer, body):
    return api.follow(customer["@id"], "PATCH", json=body)


def test_patch_changes_contact_fields_and_they_persist(api, customer):
    response = patch(api, customer, {
        "emailAddress": "new.address@example.com",
        "msisdn": "+46709876543",
        "language": "en",
        "invoiceDistribution": "kivra",
        "billingAddress": {"streetAddress": "Nygatan 3", "zipCode": "41101", "coAddress": None},
    })  # fmt: skip

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["emailAddress"] == "new.address@example.com"
    assert updated["msisdn"] == "+46709876543"
    assert updated["language"] == "en" and updated["invoiceDistribution"] == "kivra"
    address = updated["billingAddress"]
    assert address["streetAddress"] == "Nygatan 3" and address["zipCode"] == "41101"
    assert address["coAddress"] is None
    # Fields the body did not name keep their values.
    assert address["city"] == customer["billingAddress"]["city"]
    assert updated["name"] == customer["name"]
    assert api.follow(customer["@id"]).json() == updated


def test_a_foreign_address_takes_that_country_s_zip_code(api, customer):
    response = patch(api, customer, {"billingAddress": {"countryCode": "NO", "zipCode": "0150",
                                                        "city": "Oslo"}})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["billingAddress"]["countryCode"] == "NO"


def test_every_bad_field_is_named_at_once(api, customer):
    response = patch(api, customer, {
        "emailAddress": "no-at-sign",
        "msisdn": "0701234567",
        "language": "de",
        "invoiceDistribution": "fax",
        "billingAddress": {"zipCode": "#1", "countryCode": "XX", "city": "", "floor": 3},
        "name": "New Name AB",
        "favouriteColour": "blue",
    })  # fmt: skip

    body = assert_problem(response, 400, "customer", "validation")
    assert problem_fields(body) == {
        "name", "favouriteColour", "emailAddress", "msisdn", "language",
        "invoiceDistribution", "billingAddress.floor", "billingAddress.city",
        "billingAddress.countryCode", "billingAddress.zipCode",
    }  # fmt: skip
    messages = {k: v for entry in body["Problems"] for k, v in entry.items()}
    assert messages["name"] == "Read-only field"
    assert messages["favouriteColour"] == "Unknown field"
    assert api.follow(customer["@id"]).json() == customer  # nothing changed


def test_swedish_zip_codes_need_five_digits(api, customer):
    se = {"countryCode": "SE", "city": "Stockholm"}
    bad = patch(api, customer, {"billingAddress": {**se, "zipCode": "114 5"}})
    good = patch(api, customer, {"billingAddress": {**se, "zipCode": "114 55"}})

    body = assert_problem(bad, 400, "customer", "validation")
    assert body["Problems"] == [{"billingAddress.zipCode": "Not a valid SE zip code"}]
    assert good.status_code == 200


def test_a_body_that_is_not_a_json_object_is_a_validation_problem(api, customer):
    response = api.follow(customer["@id"], "PATCH", data=b"[1, 2]",
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert_problem(response, 400, "customer", "validation")
