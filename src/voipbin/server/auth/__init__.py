"""Identity: who is calling (principal), how they prove it (credentials), and login."""
