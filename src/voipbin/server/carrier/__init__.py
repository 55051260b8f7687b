"""The boundary to the telephone network: what the server asks of a carrier.

``numbers`` is the number-search interface and the server's own virtual numbers; ``sim`` is
the built-in simulated carrier (``VOIPBIN_CARRIER=sim``, the only one for now).
"""
