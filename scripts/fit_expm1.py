"""Fits the polynomial of nn/vector_math.h's exp: e^r - 1 = r + r^2 (c2 + c3 r + ... + c11 r^9)
on |r| <= ln2/2 (the reduced range, with a margin), by mpmath's Chebyshev fit of
(e^r - 1 - r) / r^2 at 50 digits; prints the coefficients rounded to doubles, as C++ hex
literals, and the worst relative error of e^r - 1 with them (exact arithmetic otherwise).
With --float: the shorter polynomial of the float32 kernels, c2 .. c6 rounded to floats.

usage: python3 scripts/fit_expm1.py [--float]   (needs python3-mpmath)
"""
import struct
import sys

import mpmath as mp

mp.mp.dps = 50
HALF_LN2 = mp.log(2) / 2 * (1 + mp.mpf("1e-6"))
COEFFICIENTS = 10  # c2 .. c11


def g(r):
    return (mp.expm1(r) - r) / r**2 if r != 0 else mp.mpf(1) / 2


def to_float(x):
    """x rounded to the nearest float32."""
    return struct.unpack("f", struct.pack("f", x))[0]


def main():
    single = "--float" in sys.argv[1:]
    count, bits = (5, 23) if single else (COEFFICIENTS, 52)
    fitted = mp.chebyfit(g, [-HALF_LN2, HALF_LN2], count)  # highest degree first
    c = [mp.mpf(to_float(float(v)) if single else float(v)) for v in reversed(fitted)]
    for k, v in enumerate(c):
        print(f"c{k + 2} = {float(v).hex()}")
    worst = 0
    for i in range(4001):
        r = -HALF_LN2 + 2 * HALF_LN2 * i / 4000
        if r == 0:
            continue
        y = r + r * r * sum(ck * r**k for k, ck in enumerate(c))
        worst = max(worst, abs(y / mp.expm1(r) - 1))
    print(f"worst relative error: {mp.nstr(worst, 3)} ({mp.nstr(worst * 2**bits, 3)} x 2^-{bits})")


if __name__ == "__main__":
    main()
