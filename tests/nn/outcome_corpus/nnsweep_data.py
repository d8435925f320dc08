"""The training split of a built-in nnsweep dataset, rebuilt outside nnsweep.

nnsweep writes no data file for built-in datasets, so the no-skill baseline of a trial is
computed here from the same generator: the trial's data seed (docs/sweep-file.md, "Trial ids
and seeds": FNV-1a + splitmix64 over the canonical data settings), std::mt19937_64, Boost's
uniform_real_distribution and uniform_int_distribution (Fisher-Yates split shuffle), and the
generators of nn/dataset.cpp. data_seed() is checked against the `seed` column of trials.csv
(the same hash over the data settings plus model.hidden, model.init and the repeat), so a
mismatch in the canonical text is caught. Only what the training targets need is rebuilt:
gauss draws normals for its coordinates, not its labels, so its Boost normal draws are skipped.
"""
import math

MASK = (1 << 64) - 1
FNV_BASIS = 0xcbf29ce484222325


def fnv1a(state, text):
    for c in text.encode():
        state ^= c
        state = (state * 0x100000001B3) & MASK
    return state


def mix64(x):
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


DATA_KEYS = ["data.dataset", "data.points", "data.noise", "data.train_fraction",
             "data.validation_fraction", "data.features"]
STREAM_KEYS = DATA_KEYS + ["model.hidden", "model.init"]


def _text(row, keys):
    return "".join(f"{k}: {row[k]}\n" for k in keys if row.get(k, "") != "")


def data_seed(sweep_seed, row):
    seeded = fnv1a(FNV_BASIS, f"sweep seed: {sweep_seed}\n")
    return mix64(fnv1a(seeded, _text(row, DATA_KEYS)))


def trial_seed(sweep_seed, row):
    seeded = fnv1a(FNV_BASIS, f"sweep seed: {sweep_seed}\n")
    return mix64(fnv1a(seeded, _text(row, STREAM_KEYS) + f"repeat: {row['repeat']}\n"))


class Mt64:
    """std::mt19937_64."""

    def __init__(self, seed):
        self.mt = [0] * 312
        self.mt[0] = seed & MASK
        for i in range(1, 312):
            prev = self.mt[i - 1]
            self.mt[i] = (6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK
        self.index = 312

    def __call__(self):
        if self.index >= 312:
            upper, lower = MASK << 31 & MASK, (1 << 31) - 1
            mt = self.mt
            for k in range(312):
                y = (mt[k] & upper) | (mt[(k + 1) % 312] & lower)
                mt[k] = mt[(k + 156) % 312] ^ (y >> 1) ^ (0xB5026F5AA96619E9 if y & 1 else 0)
            self.index = 0
        z = self.mt[self.index]
        self.index += 1
        z ^= (z >> 29) & 0x5555555555555555
        z ^= (z << 17) & 0x71D67FFFEDA60000
        z ^= (z << 37) & 0xFFF7EEE000000000
        return (z ^ (z >> 43)) & MASK


def uniform(rng, lo, hi):
    """boost::random::uniform_real_distribution<double> on a 64-bit engine."""
    while True:
        r = float(rng()) / 18446744073709551616.0 * (hi - lo) + lo
        if r < hi:
            return r


def uniform_int(rng, hi):
    """boost::random::uniform_int_distribution(0, hi) on a 64-bit engine."""
    bucket = MASK // (hi + 1)
    if MASK % (hi + 1) == hi:
        bucket += 1
    while True:
        q = rng() // bucket
        if q <= hi:
            return q


def targets(dataset, n, noise, seed):
    """The targets of nn::generate_points, in generation order."""
    rng = Mt64(seed)
    t = []
    if dataset == "circle":
        radius = 5.0
        for i in range(n):
            inner = i < n // 2
            r = uniform(rng, 0.0, radius * 0.5) if inner else uniform(rng, radius * 0.7, radius)
            angle = uniform(rng, 0.0, 2.0 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx = uniform(rng, -radius, radius) * noise
            ny = uniform(rng, -radius, radius) * noise
            t.append(1.0 if math.hypot(x + nx, y + ny) < radius * 0.5 else 0.0)
    elif dataset == "xor":
        for _ in range(n):
            x, y = uniform(rng, -5.0, 5.0), uniform(rng, -5.0, 5.0)
            x += 0.3 if x > 0 else -0.3
            y += 0.3 if y > 0 else -0.3
            nx, ny = uniform(rng, -5.0, 5.0) * noise, uniform(rng, -5.0, 5.0) * noise
            t.append(1.0 if (x + nx) * (y + ny) >= 0 else 0.0)
    elif dataset == "gauss":
        t = [1.0 if i < n // 2 else 0.0 for i in range(n)]
    elif dataset == "spiral":
        arm = n // 2
        t = [1.0] * arm + [0.0] * (n - arm)
    elif dataset == "plane":
        for _ in range(n):
            x, y = uniform(rng, -6.0, 6.0), uniform(rng, -6.0, 6.0)
            nx, ny = uniform(rng, -6.0, 6.0) * noise, uniform(rng, -6.0, 6.0) * noise
            t.append(((x + nx) + (y + ny)) / 10.0)
    elif dataset == "multi_gauss":
        centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1),
                   (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
        for _ in range(n):
            x, y = uniform(rng, -6.0, 6.0), uniform(rng, -6.0, 6.0)
            nx, ny = uniform(rng, -6.0, 6.0) * noise, uniform(rng, -6.0, 6.0) * noise
            label = 0.0
            for cx, cy, sign in centres:
                d = math.hypot(x + nx - cx, y + ny - cy)
                value = sign * min(max(1.0 - d / 2.0, 0.0), 1.0)
                if abs(value) > abs(label):
                    label = value
            t.append(label)
    else:
        raise ValueError(f"not a built-in dataset: {dataset}")
    return t


def training_targets(row, sweep_seed):
    """The targets of the training split of a trials.csv row (nn::make_dataset)."""
    seed = data_seed(sweep_seed, row)
    n = int(row["data.points"])
    t = targets(row["data.dataset"], n, float(row["data.noise"]), seed)
    order = list(range(n))
    rng = Mt64(seed ^ 0x9E3779B97F4A7C15)
    for i in range(n, 1, -1):
        j = uniform_int(rng, i - 1)
        order[i - 1], order[j] = order[j], order[i - 1]
    train_and_val = math.floor(n * float(row["data.train_fraction"]))
    val = math.floor(train_and_val * float(row["data.validation_fraction"]))
    return [t[k] for k in order[val:train_and_val]]


def baseline_loss(row, sweep_seed):
    """The no-skill loss on the training split: cross-entropy of its class frequencies, or the
    mean squared error of its mean (nnsweep's regression loss is mean (o - t)^2)."""
    t = training_targets(row, sweep_seed)
    n = len(t)
    if row["data.dataset"] in ("plane", "multi_gauss"):
        mean = sum(t) / n
        return sum((v - mean) ** 2 for v in t) / n
    p = sum(t) / n
    return -sum(q * math.log(q) for q in (p, 1.0 - p) if q > 0)
