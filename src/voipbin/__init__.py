"""voipbin: the VoIPBIN v1.0 API server, client SDK and CLI."""

__version__ = "0.1.0"
