"""The ``voipbin`` command: ``serve``, ``migrate``, and (with the SDK) resource commands."""
