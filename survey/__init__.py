"""Community self-governance platform."""
