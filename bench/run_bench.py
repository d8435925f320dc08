"""The speed benchmark: the bench sweep at 1 and 2 threads, the machine's limits (Eigen GEMM,
FMA peak) measured by the same build, scikit-learn on the same grid, the runner's per-trial
overhead and loading a large CSV (beside pandas). Prints medians of REPEATS runs.

usage: python3 bench/run_bench.py [--build DIR] [--repeats N] [--csv-only] [--float32-only]
"""
import argparse, csv, json, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = [(2, 8), (8, 8), (8, 1)]  # the bench sweep's 2-8-8-1 network
TRAIN, TEST, EPOCHS, TRAININGS = 250, 250, 200, 56


def run_sweep(nnsweep, spec, threads, out):
    start = time.perf_counter()
    subprocess.run([nnsweep, "run", spec, "--quiet", "--threads", str(threads), "--out", out,
                    "--save-models", "none"], check=True)
    return time.perf_counter() - start


def run_mpi(nnsweep, spec, ranks, out):
    """One run over `ranks` training ranks of one thread each, plus rank 0 handing out trials."""
    start = time.perf_counter()
    subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks + 1),
                    nnsweep, "run", spec, "--quiet", "--mpi", "--threads", "1", "--out", out,
                    "--save-models", "none"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def flops(trials_csv):
    """Model FLOPs done: per sample 2 x fan_in x fan_out per layer forward, twice that
    backward, over the training split each epoch, plus the forward evaluation of the train
    and test splits after every epoch and before the first."""
    forward = sum(2 * i * o for i, o in LAYERS)
    total = 0
    for row in csv.DictReader(open(trials_csv)):
        epochs = int(row["epochs_run"])
        total += epochs * 3 * forward * TRAIN + (epochs + 1) * forward * (TRAIN + TEST)
    return total


def peer_python():
    """A Python that imports scikit-learn: this one, else Debian's (python3-sklearn installs
    there, which a python3 of pyenv or a virtual environment first on PATH does not see)."""
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if os.path.exists(python) and subprocess.run(
                [python, "-c", "import sklearn"], capture_output=True).returncode == 0:
            return python
    return sys.executable  # sklearn_peer.py then says it is missing


