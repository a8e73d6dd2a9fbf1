"""SymPy only: analytic pieces, verified antiderivatives, explicit Piecewise forms."""
