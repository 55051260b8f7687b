"""Reading models from their wire form and writing them back: timestamps in every accepted
form, the sentinel and the empty UUID as ``None``, and a round trip for any model value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.common.address import Address
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.pagination import Page
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp
from voipbin.models import Tag
from voipbin.models.accesskey import Accesskey, AccesskeyCreated
from voipbin.models.agent import Agent, AgentCreate, AgentUpdate
from voipbin.models.customer import Customer
from voipbin.models.wire import decode_wire, decode_wire_page, from_wire, to_wire

ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
CUSTOMER = "5e4a0680-804e-11ec-8477-2fea5968d85b"


def wire_tag(**fields: Any) -> dict[str, Any]:
    return {
        "id": ID,
        "customer_id": CUSTOMER,
        "name": "vip",
        "detail": "",
        "tm_create": "2022-05-01 15:10:38.785510",
        "tm_update": "2022-05-01 15:10:38.785510",
        "tm_delete": SENTINEL_TEXT,
        **fields,
    }


def test_a_wire_object_reads_as_the_model() -> None:
    tag = from_wire(Tag, wire_tag())

    assert tag == Tag(
        id=UUID(ID),
        customer_id=UUID(CUSTOMER),
        name="vip",
        detail="",
        tm_create=datetime(2022, 5, 1, 15, 10, 38, 785510, tzinfo=UTC),
        tm_update=datetime(2022, 5, 1, 15, 10, 38, 785510, tzinfo=UTC),
        tm_delete=None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "2022-05-01 15:10:38.785510",
        "2022-05-01 15:10:38.785510878",  # 9 digits truncate
        "2022-05-01T15:10:38.785510Z",
        "2022-05-01T17:10:38.785510+02:00",
        "2022-05-01t15:10:38.7855109z",
    ],
)
def test_every_accepted_timestamp_form_reads_as_the_same_aware_utc_time(text: str) -> None:
    tag = from_wire(Tag, wire_tag(tm_create=text))

    assert tag.tm_create == datetime(2022, 5, 1, 15, 10, 38, 785510, tzinfo=UTC)
    assert tag.tm_create.tzinfo is UTC


@pytest.mark.parametrize("unset", [SENTINEL_TEXT, "9999-01-01T00:00:00Z", None, ""])
def test_an_unset_time_reads_as_none(unset: str | None) -> None:
    assert from_wire(Tag, wire_tag(tm_update=unset, tm_delete=unset)).tm_delete is None


@pytest.mark.parametrize("unset", [EMPTY_UUID_TEXT, None, ""])
def test_the_empty_uuid_reads_as_none_where_a_reference_is_optional(unset: str | None) -> None:
    customer = from_wire(Customer, {**wire_customer(), "billing_account_id": unset})

    assert customer.billing_account_id is None
    assert to_wire(customer)["billing_account_id"] == EMPTY_UUID_TEXT


def wire_customer() -> dict[str, Any]:
    return {
        "id": CUSTOMER,
        "name": "Acme",
        "detail": "",
        "email": "",
        "phone_number": "",
        "address": "",
        "webhook_method": "",
        "webhook_uri": "",
        "billing_account_id": ID.upper(),
        "email_verified": False,
        "status": "active",
        "tm_create": "2022-05-01 15:10:38.785510",
        "tm_update": "2022-05-01 15:10:38.785510",
        "tm_delete": SENTINEL_TEXT,
    }


def test_ids_in_any_case_read_as_uuids() -> None:
    assert from_wire(Customer, wire_customer()).billing_account_id == UUID(ID)


def test_lists_and_nested_structs_read_too() -> None:
    agent = from_wire(
        Agent,
        {
            "id": ID,
            "customer_id": CUSTOMER,
            "username": "ann@example.com",
            "name": "",
            "detail": "",
            "ring_method": "ringall",
            "status": "available",
            "permission": 16,
            "tag_ids": [ID],
            "addresses": [{"type": "tel", "target": "+15551234567"}],
            "tm_create": "2022-05-01 15:10:38.785510",
            "tm_update": "2022-05-01 15:10:38.785510",
            "tm_delete": SENTINEL_TEXT,
            "added_by_a_newer_server": True,
        },
    )

    assert agent.tag_ids == [UUID(ID)]
    assert agent.addresses == [Address(type="tel", target="+15551234567")]
    assert to_wire(agent)["addresses"][0] == {
        "type": "tel",
        "target": "+15551234567",
        "target_name": "",
        "name": "",
        "detail": "",
    }


def test_a_subclass_model_reads_its_own_fields() -> None:
    key = from_wire(
        AccesskeyCreated,
        {
            **wire_tag(),
            "token_prefix": "vb_abcd",
            "tm_expire": SENTINEL_TEXT,
            "token": "vb_secret",
        },
    )

    assert (key.token, key.tm_expire) == ("vb_secret", None)
    assert isinstance(key, Accesskey)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("tm_create", "yesterday", ValueError),
        ("tm_create", SENTINEL_TEXT + "x", ValueError),
        ("id", "not-a-uuid", ValueError),
        ("name", 7, msgspec.ValidationError),
    ],
)
def test_a_value_that_does_not_parse_is_refused(field: str, value: object, error: type) -> None:
    with pytest.raises(error):
        from_wire(Tag, wire_tag(**{field: value}))


def test_a_missing_field_is_refused() -> None:
    data = wire_tag()
    del data["name"]

    with pytest.raises(msgspec.ValidationError, match="name"):
        from_wire(Tag, data)


def test_bodies_with_unset_fields_write_only_what_is_set() -> None:
    assert to_wire(AgentUpdate(name="new")) == {"name": "new"}
    assert to_wire(AgentCreate(username="u@x.io", password="p" * 8))["customer_id"] == (
        EMPTY_UUID_TEXT
    )


# -- round trip ------------------------------------------------------------------------------

times = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9998, 12, 31),
    timezones=st.just(UTC),
)
optional_times = st.none() | times
ids = st.uuids(version=4)
optional_ids = st.none() | ids
text = st.text(max_size=20)


def tags() -> st.SearchStrategy[Tag]:
    return st.builds(
        Tag,
        id=ids,
        customer_id=ids,
        name=text,
        detail=text,
        tm_create=times,
        tm_update=optional_times,
        tm_delete=optional_times,
    )


def customers() -> st.SearchStrategy[Customer]:
    return st.builds(
        Customer,
        id=ids,
        name=text,
        detail=text,
        email=text,
        phone_number=text,
        address=text,
        webhook_method=st.sampled_from(["", "POST", "GET"]),
        webhook_uri=text,
        billing_account_id=optional_ids,
        email_verified=st.booleans(),
        status=st.sampled_from(["initial", "active"]),
        tm_create=times,
        tm_update=optional_times,
        tm_delete=optional_times,
    )


@given(st.one_of(tags(), customers()))
def test_any_model_value_survives_the_wire(value: Tag | Customer) -> None:
    data = msgspec.json.decode(msgspec.json.encode(to_wire(value)))

    assert from_wire(type(value), data) == value


@given(st.one_of(tags(), customers()))
def test_any_model_value_decodes_from_its_json_as_from_the_decoded_object(
    value: Tag | Customer,
) -> None:
    content = msgspec.json.encode(to_wire(value))

    assert decode_wire(type(value), content) == value


def test_a_page_decodes_into_models_and_its_next_token() -> None:
    content = msgspec.json.encode({"result": [wire_tag()], "next_page_token": "t"})

    assert decode_wire_page(Tag, content) == Page([from_wire(Tag, wire_tag())], "t")


@pytest.mark.parametrize("content", [b"{}", b'{"result": null, "next_page_token": null}'])
def test_a_page_without_items_or_token_decodes_as_the_last_page(content: bytes) -> None:
    assert decode_wire_page(Tag, content) == Page([], "")


def test_a_page_item_without_the_model_shape_is_a_validation_error() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$.result\[0\]"):
        decode_wire_page(Tag, b'{"result": [{"name": "vip"}]}')


@given(times, st.integers(min_value=-14 * 60, max_value=14 * 60), st.integers(0, 999))
def test_a_time_written_in_another_zone_or_with_nine_digits_reads_back_the_same(
    value: datetime, offset_minutes: int, nanos: int
) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    local = value.astimezone(zone)
    iso = local.isoformat()  # 2022-05-01T17:10:38.785510+02:00 (fraction left out at 0)
    nine = f"{format_timestamp(value)}{nanos:03d}"
    zulu = format_timestamp(value).replace(" ", "T") + "Z"

    for form in (iso, nine, zulu):
        assert from_wire(Tag, wire_tag(tm_create=form)).tm_create == value


def test_a_tagged_struct_is_written_with_its_tag_and_without_unset_fields() -> None:
    from voipbin.models.flows import ACTIONS
    from voipbin.models.flows.options import TalkOption

    written = to_wire(ACTIONS["talk"](option=TalkOption(text="hi")))

    assert written["type"] == "talk"
    assert "tm_execute" not in written
    assert written["option"]["text"] == "hi"
