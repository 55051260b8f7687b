"""SIP digest credentials at rest: what a SIP password is stored as, and how a registrar
checks a digest answer against it.

A SIP password (an extension's, a trunk's) is never stored, and never shown. What is stored
is what digest authentication needs and nothing more, per realm:

- ``digest_realm``: the realm the credentials were written for (an extension's
  ``<customer_id>.<sip domain>``, a trunk's ``<domain_name>.trunk.<sip domain>``);
- ``digest_ha1_md5``: ``MD5(username ":" realm ":" password)``, hex (RFC 2617 / RFC 7616
  ``MD5``, what nearly every SIP phone still sends);
- ``digest_ha1_sha256``: the same with SHA-256 (RFC 7616 / RFC 8760 ``SHA-256``).

A registrar challenges with ``digest_realm`` and checks an answer with :func:`response`
from the stored HA1: the password itself is never needed. An HA1 is a password *for that
realm and username* (whoever holds it can answer challenges), so it is as secret as the
password for SIP, but it does not reveal the password, is useless elsewhere, and changes when
the username or realm does: a username change therefore needs the password again.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from voipbin.common.errors import InvalidArgument

Algorithm = Literal["MD5", "SHA-256"]
_HASHES: dict[Algorithm, str] = {"MD5": "md5", "SHA-256": "sha256"}
COLUMNS = ("digest_realm", "digest_ha1_md5", "digest_ha1_sha256")
"""The columns a resource with a SIP password stores."""


def _h(algorithm: Algorithm, text: str) -> str:
    return hashlib.new(_HASHES[algorithm], text.encode()).hexdigest()


def ha1(algorithm: Algorithm, username: str, realm: str, password: str) -> str:
    return _h(algorithm, f"{username}:{realm}:{password}")


def digest_values(username: str, realm: str, password: str) -> dict[str, str]:
    """The stored form of a SIP password (see the module docstring)."""
    return {
        "digest_realm": realm,
        "digest_ha1_md5": ha1("MD5", username, realm, password),
        "digest_ha1_sha256": ha1("SHA-256", username, realm, password),
    }


MIN_PASSWORD = 8


def checked_password(value: str) -> str:
    """A password from an optional body field (``""`` for none): at least 8 characters,
    which the schema states but, since ``""`` is allowed too, cannot check itself."""
    if value and len(value) < MIN_PASSWORD:
        raise InvalidArgument.field("password", f"must be {MIN_PASSWORD} characters or more")
    return value


NO_DIGEST: dict[str, str] = dict.fromkeys(COLUMNS, "")
"""The stored form of "no password": no digest answer matches it."""


def response(
    algorithm: Algorithm,
    stored_ha1: str,
    method: str,
    uri: str,
    nonce: str,
    *,
    qop: str = "",
    nc: str = "",
    cnonce: str = "",
) -> str:
    """The digest ``response`` a client knowing the password sends (RFC 7616 §3.4.1), from
    the stored HA1 alone: equal to the client's answer exactly when the password is right."""
    ha2 = _h(algorithm, f"{method}:{uri}")
    if qop:
        return _h(algorithm, f"{stored_ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _h(algorithm, f"{stored_ha1}:{nonce}:{ha2}")
