"""The peer of the digits benchmark (bench/digits_sweep.yaml): scikit-learn's MLPClassifier on
its own digits data, the same grid and network (64-64-10, batches of 32, 50 epochs, constant
learning rate, no momentum for sgd, no penalty, no early stopping, inputs standardised on the
training split), 70% of the samples for training (stratified), joblib running as many workers
as threads. Prints the seconds of the grid's trainings and the test accuracies.

usage: python3 bench/digits_peer.py THREADS
       python3 bench/digits_peer.py --csv OUT.csv   (writes the data for nnsweep: 64 pixel
                                                     columns and `digit`)
"""
import sys, time, warnings

try:
    import numpy as np
    from joblib import Parallel, delayed
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
except ImportError:
    print("scikit-learn is not installed (apt-get install python3-sklearn): peer skipped")
    sys.exit(0)

RATES = [0.003, 0.01, 0.03, 0.1, 0.3]
ACTIVATIONS = ["relu", "tanh"]
SOLVERS = ["sgd", "adam"]


def write_csv(path):
    x, y = load_digits(return_X_y=True)
    with open(path, "w") as out:
        out.write(",".join(f"p{i}" for i in range(x.shape[1])) + ",digit\n")
        for row, label in zip(x.astype(int), y):
            out.write(",".join(map(str, row)) + f",{label}\n")


def train(x, y, x_test, y_test, lr, activation, solver):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier(hidden_layer_sizes=(64,), activation=activation, solver=solver,
                              learning_rate="constant", learning_rate_init=lr, momentum=0,
                              nesterovs_momentum=False, batch_size=32, max_iter=50,
                              early_stopping=False, tol=0, n_iter_no_change=10**9,
                              shuffle=True, random_state=1, alpha=0)
        model.fit(x, y)
    return model.score(x_test, y_test)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--csv":
        write_csv(sys.argv[2])
        return
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    x, y = load_digits(return_X_y=True)
    x, x_test, y, y_test = train_test_split(x, y, train_size=0.7, stratify=y, random_state=1)
    scaler = StandardScaler().fit(x)
    x, x_test = scaler.transform(x), scaler.transform(x_test)
    grid = [(lr, a, s) for lr in RATES for a in ACTIVATIONS for s in SOLVERS]
    start = time.perf_counter()
    scores = Parallel(n_jobs=threads)(delayed(train)(x, y, x_test, y_test, *g) for g in grid)
    seconds = time.perf_counter() - start
    print(f"sklearn digits threads={threads} trainings={len(grid)} seconds={seconds:.3f} "
          f"test_accuracy={min(scores):.3f}..{max(scores):.3f}")


if __name__ == "__main__":
    main()
