"""Closed-form vector fields: moments, the generic kernel and the three flows."""
