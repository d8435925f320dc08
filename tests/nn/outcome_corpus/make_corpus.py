#!/usr/bin/env python3
"""Regenerates the labelled corpus of loss curves that tests/nn/outcome_test.cpp reads.

    python3 make_corpus.py NNSWEEP [--check]

Runs every sweep of sweeps/ with the given nnsweep binary (into a temporary directory), cuts
the trials listed in REAL below out of its curves.csv, writes the synthetic edge cases of
SYNTHETIC, and writes labels.tsv. With --check it writes nothing and fails when a file would
change.

The labels and reasons are a person's reading of each curve against the outcome definitions
in nn/outcome.h, written down here by hand: this script never decides an outcome.

Curve files: one row per epoch (0 = untrained), the six metrics of nn::EpochMetrics; an empty
cell is a metric that does not apply (no validation split, no accuracy for regression); `nan`
is a loss that became non-finite (curves.csv writes it as an empty cell; here it is spelled
out so the two cannot be confused).

Baselines: the no-skill loss on the trial's training split, computed from the data nnsweep
generated, rebuilt by nnsweep_data.py (seeds checked against trials.csv): for classification
the cross-entropy of predicting the training split's class frequencies, for regression the
mean squared error of predicting the training mean (nnsweep's regression loss is the mean of
(output - target)^2). Synthetic curves state theirs.
"""
import csv
import math
import os
import subprocess
import sys
import tempfile

import nnsweep_data

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["train_loss", "val_loss", "test_loss",
           "train_accuracy", "val_accuracy", "test_accuracy"]
LN2 = math.log(2.0)

