"""The peer of the bench sweep: scikit-learn's MLPClassifier on the same grid, data and
architecture (2-8-8-1, plain SGD, constant learning rate, no early stopping, 200 epochs),
with joblib running as many workers as threads. Prints trainings per second.

usage: python3 bench/sklearn_peer.py THREADS [TRAIN_CSV]
"""
import sys, time, warnings

try:
    import numpy as np
    from joblib import Parallel, delayed
    from sklearn.neural_network import MLPClassifier
    from sklearn.exceptions import ConvergenceWarning
except ImportError:
    print("scikit-learn is not installed (apt-get install python3-sklearn): peer skipped")
    sys.exit(0)

RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]
ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]
BATCHES = [10, 32]


def circle(n, rng):
    """TensorFlow Playground's circle at noise 0: half inside radius 2.5, half in a ring."""
    r = np.concatenate([rng.uniform(0, 2.5, n // 2), rng.uniform(3.5, 5, n - n // 2)])
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(a), r * np.cos(a)], axis=1)
    return x, (r < 2.5).astype(int)


def train(x, y, lr, activation, batch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=(8, 8), activation=activation, solver="sgd",
                              learning_rate="constant", learning_rate_init=lr, momentum=0,
                              nesterovs_momentum=False, batch_size=batch, max_iter=200,
                              early_stopping=False, tol=0, n_iter_no_change=10**9,
                              shuffle=True, random_state=1, alpha=0)
        model.fit(x, y)
    return model.score(x, y)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    rng = np.random.default_rng(1)
    x, y = circle(500, rng)
    x, y = x[:250], y[:250]
    grid = [(lr, a, b) for lr in RATES for a in ACTIVATIONS for b in BATCHES]
    start = time.perf_counter()
    Parallel(n_jobs=threads)(delayed(train)(x, y, *g) for g in grid)
    seconds = time.perf_counter() - start
    print(f"sklearn threads={threads} trainings={len(grid)} seconds={seconds:.3f} "
          f"trainings_per_s={len(grid) / seconds:.3f}")


if __name__ == "__main__":
    main()
