"""The independent checker: re-verifies certificates from the file alone.

It uses the problem definition (whitelist parser, closed-form vector field in ball
arithmetic) but none of the integrator's step-size control or search heuristics.
"""
