"""The API's conventions as pure values and functions, shared by the server and the SDK.

Nothing here does I/O, reads the environment or imports a framework.
"""
