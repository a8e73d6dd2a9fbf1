"""Arithmetics in which the closed forms are evaluated (float, mpmath, ball,
jet), the precision scope, and the SymPy-to-closure compiler."""

from verifier.arith.balls import BallArithmetic, as_ball, ball_from_bounds
from verifier.arith.base import FUNCTIONS, Arithmetic
from verifier.arith.compile import UnsupportedExpression, compile_expr, supported
from verifier.arith.floats import FloatArithmetic
from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.mp import MpmathArithmetic
from verifier.arith.precision import check_prec, precision

__all__ = [
    "FUNCTIONS", "Arithmetic", "BallArithmetic", "FloatArithmetic", "Jet", "JetArithmetic",
    "MpmathArithmetic", "UnsupportedExpression", "as_ball", "ball_from_bounds", "check_prec",
    "compile_expr", "precision", "supported",
]