# (file stem, sweep, trial_index, expected settings, outcome, why)
REAL = [
    ("spiral_relu_lr0.03", "spiral_lesson", 4, "relu 0.03", "still_learning",
     "The loss is 0.31 and still dropping by a quarter over the last 30 epochs: give it more epochs."),
    ("spiral_tanh_lr0.3", "spiral_lesson", 9, "tanh 0.3", "learned",
     "The loss fell from 0.74 to 0.016 and flattened there, far below guessing (0.69)."),
    ("spiral_sigmoid_lr0.001", "spiral_lesson", 2, "sigmoid 0.001", "stalled",
     "In 300 epochs the loss went from 0.6929 to 0.6886: it barely moved, the rate is far too small for sigmoid."),
    ("spiral_sigmoid_lr0.03", "spiral_lesson", 6, "sigmoid 0.03", "stalled",
     "It moved from 0.693 to 0.675 in 300 epochs, under 3% of where it started: sigmoid's small gradients barely move it."),
    ("spiral_linear_lr0.001", "spiral_lesson", 3, "linear 0.001", "underfit",
     "It dropped from 0.85 to 0.672 in 30 epochs and then sat there, just under guessing (0.693): a linear network cannot separate a spiral."),
    ("spiral_linear_lr0.3", "spiral_lesson", 11, "linear 0.3", "underfit",
     "It settled at 0.673 within a few epochs, no better than guessing (0.693): a straight boundary cannot follow the arms."),
    ("spiral_tanh_lr3", "spiral_lesson", 13, "tanh 3", "unstable",
     "The loss jumped from 0.74 to near 3 and ended at 0.95, worse than it started: the rate is too large."),
    ("spiral_sigmoid_lr3", "spiral_lesson", 14, "sigmoid 3", "unstable",
     "It swung between 0.53 and 0.85 and ended at 0.84, above its start of 0.69: the rate is too large."),
    ("spiral_linear_lr3", "spiral_lesson", 15, "linear 3", "diverged",
     "The loss became non-finite after the first epoch."),
    ("circle_leaky_relu_lr0.01_val", "circle_validation", 3, "leaky_relu 0.01", "learned",
     "The validation loss fell from 0.84 to 0.12 and is levelling off, far below guessing (0.69)."),
    ("circle_elu_lr0.01_val", "circle_validation", 4, "elu 0.01", "learned",
     "The validation loss fell from 0.87 to 0.08 and flattened: the ring is separated."),
    ("circle_softplus_lr0.01_val", "circle_validation", 5, "softplus 0.01", "learned",
     "The validation loss fell from 0.70 to 0.097 and is levelling off, far below guessing (0.69)."),
    ("circle_leaky_relu_lr10_val", "circle_validation", 9, "leaky_relu 10", "diverged",
     "After one epoch the validation loss is 1.2e10, billions of times its start: the rate is far too large."),
    ("circle_softplus_lr10_val", "circle_validation", 11, "softplus 10", "diverged",
     "After one epoch the validation loss is 3e14: it exploded."),
    ("xor_relu_lr0.01", "xor_short", 4, "relu 0.01", "learned",
     "The loss fell from 3.4 to 0.06 and flattened, a tenth of guessing (0.68)."),
    ("xor_tanh_lr0.01", "xor_short", 5, "tanh 0.01", "still_learning",
     "The loss is 0.50 after 40 epochs and still falling about 0.007 an epoch: more epochs would help."),
    ("xor_softplus_lr0.1", "xor_short", 11, "softplus 0.1", "learned",
     "The loss fell from 1.36 to 0.006: the quadrants are learned."),
    ("xor_tanh_lr3", "xor_short", 13, "tanh 3", "learned",
     "A large rate that works here: the loss fell from 0.75 to 0.0003 in 40 epochs and stayed there."),
    ("xor_elu_lr3", "xor_short", 14, "elu 3", "diverged",
     "The loss reached 1e45 after one epoch."),
    ("gauss_sigmoid_lr0.0001", "gauss_noisy", 0, "sigmoid 1e-04", "stalled",
     "In 60 epochs the loss only went from 0.629 to 0.618: the rate is too small."),
    ("gauss_leaky_relu_lr0.0001", "gauss_noisy", 1, "leaky_relu 1e-04", "still_learning",
     "The loss is falling steadily, 0.64 to 0.47, and still dropping at the end: it needs more epochs or a larger rate."),
    ("gauss_linear_lr0.0001", "gauss_noisy", 2, "linear 1e-04", "still_learning",
     "The loss went from 0.51 to 0.33 and is still falling at the end: more epochs would help."),
    ("gauss_linear_lr0.03", "gauss_noisy", 5, "linear 0.03", "learned",
     "The clouds are linearly separable: the loss settled at 0.107, a sixth of guessing (0.69)."),
    ("gauss_leaky_relu_lr30", "gauss_noisy", 7, "leaky_relu 30", "diverged",
     "The loss reached 1e46 after one epoch."),
    ("overfit_spiral_relu", "overfit", 0, "spiral 0 relu", "overfit",
     "Training loss fell to 0.0007 while the test loss climbed from its best of 0.84 to 7.3: it memorised the training points."),
    ("overfit_circle_elu", "overfit", 5, "circle 0 elu", "overfit",
     "Training loss fell to 0.004 while the test loss rose from 0.49 to 2.8: memorising noisy points."),
    ("overfit_xor_relu", "overfit", 8, "xor 0 relu", "overfit",
     "Training loss kept falling to 0.006 while the test loss rose from 0.45 to 2.8."),
    ("overfit_gauss_relu", "overfit", 12, "gauss 0 relu", "overfit",
     "Training loss fell to 0.0001 while the test loss rose from 0.38 to 2.4: too wide a network for 50 noisy points."),
    ("overfit_xor_relu_val", "overfit", 10, "xor 0.4 relu", "overfit",
     "The validation loss was best (0.31) at epoch 1 and then rose steadily to 0.86 while the training loss fell to 4e-5."),
    ("overfit_xor_elu_val", "overfit", 11, "xor 0.4 elu", "overfit",
     "The validation loss bottomed at 0.34 at epoch 21 and climbed to 0.84 while the training loss fell to 4e-5."),
    ("plane_tanh_lr0.00001", "regression", 0, "plane 0 1e-05 tanh", "still_learning",
     "The error fell from 3.0 to 1.39 and is still dropping steadily: the rate is small, it needs many more epochs."),
    ("plane_relu_lr0.00001", "regression", 1, "plane 0 1e-05 relu", "still_learning",
     "The error fell from 22 to 0.17 and still lost a third in the last 15 epochs: not done yet."),
    ("plane_tanh_lr0.003", "regression", 3, "plane 0 0.003 tanh", "learned",
     "The error settled at 0.005, a fiftieth of predicting the mean (0.24)."),
    ("plane_linear_lr0.003", "regression", 5, "plane 0 0.003 linear", "learned",
     "A plane is linear: the error dropped to 0.0025 in a few epochs and stayed, a hundredth of the baseline."),
    ("plane_tanh_lr0.003_val", "regression", 15, "plane 0.2 0.003 tanh", "learned",
     "The validation error settled at 0.004, far below predicting the mean (0.19)."),
    ("plane_relu_lr0.1", "regression", 7, "plane 0 0.1 relu", "diverged",
     "The error became non-finite after the first epoch."),
    ("multi_gauss_tanh_lr0.00001", "regression", 24, "multi_gauss 0 1e-05 tanh", "still_learning",
     "The error is falling steadily, 1.67 to 0.74, still far above the baseline: it needs more epochs."),
    ("multi_gauss_linear_lr0.003", "regression", 29, "multi_gauss 0 0.003 linear", "underfit",
     "The error settled at 0.084, the same as predicting the mean (0.085): a linear network cannot make bumps."),
    ("multi_gauss_linear_lr0.003_val", "regression", 41, "multi_gauss 0.2 0.003 linear", "underfit",
     "The validation error settled at 0.084, no better than predicting the mean (0.080)."),
    ("multi_gauss_tanh_lr1", "regression", 33, "multi_gauss 0 1 tanh", "diverged",
     "The error reached 1.6e44 after one epoch."),
]


