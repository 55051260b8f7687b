"""The ``email_send`` action: the flow runner carries out its ``send_email`` command by making
an email for the activeflow's customer, in the step's transaction.

Never fatal (upstream): an email that cannot be made (no email destination, a subject that is
no single line once its templates are filled in, an attachment that is no live recording of
the customer, a balance that cannot pay) is logged and
makes nothing (a savepoint undoes what it began); the flow has moved on already.
"""

from __future__ import annotations

import logging

from voipbin.common.errors import ApiError
from voipbin.models.email import check_destinations, check_text
from voipbin.server.runtime.emails.service import EmailRuntime
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows.runner import FlowRunner
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.emails")


def link(emails: EmailRuntime, flows: FlowRunner) -> None:
    """Have ``flows`` send its ``email_send`` actions' emails through ``emails``."""

    async def send_email(executor: Executor, state: FlowState, command: c.Command) -> None:
        assert isinstance(command, c.SendEmail)
        try:
            destinations = check_destinations(command.destinations, "email_send.destinations")
            check_text(command.subject, command.content, "email_send.")
            customer_id = str(state.customer_id)
            await emails.check_attachments(
                executor, customer_id, command.attachments, "email_send.attachments"
            )
            async with executor.savepoint():
                row = await emails.create(
                    executor,
                    customer_id,
                    destinations,
                    command.subject,
                    command.content,
                    command.attachments,
                )
        except ApiError as error:
            log.info(
                "activeflow %s: email_send sent nothing: %s (%s)",
                state.id,
                error.reason,
                error.message,
            )
            return
        log.info("activeflow %s: email_send made email %s", state.id, row[0])

    flows.carry_out(c.SendEmail, send_email)
