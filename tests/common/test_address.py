"""Address: the target is checked by type, rewritten canonically, and a bad one names its field."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.common.address import (
    ADDRESS_TYPES,
    REFERENCE_TYPES,
    Address,
    is_email,
    validate_address,
)
from voipbin.common.errors import InvalidArgument
from voipbin.common.reasons import Status

ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"

#: One good and one bad target for every type.
TARGETS: dict[str, tuple[str, str]] = {
    "agent": (ID, "agent-1"),
    "ai": (ID, ""),
    "ai_team": (ID, ID[:-1]),
    "conference": (ID, ID + "0"),
    "email": ("alice@example.com", "alice@localhost"),
    "extension": ("2001", "20 01"),
    "line": ("U4f1e2d3c", "   "),
    "sip": ("alice@sip.example.com", "alice"),
    "tel": ("+15551234567", "15551234567"),
    "webchat": (ID, "webchat"),
    "web_session": (ID, "{" + ID),
    "whatsapp": ("+821012345678", "+0821012345678"),
}

E164 = st.from_regex(r"\+[1-9][0-9]{1,14}", fullmatch=True)


def field_of(error: InvalidArgument) -> str:
    [detail] = error.details_as_dicts()
    return detail["field"]


def test_the_table_covers_every_type() -> None:
    assert set(TARGETS) == set(ADDRESS_TYPES)
    assert len(set(ADDRESS_TYPES)) == len(ADDRESS_TYPES)
    assert REFERENCE_TYPES.issubset(ADDRESS_TYPES)


@pytest.mark.parametrize("type_", ADDRESS_TYPES)
def test_a_good_target_is_accepted(type_: str) -> None:
    good, _ = TARGETS[type_]
    address = Address(type=type_, target=good, target_name="n", name="Alice", detail="d")

    assert validate_address(address) == address


@pytest.mark.parametrize("type_", ADDRESS_TYPES)
def test_a_bad_target_is_invalid_argument_naming_the_field(type_: str) -> None:
    _, bad = TARGETS[type_]

    with pytest.raises(InvalidArgument) as caught:
        validate_address(Address(type=type_, target=bad), "destinations[1]")

    error = caught.value
    assert (error.http_status, error.status, error.reason) == (
        400,
        Status.INVALID_ARGUMENT,
        "INVALID_ARGUMENT",
    )
    assert field_of(error) == "destinations[1].target"


def test_the_field_defaults_to_address() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_address(Address(type="tel", target="nope"))

    assert field_of(caught.value) == "address.target"


@pytest.mark.parametrize("type_", ["fax", "", "TEL", "Sip", "phone"])
def test_an_unknown_type_names_the_type_field(type_: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_address(Address(type=type_, target="+15551234567"), "source")

    assert caught.value.reason == "INVALID_ARGUMENT"
    assert field_of(caught.value) == "source.type"


@pytest.mark.parametrize("prefix", ["sip:", "SIP:", "Sip:"])
def test_a_sip_prefix_is_stripped(prefix: str) -> None:
    address = Address(type="sip", target=prefix + "alice@sip.example.com", name="Alice")

    assert validate_address(address) == Address(
        type="sip", target="alice@sip.example.com", name="Alice"
    )


@pytest.mark.parametrize(
    "target", ["sip:", "sip:alice", "@example.com", "alice@", "alice@exa mple.com", "a@b@c"]
)
def test_a_sip_target_needs_user_at_domain(target: str) -> None:
    with pytest.raises(InvalidArgument):
        validate_address(Address(type="sip", target=target))


def test_a_sip_target_may_carry_a_port() -> None:
    address = Address(type="sip", target="alice@10.0.0.1:5060")

    assert validate_address(address) == address


@pytest.mark.parametrize("type_", sorted(REFERENCE_TYPES))
@pytest.mark.parametrize("form", [ID.upper(), "{" + ID + "}", ID.replace("-", "")])
def test_a_reference_target_is_canonicalised(type_: str, form: str) -> None:
    address = Address(type=type_, target=form, target_name="t", name="n", detail="d")

    assert validate_address(address) == Address(
        type=type_, target=ID, target_name="t", name="n", detail="d"
    )


@pytest.mark.parametrize(
    "target",
    [
        "alice@example.com",
        "alice.smith+tag@mail.example.co.uk",
        "o'brien@example.org",
        "x@a-b.example.io",
    ],
)
def test_valid_emails(target: str) -> None:
    assert is_email(target)


@pytest.mark.parametrize(
    "target",
    [
        "",
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "alice@@example.com",
        "al ice@example.com",
        ".alice@example.com",
        "alice.@example.com",
        "al..ice@example.com",
        "alice@-example.com",
        "alice@example..com",
        "alice@example.c",
        "a" * 65 + "@example.com",
    ],
)
def test_invalid_emails(target: str) -> None:
    assert not is_email(target)


@pytest.mark.parametrize("target", ["a", "2001", "ext_2001.a-b", "x" * 32])
def test_extension_targets(target: str) -> None:
    address = Address(type="extension", target=target, target_name="alice")

    assert validate_address(address) == address


@pytest.mark.parametrize("target", ["", "x" * 33, "20/01", "2001@example.com"])
def test_bad_extension_targets(target: str) -> None:
    with pytest.raises(InvalidArgument):
        validate_address(Address(type="extension", target=target))


@pytest.mark.parametrize("type_", ["tel", "whatsapp"])
@given(number=E164)
def test_any_e164_number_is_accepted(type_: str, number: str) -> None:
    address = Address(type=type_, target=number)

    assert validate_address(address) == address


@pytest.mark.parametrize("type_", ["tel", "whatsapp"])
@given(number=E164, data=st.data())
def test_a_number_with_a_space_is_rejected(type_: str, number: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(number)), label="at")
    spaced = number[:at] + " " + number[at:]

    with pytest.raises(InvalidArgument):
        validate_address(Address(type=type_, target=spaced))


@pytest.mark.parametrize("type_", ["tel", "whatsapp"])
@given(digits=st.from_regex(r"[0-9]{1,14}", fullmatch=True))
def test_a_number_with_a_leading_zero_is_rejected(type_: str, digits: str) -> None:
    with pytest.raises(InvalidArgument):
        validate_address(Address(type=type_, target="+0" + digits))


@pytest.mark.parametrize(
    "target",
    [
        "+1",
        "+1234567890123456",
        "15551234567",
        "++15551234567",
        "+1-555-123-4567",
        "+1555123456a",
        "+1\u0665\u0665\u0665",  # ARABIC-INDIC DIGIT FIVE: a digit, but not an E.164 one
        "+1\uff15\uff15\uff15",  # FULLWIDTH DIGIT FIVE
    ],
)
def test_other_bad_numbers_are_rejected(target: str) -> None:
    with pytest.raises(InvalidArgument):
        validate_address(Address(type="tel", target=target))


def test_output_has_all_five_keys() -> None:
    wire = msgspec.json.decode(msgspec.json.encode(Address(type="tel", target="+15551234567")))

    assert wire == {
        "type": "tel",
        "target": "+15551234567",
        "target_name": "",
        "name": "",
        "detail": "",
    }


def test_input_needs_only_type_and_target() -> None:
    address = msgspec.json.decode(b'{"type": "tel", "target": "+15551234567"}', type=Address)

    assert address == Address(type="tel", target="+15551234567")


def test_input_without_a_target_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="target"):
        msgspec.json.decode(b'{"type": "tel"}', type=Address)