def micro(build, repeats):
    out = subprocess.run([os.path.join(build, "bench", "nn_bench"),
                          "--benchmark_filter=EigenGemm|FmaPeak|TrainCircle|TrainPackCircle",
                          f"--benchmark_repetitions={repeats}",
                          "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if not b.get("error_occurred")]
    # Medians of the repetitions; one repetition has no aggregates, only the run itself.
    return {b["run_name"]: b for b in runs
            if b.get("aggregate_name") == "median" or (repeats == 1 and b["run_type"] == "iteration")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv-only", action="store_true", help="only the large-CSV loading")
    parser.add_argument("--float32-only", action="store_true", help="only float32 vs float64")
    args = parser.parse_args()
    nnsweep = os.path.join(args.build, "runner", "nnsweep")
    if args.float32_only:
        float32_ratio(nnsweep, max(args.repeats, 5))
        return
    if args.csv_only:
        csv_loading(nnsweep, args.repeats)
        return
    spec = os.path.join(HERE, "bench_sweep.yaml")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores, {cpu}; median of {args.repeats} runs")

    limits = micro(args.build, args.repeats)
    gemm = float(limits["BM_EigenGemm/512"]["FLOP/s"])
    fma = float(limits["BM_FmaPeak"]["FLOP/s"])
    wide = limits.get("BM_FmaPeakAvx512", {}).get("FLOP/s")  # absent without AVX-512
    fma512 = float(wide) if wide else None
    train = limits["BM_TrainCircle_2_8_8_1_Tanh"]
    print(f"limit: Eigen GEMM 512x512, 1 core: {gemm / 1e9:.1f} GFLOP/s; FMA peak: "
          f"{fma / 1e9:.1f} GFLOP/s (AVX2)"
          + (f", {fma512 / 1e9:.1f} GFLOP/s (AVX-512, which nnsweep uses here)" if fma512
             else ""))
    print(f"one 2-8-8-1 tanh training (circle, 250 points, batch 10, 200 epochs), alone: "
          f"{float(train['real_time']):.1f} ms")
    names = ["relu", "tanh", "sigmoid", "linear"]
    for a, name in enumerate(names):
        pack = limits[f"BM_TrainPackCircle_2_8_8_1/activation:{a}"]
        print(f"  the same, {name}, in a full pack: {float(pack['real_time']):.1f} ms a pack = "
              f"{float(pack['trainings/s']):.0f} trainings/s")

    seconds = {}
    with tempfile.TemporaryDirectory() as work:
        # 1 and 2 threads alternately, so that a drift of the machine's speed hits both alike.
        times = {1: [], 2: []}
        for r in range(args.repeats):
            for threads in (1, 2):
                times[threads].append(
                    run_sweep(nnsweep, spec, threads, os.path.join(work, f"s{threads}-{r}")))
        for threads in (1, 2):
            seconds[threads] = statistics.median(times[threads])
            work_flops = flops(os.path.join(work, f"s{threads}-0", "trials.csv"))
            rate = work_flops / seconds[threads]
            print(f"bench sweep, {threads} thread(s): {seconds[threads]:.3f} s, "
                  f"{TRAININGS / seconds[threads]:.1f} trainings/s, "
                  f"{TRAININGS * EPOCHS * TRAIN / seconds[threads] / 1e6:.2f} M sample-epochs/s, "
                  f"{rate / 1e9:.2f} GFLOP/s"
                  + (f" ({100 * rate / gemm:.1f}% of the 1-core GEMM rate"
                     + (f", {100 * rate / fma512:.1f}% of the AVX-512 FMA peak" if fma512 else "")
                     + ")" if threads == 1 else ""))
        print(f"speed-up, 2 threads over 1: {seconds[1] / seconds[2]:.2f}x")
        # The same grid with 8 repeats (448 trainings): the process's fixed costs (start-up,
        # writing the files) weigh 8x less, as in real sweeps.
        longer = os.path.join(work, "bench_x8.yaml")
        open(longer, "w").write(open(spec).read() + "repeats: 8\n")
        long_times = {1: [], 2: []}
        for r in range(args.repeats):
            for threads in (1, 2):
                long_times[threads].append(
                    run_sweep(nnsweep, longer, threads, os.path.join(work, f"x{threads}-{r}")))
        long_seconds = {t: statistics.median(v) for t, v in long_times.items()}
        print(f"bench sweep x 8 repeats ({8 * TRAININGS} trainings): 1 thread "
              f"{long_seconds[1]:.3f} s, 2 threads {long_seconds[2]:.3f} s, speed-up "
              f"{long_seconds[1] / long_seconds[2]:.2f}x")

        overhead = os.path.join(work, "overhead.yaml")
        rates = ", ".join(str(round(0.001 * (i + 1), 4)) for i in range(100))
        open(overhead, "w").write(
            "name: overhead\nrepeats: 25\n"
            "data: { dataset: gauss, points: 20, train_fraction: 0.5 }\n"
            "model: { hidden: [4] }\ntrain: { epochs: 1, batch_size: 10 }\ncurves: off\n"
            f"grid:\n  train.learning_rate: [{rates}]\n"
            "  model.activation: [relu, tanh, sigmoid, linear]\n")
        times = [run_sweep(nnsweep, overhead, 1, os.path.join(work, f"o{r}"))
                 for r in range(args.repeats)]
        print(f"runner: 10,000 one-epoch trials on 10 points in {statistics.median(times):.3f} s "
              f"= {statistics.median(times) * 100:.1f} us per trial, end to end")

        version = subprocess.run([nnsweep, "--version"], capture_output=True, text=True).stdout
        if "with MPI" in version and shutil.which("mpirun"):
            local = statistics.median(run_sweep(nnsweep, spec, 2, os.path.join(work, f"l{r}"))
                                      for r in range(args.repeats))
            ranks = statistics.median(run_mpi(nnsweep, spec, 2, os.path.join(work, f"m{r}"))
                                      for r in range(args.repeats))
            print(f"bench sweep: 1 process x 2 threads {local:.3f} s; 2 MPI ranks x 1 thread "
                  f"(+ rank 0) {ranks:.3f} s")
            local = statistics.median(run_sweep(nnsweep, overhead, 2, os.path.join(work, f"p{r}"))
                                      for r in range(args.repeats))
            ranks = statistics.median(run_mpi(nnsweep, overhead, 2, os.path.join(work, f"q{r}"))
                                      for r in range(args.repeats))
            print(f"MPI coordination: 10,000 one-epoch trials in {ranks:.3f} s over 2 ranks vs "
                  f"{local:.3f} s in 1 process x 2 threads: {(ranks - local) * 100:.1f} us more "
                  f"per trial ({10000 / ranks:.0f} trials/s through rank 0)")
        else:
            print("MPI: this build has no MPI or there is no mpirun: skipped")

        peer_ratios(nnsweep, spec, work, args.repeats)
    float32_ratio(nnsweep, max(args.repeats, 5))
    csv_loading(nnsweep, args.repeats)


def timed(command):
    """Wall seconds, CPU seconds (user + system) and peak resident MB of one command (its own,
    not its siblings'): on a shared machine the CPU time is the steadier figure."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def medians(runs):
    """'W s wall, C s CPU, R MB' of the runs' medians."""
    wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
    return f"{wall:.2f} s wall, {cpu:.2f} s CPU, max RSS {rss:.0f} MB"


CSV_SWEEP = """name: large
seed: 1
data: {{ dataset: csv, path: {path}, target: y, train_fraction: 0.8 }}
model: {{ hidden: [16] }}
train: {{ epochs: 2, batch_size: 64 }}
curves: off
grid:
  train.learning_rate: [0.01, 0.1]
  model.activation: [relu, tanh]
"""


def csv_loading(nnsweep, repeats):
    """`plan` and `run` (4 short trainings) of a sweep on CSVs of 20,000, 60,000 and 200,000
    rows x 20 numbers and a 0/1 target (bench/make_large_csv.py, written here), and pandas'
    read_csv of the same file when Debian's python3 has pandas."""
    with tempfile.TemporaryDirectory() as work:
        for rows in (20_000, 60_000, 200_000):
            data = os.path.join(work, f"d{rows}.csv")
            subprocess.run([sys.executable, os.path.join(HERE, "make_large_csv.py"), data,
                            "--rows", str(rows)], check=True)
            spec = os.path.join(work, f"s{rows}.yaml")
            open(spec, "w").write(CSV_SWEEP.format(path=data))
            megabytes = os.path.getsize(data) / 1e6
            # --no-calibration: the plan without its trial training, i.e. the loading.
            plans = [timed([nnsweep, "plan", spec, "--no-calibration"]) for _ in range(repeats)]
            runs = []
            for r in range(repeats):
                out = os.path.join(work, f"o{rows}-{r}")
                runs.append(timed([nnsweep, "run", spec, "--quiet", "--threads", "1",
                                   "--out", out, "--save-models", "none"]))
            cpu = statistics.median(p[1] for p in plans)
            line = (f"CSV {rows} rows x 21 ({megabytes:.1f} MB): plan {medians(plans)} "
                    f"({megabytes / cpu:.0f} MB per CPU second); run (4 trainings) "
                    f"{medians(runs)}")
            pandas = "/usr/bin/python3"
            if subprocess.run([pandas, "-c", "import pandas"], capture_output=True).returncode == 0:
                reads = [timed([pandas, "-c", f"import pandas; pandas.read_csv({data!r})"])
                         for _ in range(repeats)]
                line += f"; pandas read_csv (with Python's start-up) {medians(reads)}"
            print(line)


def float32_ratio(nnsweep, repeats):
    """The bench grid with `repeats: 8` (448 trainings, packs full) in train.precision float64
    and float32, 2 threads, end to end, the two run alternately: medians of wall and CPU time
    and the ratios float64 / float32."""
    spec = os.path.join(HERE, "bench_sweep.yaml")
    runs = {"float64": [], "float32": []}
    with tempfile.TemporaryDirectory() as work:
        for r in range(repeats):
            for precision, times in runs.items():
                out = os.path.join(work, f"{precision}-{r}")
                times.append(timed([nnsweep, "run", spec, "repeats=8",
                                    f"train.precision={precision}", "--quiet", "--threads", "2",
                                    "--out", out, "--save-models", "none"]))
    wall, cpu = ({p: statistics.median(t[i] for t in times) for p, times in runs.items()}
                 for i in (0, 1))
    print(f"float32 vs float64, bench grid x 8 repeats (448 trainings, 2 threads): float64 "
          f"{medians(runs['float64'])}; float32 {medians(runs['float32'])}; float32 "
          f"{wall['float64'] / wall['float32']:.2f}x faster wall, "
          f"{cpu['float64'] / cpu['float32']:.2f}x CPU")


def runs_for(nnsweep, spec, threads, out, seconds):
    """nnsweep's bench sweep run again and again for about `seconds`: the number of runs and
    their total time."""
    count, total = 0, 0.0
    while count == 0 or total < seconds:
        shutil.rmtree(out, ignore_errors=True)
        total += run_sweep(nnsweep, spec, threads, out)
        count += 1
    return count, total


def peer_ratios(nnsweep, spec, work, repeats):
    """scikit-learn beside nnsweep: each round runs the peer once, with nnsweep's bench sweep run
    over and over for half the peer's time before it and half after, and compares the peer's
    rate with nnsweep's over that window (all its trainings over all its time: an average over as
    long a stretch of the machine's time as the peer's, as the peer's own rate is); the figure is
    the median over the rounds. The machine's speed drifts by up to a third over minutes and
    has slow spells of a second or two here: a peer timed once, minutes away from nnsweep, put
    that drift into the ratio, and a few nnsweep runs of a second in all beside a 15-second peer
    run put a spell into it."""
    python = peer_python()
    out = os.path.join(work, "beside")
    for threads in (1, 2):
        ratios = []
        half = 5.0  # half the peer's time, until it has been timed
        for r in range(repeats):
            before = runs_for(nnsweep, spec, threads, out, half)
            start = time.perf_counter()
            peer = subprocess.run([python, os.path.join(HERE, "sklearn_peer.py"), str(threads)],
                                  capture_output=True, text=True).stdout.strip()
            half = (time.perf_counter() - start) / 2
            if "trainings_per_s=" not in peer:
                print(peer)  # says why (scikit-learn missing)
                return
            after = runs_for(nnsweep, spec, threads, out, half)
            rate = float(peer.rsplit("trainings_per_s=", 1)[1])
            runs, total = before[0] + after[0], before[1] + after[1]
            ours = TRAININGS * runs / total
            ratios.append(ours / rate)
            print(f"{peer}; nnsweep beside it: {ours:.0f} trainings/s over {runs} runs, "
                  f"{ratios[-1]:.0f}x")
        print(f"nnsweep / scikit-learn at {threads} thread(s): {statistics.median(ratios):.0f}x "
              f"(median of {repeats} rounds, {min(ratios):.0f}x to {max(ratios):.0f}x)")


if __name__ == "__main__":
    main()
