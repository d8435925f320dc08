"""The speed benchmark: the bench sweep at 1 and 2 threads, the machine's limits (Eigen GEMM,
FMA peak) measured by the same build, scikit-learn on the same grid, the runner's per-trial
overhead, wide networks against the FMA peak and digits against scikit-learn, a sweep of partly
filled packs against full ones, float32 against float64 and loading a large CSV (beside pandas).
Prints medians of REPEATS runs.

usage: python3 bench/run_bench.py [--build DIR] [--repeats N]
                                  [--csv-only | --scaling-only | --wide-only | --float32-only]
"""
import argparse, csv, json, os, resource, shutil, statistics, subprocess, sys, tempfile, time

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
    parser.add_argument("--scaling-only", action="store_true",
                        help="only curves on/off, 1 vs 2 threads and the fixed cost")
    parser.add_argument("--wide-only", action="store_true",
                        help="only the wide networks and digits (with the FMA peak)")
    parser.add_argument("--float32-only", action="store_true", help="only float32 vs float64")
    args = parser.parse_args()
    nnsweep = os.path.join(args.build, "runner", "nnsweep")
    if args.float32_only:
        float32_ratio(nnsweep, max(args.repeats, 5))
        return
    if args.scaling_only:
        curves_and_scaling(nnsweep, args.repeats)
        return
    if args.csv_only:
        csv_loading(nnsweep, args.repeats)
        return
    if args.wide_only:
        wide_networks(nnsweep, args.build, args.repeats)
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
        longer = os.path.join(HERE, "bench_sweep_448.yaml")
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
    curves_and_scaling(nnsweep, args.repeats)
    wide_networks(nnsweep, args.build, args.repeats)
    lone_vs_packed(nnsweep, max(args.repeats, 5))
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
    rows x 20 numbers and a 0/1 target (bench/make_large_csv.py, written here; the last also
    with every field in quotes), and pandas' read_csv of the same file when Debian's python3
    has pandas. Peak memory is also given over the loaded numbers' size (rows x 21 doubles)."""
    with tempfile.TemporaryDirectory() as work:
        for rows, quoted in ((20_000, False), (60_000, False), (200_000, False), (200_000, True)):
            name = f"{rows}{'q' if quoted else ''}"
            data = os.path.join(work, f"d{name}.csv")
            subprocess.run([sys.executable, os.path.join(HERE, "make_large_csv.py"), data,
                            "--rows", str(rows)], check=True)
            if quoted:  # a line at a time: a child's peak RSS counts this process's pages
                with open(data) as plain, open(data + ".q", "w") as out:
                    for line in plain:
                        out.write(",".join(f'"{cell}"' for cell in line.rstrip("\n").split(","))
                                  + "\n")
                os.replace(data + ".q", data)
            spec = os.path.join(work, f"s{name}.yaml")
            open(spec, "w").write(CSV_SWEEP.format(path=data))
            megabytes = os.path.getsize(data) / 1e6
            # --no-calibration: the plan without its trial training, i.e. the loading.
            plans = [timed([nnsweep, "plan", spec, "--no-calibration"]) for _ in range(repeats)]
            runs = []
            for r in range(repeats):
                out = os.path.join(work, f"o{name}-{r}")
                runs.append(timed([nnsweep, "run", spec, "--quiet", "--threads", "1",
                                   "--out", out, "--save-models", "none"]))
            cpu = statistics.median(p[1] for p in plans)
            numbers = rows * 21 * 8 / 2**20  # MB as ru_maxrss counts them
            ratio = statistics.median(p[2] for p in plans) / numbers
            line = (f"CSV {rows} rows x 21{' quoted' if quoted else ''} ({megabytes:.1f} MB): "
                    f"plan {medians(plans)} ({megabytes / cpu:.0f} MB per CPU second, peak "
                    f"{ratio:.2f}x the numbers); run (4 trainings) {medians(runs)}")
            pandas = "/usr/bin/python3"
            if subprocess.run([pandas, "-c", "import pandas"], capture_output=True).returncode == 0:
                reads = [timed([pandas, "-c", f"import pandas; pandas.read_csv({data!r})"])
                         for _ in range(repeats)]
                line += f"; pandas read_csv (with Python's start-up) {medians(reads)}"
            print(line)


