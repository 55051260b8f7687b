"""Webhook delivery: every event to the customer's endpoints, durably, signed, in order per
resource (``service.py``), over HTTP with the SSRF guard (``sender.py``), retried by the rules
of ``policy.py``."""
