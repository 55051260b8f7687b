"""Messages (SMS) as processes: sent, moved per target by the network and our timers."""
