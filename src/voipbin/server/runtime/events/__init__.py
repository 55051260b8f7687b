"""Events: the outbox every state change writes its event to, and the timeline that reads a
resource's events back."""
