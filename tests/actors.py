"""Signed-in users for service tests, one per role, built in memory as the sign-in gate builds them."""

from trackoe.permissions import Actor, Role

ADMIN = Actor(user_id=901, username="admin", display_name="Alice Admin", role=Role.ADMINISTRATEUR, can_view_portal=True)
AGENT = Actor(user_id=902, username="agent", display_name="Arthur Agent", role=Role.AGENT, can_view_portal=True)
AGENT_WITHOUT_PORTAL = Actor(user_id=903, username="agent2", display_name="Anne Agent", role=Role.AGENT)
READER = Actor(user_id=904, username="lecteur", display_name="Louis Lecteur", role=Role.LECTEUR)