def sweep_seed(path):
    for line in open(path):
        if line.startswith("seed:"):
            return int(line.split(":")[1].split("#")[0])
    raise ValueError(f"{path}: no seed")


def settings_text(row):
    keys = ["data.dataset", "data.validation_fraction", "train.learning_rate", "model.activation"]
    return " ".join(row[k] for k in keys)


def synthetic():
    """(stem, rows, baseline, has_validation, outcome, why); rows are dicts of COLUMNS."""
    out = []

    def curve(train, val=None, test=None):
        rows = []
        for e, t in enumerate(train):
            rows.append({"train_loss": t,
                         "val_loss": val[e] if val else None,
                         "test_loss": test[e] if test else t * 1.05})
        return rows

    n = 100
    out.append(("synthetic_nan_midway",
                curve([0.7 * 0.9 ** e for e in range(12)] + [math.nan]), LN2, False, "diverged",
                "The loss was falling and then became NaN at epoch 12: a non-finite loss is divergence, whatever came before."))
    out.append(("synthetic_inf_first_epoch", curve([0.8, math.inf]), LN2, False, "diverged",
                "The loss became infinite after the first epoch."))
    out.append(("synthetic_explodes_finite",
                curve([0.7 * 1.5 ** e for e in range(11)]), LN2, False, "diverged",
                "A finite loss that grew from 0.7 to 40, more than ten times its start, by epoch 10."))
    out.append(("synthetic_single_epoch", curve([0.6931, 0.6929]), LN2, False, "stalled",
                "One epoch that moved the loss by 0.0002 from its start: nothing has happened."))
    out.append(("synthetic_flat", curve([0.6931] * (n + 1)), LN2, False, "stalled",
                "A dead-flat loss at 0.6931 for 100 epochs: it never moved."))
    out.append(("synthetic_flat_regression", curve([1.0 - 0.0001 * e for e in range(n + 1)]), 0.5,
                False, "stalled",
                "The error crept from 1.00 to 0.99 in 100 epochs: 1% of where it started, it barely moved."))
    bump = [0.7 + 0.2 * math.sin(math.pi * e / 10) if e <= 10 else
            0.05 + 0.65 * math.exp(-(e - 10) / 8) for e in range(n + 1)]
    out.append(("synthetic_rise_then_fall", curve(bump), LN2, False, "learned",
                "An early bump to 0.9, then a fall to 0.05 that has flattened by epoch 60: the bump does not matter, it learned."))
    out.append(("synthetic_oscillating",
                curve([0.69] + [0.4 if e % 2 else 1.0 for e in range(1, n)] + [0.62]), LN2,
                False, "unstable",
                "The loss jumps between 0.4 and 1.0 every epoch and ends at 0.62, hardly below its start of 0.69: swings without progress, the rate is too large."))
    out.append(("synthetic_ends_worse", curve([0.6 + 0.003 * e for e in range(n + 1)]), LN2,
                False, "unstable",
                "The loss rose steadily from 0.6 to 0.9: it ended worse than it started."))
    train = [0.9 * math.exp(-e / 20) + 0.01 for e in range(201)]
    val = [0.3 + 0.6 * math.exp(-e / 10) if e <= 40 else 0.3 + 0.3 * (e - 40) / 160 + 0.6 * math.exp(-4)
           for e in range(201)]
    out.append(("synthetic_overfit_validation", curve(train, val=val), LN2, True, "overfit",
                "The validation loss was best near 0.31 at epoch 40 and rose steadily to 0.61 while the training loss fell to 0.01."))
    test = [0.4 + 0.5 * math.exp(-e / 10) if e <= 30 else 0.4 + 0.5 * math.exp(-3) + 0.01 * (e - 30)
            for e in range(201)]
    out.append(("synthetic_overfit_test", curve(train, test=test), LN2, False, "overfit",
                "Without a validation split the test loss is read: best 0.42 at epoch 30, then up to 2.1 while the training loss fell to 0.01."))
    out.append(("synthetic_slow_steady_fall", curve([2.0 - 0.005 * e for e in range(201)]), LN2,
                False, "still_learning",
                "A straight-line fall from 2.0 to 1.0 over 200 epochs, just as steep at the end as at the start: it is still learning."))
    out.append(("synthetic_plunge_to_baseline",
                curve([0.68 + 2.32 * math.exp(-e / 2) for e in range(201)]), LN2, False, "underfit",
                "It plunged from 3.0 to 0.68 in a few epochs and then sat at the level of guessing (0.69) for 180 epochs."))
    out.append(("synthetic_learned_with_jitter",
                curve([0.03 + 0.67 * math.exp(-e / 15) + 0.004 * math.sin(2.7 * e) for e in range(301)]),
                LN2, False, "learned",
                "The loss fell from 0.7 to 0.03 and has stayed there for 200 epochs, jitter of 0.004 aside."))
    return out


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def write_curve(files, stem, rows):
    lines = ["epoch," + ",".join(COLUMNS)]
    for e, r in enumerate(rows):
        lines.append(",".join([str(e)] + [fmt(r.get(c)) for c in COLUMNS]))
    files[stem + ".csv"] = "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: make_corpus.py NNSWEEP [--check]")
    nnsweep, check = sys.argv[1], "--check" in sys.argv[2:]
    files = {}
    labels = [("file", "baseline_loss", "has_validation", "outcome", "why")]
    number = 0
    with tempfile.TemporaryDirectory() as tmp:
        sweeps = sorted({r[1] for r in REAL})
        for name in sweeps:
            subprocess.run([nnsweep, "run", os.path.join(HERE, "sweeps", name + ".yaml"), "--out",
                            os.path.join(tmp, name), "--threads", "1", "--save-models", "none"],
                           check=True, stdout=subprocess.DEVNULL)
        for stem, name, index, expect, outcome, why in REAL:
            seed = sweep_seed(os.path.join(HERE, "sweeps", name + ".yaml"))
            rows = list(csv.DictReader(open(os.path.join(tmp, name, "trials.csv"))))
            row = rows[index]
            assert int(row["trial_index"]) == index
            for word in expect.split():
                assert word in settings_text(row).split(), (stem, settings_text(row))
            assert nnsweep_data.trial_seed(seed, row) == int(row["seed"]), stem
            has_validation = float(row["data.validation_fraction"]) > 0
            regression = row["data.dataset"] in ("plane", "multi_gauss")
            applies = {"train_loss": True, "val_loss": has_validation, "test_loss": True,
                       "train_accuracy": not regression, "val_accuracy": has_validation and not regression,
                       "test_accuracy": not regression}
            curve = []
            for c in csv.DictReader(open(os.path.join(tmp, name, "curves.csv"))):
                if c["trial_id"] != row["trial_id"]:
                    continue
                assert int(c["epoch"]) == len(curve), stem  # every epoch kept
                # curves.csv writes a non-finite loss as an empty cell
                curve.append({k: (c[k] if c[k] != "" else "nan") if applies[k] else None
                              for k in COLUMNS})
            number += 1
            full = f"{number:02d}_{stem}"
            write_curve(files, full, curve)
            labels.append((full + ".csv", repr(nnsweep_data.baseline_loss(row, seed)),
                           str(int(has_validation)), outcome, why))
    for stem, rows, baseline, has_validation, outcome, why in synthetic():
        number += 1
        full = f"{number:02d}_{stem}"
        write_curve(files, full, rows)
        labels.append((full + ".csv", repr(baseline), str(int(has_validation)), outcome, why))
    files["labels.tsv"] = "".join("\t".join(r) + "\n" for r in labels)

    stale = [f for f, text in files.items()
             if not os.path.exists(os.path.join(HERE, f)) or open(os.path.join(HERE, f)).read() != text]
    if check:
        if stale:
            sys.exit("out of date: " + " ".join(sorted(stale)))
        return
    for f in sorted(os.listdir(HERE)):
        if (f.endswith(".csv") and f not in files):
            os.remove(os.path.join(HERE, f))
    for f, text in files.items():
        with open(os.path.join(HERE, f), "w") as out:
            out.write(text)
    print(f"{number} curves, {len(stale)} files written")


if __name__ == "__main__":
    main()
