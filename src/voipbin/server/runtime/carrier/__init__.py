"""The boundary to the network (``base``) and the simulated network behind it (``sim``, with
its scripts in ``rules``)."""