def phased_run(nnsweep, spec, threads, out, *extra):
    """One `run` with NNSWEEP_PHASES set: wall and CPU seconds (its own) and the phases it
    reports on stderr, {name: milliseconds}."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen([nnsweep, "run", spec, *extra, "--quiet", "--threads",
                                str(threads), "--out", out, "--save-models", "none"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, NNSWEEP_PHASES="1"))
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{spec} failed: {err}")
    line = next(l for l in err.splitlines() if l.startswith("phases: "))
    phases = dict(word.split("=") for word in line.split()[1:])
    return wall, usage.ru_utime + usage.ru_stime, {k: float(v) for k, v in phases.items()}


def curves_and_scaling(nnsweep, repeats):
    """The bench sweep with its default curves against `curves: off` (2 threads), the 448-training
    grid at 1 and 2 threads, and what the fixed cost of a small run is made of. Runs alternate
    (A, B, A, B, ...) so that a drift of the machine hits both alike; medians of at least 5
    (curves) and 3 (threads) runs. CPU seconds are the process's own: on a machine shared with
    other work they are steadier than wall seconds, and the parallel section's tail (the time
    after the last group of trainings was handed out, when workers run out of work) says what
    scaling loses at the end."""
    spec = os.path.join(HERE, "bench_sweep.yaml")
    grid = os.path.join(HERE, "bench_sweep_448.yaml")
    med = statistics.median
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "o")
        runs = {"on": [], "off": []}
        for _ in range(max(5, repeats)):
            for curves in runs:
                runs[curves].append(phased_run(nnsweep, spec, 2, out, f"curves={curves}"))
        on, off = ({k: med(r[i] for r in runs[c]) for i, k in enumerate(("wall", "cpu"))}
                   for c in ("on", "off"))
        print(f"bench sweep, 2 threads, curves on (the default) / off: wall {on['wall']:.3f} / "
              f"{off['wall']:.3f} s (+{100 * (on['wall'] / off['wall'] - 1):.1f}%), CPU "
              f"{on['cpu']:.3f} / {off['cpu']:.3f} s (+{100 * (on['cpu'] / off['cpu'] - 1):.1f}%)")
        phases = {k: med(r[2][k] for r in runs["on"]) for k in ("setup_ms", "tables_ms")}
        start = med(timed([nnsweep, "--version"])[0] for _ in range(max(5, repeats)))
        plan = med(timed([nnsweep, "plan", spec, "--no-calibration"])[0]
                   for _ in range(max(5, repeats)))
        print(f"fixed cost of a small run: process start {1e3 * start:.1f} ms (--version); "
              f"start, reading and planning {1e3 * plan:.1f} ms (plan --no-calibration); in "
              f"run (curves on, 2 threads): set-up {phases['setup_ms']:.1f} ms, tables and page "
              f"{phases['tables_ms']:.1f} ms")
        threads = {1: [], 2: []}
        for _ in range(max(3, repeats)):
            for t in threads:
                threads[t].append(phased_run(nnsweep, grid, t, out))
        for t, r in threads.items():
            p = {k: med(x[2][k] for x in r)
                 for k in ("setup_ms", "tables_ms", "parallel_ms", "busy_ms", "tail_ms")}
            print(f"448-training grid, {t} thread(s): wall {med(x[0] for x in r):.3f} s, CPU "
                  f"{med(x[1] for x in r):.3f} s; set-up {p['setup_ms']:.1f} ms, parallel "
                  f"section {p['parallel_ms']:.1f} ms (workers busy training "
                  f"{100 * p['busy_ms'] / (t * p['parallel_ms']):.1f}% of it, tail after the "
                  f"last group handed out {p['tail_ms']:.1f} ms), tables and page "
                  f"{p['tables_ms']:.1f} ms")
        wall = med(x[0] for x in threads[1]) / med(x[0] for x in threads[2])
        print(f"448-training grid, 2 threads over 1: {wall:.2f}x (wall, medians); CPU 2 threads "
              f"/ 1 thread {med(x[1] for x in threads[2]) / med(x[1] for x in threads[1]):.2f}")


def wide_networks(nnsweep, build, repeats):
    """Wide networks against the AVX-512 FMA peak of the two cores they use, and digits against
    scikit-learn: bench/wide_sweep.yaml (20-64-64-1 on a 10,000-row CSV, 8 trainings) and the
    same with hidden [128, 128], 2 threads, FLOPs counted as flops() counts them (training plus
    the evaluation of both splits); bench/digits_sweep.yaml (64-64-10, 20 trainings) and
    bench/digits_peer.py, 2 workers each, alternately. Wall and CPU seconds, medians."""
    peak = float(micro(build, repeats).get("BM_FmaPeakAvx512", {}).get("FLOP/s", 0)) or None
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, os.path.join(HERE, "make_large_csv.py"),
                        os.path.join(work, "wide.csv"), "--rows", "10000"], check=True)
        sweep = open(os.path.join(HERE, "wide_sweep.yaml")).read()
        for hidden in (64, 128):
            spec = os.path.join(work, f"wide{hidden}.yaml")
            open(spec, "w").write(sweep.replace("[64, 64]", f"[{hidden}, {hidden}]"))
            runs = [timed([nnsweep, "run", spec, "--quiet", "--threads", "2", "--out",
                           os.path.join(work, f"w{hidden}-{r}"), "--save-models", "none"])
                    for r in range(repeats)]
            layers = [(20, hidden), (hidden, hidden), (hidden, 1)]
            work_flops = model_flops(os.path.join(work, f"w{hidden}-0", "trials.csv"), layers,
                                     5000, 10000)
            wall, cpu = (statistics.median(r[i] for r in runs) for i in range(2))
            share = (f": {100 * work_flops / wall / (2 * peak):.0f}% of 2 cores' AVX-512 FMA peak "
                     f"by wall time, {100 * work_flops / cpu / peak:.0f}% of 1 core's per CPU "
                     f"second" if peak else "")
            print(f"wide [{hidden}, {hidden}], 8 trainings, 2 threads: {medians(runs)}, "
                  f"{work_flops / wall / 1e9:.1f} GFLOP/s{share}")
        python = peer_python()
        subprocess.run([python, os.path.join(HERE, "digits_peer.py"), "--csv",
                        os.path.join(work, "digits.csv")], check=True)
        spec = os.path.join(work, "digits.yaml")
        shutil.copy(os.path.join(HERE, "digits_sweep.yaml"), spec)
        ours, peer, said = [], [], ""
        for r in range(repeats):
            ours.append(timed([nnsweep, "run", spec, "--quiet", "--threads", "2", "--out",
                               os.path.join(work, f"d{r}"), "--save-models", "none"]))
            # Its CPU time: its own and its workers', reaped by it (RUSAGE_CHILDREN).
            before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            said = subprocess.run([python, os.path.join(HERE, "digits_peer.py"), "2"],
                                  capture_output=True, text=True).stdout.strip()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            peer.append((time.perf_counter() - start, after.ru_utime + after.ru_stime
                         - before.ru_utime - before.ru_stime, after.ru_maxrss / 1024))
            if "seconds=" not in said:
                print(said)  # says why (scikit-learn missing)
                return
        work_flops = model_flops(os.path.join(work, "d0", "trials.csv"), [(64, 64), (64, 10)],
                                 1257, 1797)
        wall = statistics.median(r[0] for r in ours)
        print(f"digits, 20 trainings, 2 threads: nnsweep {medians(ours)} ("
              + (f"{100 * work_flops / wall / (2 * peak):.0f}% of the peak; " if peak else "")
              + f"end to end); scikit-learn {medians(peer)} with Python's start-up ({said}): "
              f"{statistics.median(r[0] for r in peer) / wall:.1f}x by wall time, "
              f"{statistics.median(r[1] for r in peer) / statistics.median(r[1] for r in ours):.1f}x "
              f"by CPU time")


def model_flops(trials_csv, layers, train, evaluated):
    """flops() for any network: `train` training samples, `evaluated` samples evaluated after
    every epoch and before the first."""
    forward = sum(2 * i * o for i, o in layers)
    return sum(int(row["epochs_run"]) * 3 * forward * train
               + (int(row["epochs_run"]) + 1) * forward * evaluated
               for row in csv.DictReader(open(trials_csv)))
def lone_vs_packed(nnsweep, repeats):
    """The time a training of bench/lone_sweep.yaml (96 configurations that differ in network,
    activation, optimizer and batch size: partly filled packs) beside the same grid with
    `repeats: 4` (384 trainings, every pack full), 1 thread, the two alternated; CPU time (user +
    system), steadier than wall time on a shared machine, and wall time."""
    spec = os.path.join(HERE, "lone_sweep.yaml")
    with tempfile.TemporaryDirectory() as work:
        packed = os.path.join(work, "packed.yaml")
        open(packed, "w").write(open(spec).read() + "repeats: 4\n")
        runs = {spec: [], packed: []}
        for r in range(repeats):
            for s in (spec, packed):
                runs[s].append(timed([nnsweep, "run", s, "--quiet", "--threads", "1", "--out",
                                      os.path.join(work, f"o{len(runs[s])}-{s == spec}"),
                                      "--save-models", "none"]))
        per = {}
        for s, trainings in ((spec, 96), (packed, 384)):
            per[s] = [statistics.median(r[i] for r in runs[s]) / trainings * 1e3 for i in (0, 1)]
        print(f"lone sweep (96 trainings, packs partly filled) vs packed (x4 repeats, 384, packs "
              f"full), 1 thread: {per[spec][1]:.2f} vs {per[packed][1]:.2f} ms CPU a training, "
              f"{per[spec][1] / per[packed][1]:.2f}x; wall {per[spec][0]:.2f} vs "
              f"{per[packed][0]:.2f} ms, {per[spec][0] / per[packed][0]:.2f}x "
              f"(median of {repeats})")


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
