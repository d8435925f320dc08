"""Writes a numeric CSV like a pandas export of real data: ROWS rows of 20 standard-normal
features, written as Python's repr (shortest round-trip text, 15 to 17 significant digits, as
DataFrame.to_csv writes them), and a 0/1 target that depends on the first features.

usage: python3 bench/make_large_csv.py OUT.csv [--rows N] [--seed S]
"""
import argparse, random

FEATURES = 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w") as out:
        out.write(",".join(f"f{i}" for i in range(FEATURES)) + ",y\n")
        for _ in range(args.rows):
            x = [rng.gauss(0.0, 1.0) for _ in range(FEATURES)]
            y = int(x[0] + 0.5 * x[1] - x[2] * x[3] + 0.3 * rng.gauss(0.0, 1.0) > 0)
            out.write(",".join(map(repr, x)) + f",{y}\n")


if __name__ == "__main__":
    main()
