"""Boundedness certificates: produce them (integration, bounds, trapping search) and write them."""
