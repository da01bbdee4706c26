"""The five deliberations: matters, their stages and records, the public notice board."""
