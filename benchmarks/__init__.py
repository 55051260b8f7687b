"""Load benchmarks: the server against bare reference handlers, each in its own granian process.

``make bench`` (``python -m benchmarks``) runs them; they are never part of the test suite.
See README.md beside this file for what is measured and how to read the figures.
"""
