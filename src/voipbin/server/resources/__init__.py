"""Resources: each module declares what differs about one resource; the generic layers
(``service``, ``routes``, ``query``, ``body``) serve every declaration the same way.
"""
