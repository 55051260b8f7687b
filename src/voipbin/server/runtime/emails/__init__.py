"""Emails: made by the API or a flow, paid for, and delivered by a transport (the simulator's
local outbox, or SMTP) through a durable job."""
