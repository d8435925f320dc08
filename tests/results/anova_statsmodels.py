"""results/anova.h against statsmodels, an independent implementation (Debian's python3-statsmodels).

Random unbalanced tables (seeded): 2 to 4 factors of 2 to 5 levels, with and without a block
factor (a repeat index: main effect only), with observations and cells removed. The tool
anova_table_tool prints our table; statsmodels fits the same model,
    y ~ C(a) + C(b) + ... + C(a):C(b) + ... + C(rep),
and each sum of squares, df, F and p must agree to a relative 1e-6.

Two references, both statsmodels:
- anova_lm(model, typ=2), when the design has full column rank. Its type II is computed as a
  Wald test inside the full model, which equals SS(A | every term not containing A) there.
- Model comparisons of OLS fits (ssr and df_model, which statsmodels takes from a
  pseudo-inverse and the rank), for every table. Once a pairwise cell is empty the design is
  rank deficient and anova_lm(typ=2) counts constraints nominally (it warns "covariance of
  constraints does not have full rank"): its sum_sq and df are then not type II sums of
  squares, so those tables are checked against the model comparisons only.

Usage: anova_statsmodels.py path/to/anova_table_tool. Exit 77 (skipped) without statsmodels.
"""
import io
import itertools
import os
import subprocess
import sys
import tempfile
import warnings

try:
    import numpy as np
    import pandas as pd
    import scipy.stats
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm
except ImportError as e:
    print("skipped: %s (apt-get install python3-statsmodels)" % e)
    sys.exit(77)

RTOL = 1e-6
failures = []
worst = [0.0]


def close(what, ours, ref, scale):
    """Relative agreement; `scale` sets the absolute floor for values near 0."""
    if np.isnan(ref) or np.isnan(ours):
        ok = np.isnan(ref) and np.isnan(ours)
    else:
        err = abs(ours - ref)
        worst[0] = max(worst[0], err / max(abs(ref), scale))
        ok = err <= RTOL * max(abs(ref), scale)
    if not ok:
        failures.append("%s: ours %r, statsmodels %r" % (what, ours, ref))


def make_table(rng, factors, block, empty_pair_cell):
    levels = [int(rng.randint(2, 6)) for _ in factors]
    rows = []
    # 1 to 4 observations per cell; with empty cells, 0 to 3 and one pairwise cell emptied.
    fewest = 0 if empty_pair_cell else 1
    for cell in itertools.product(*[range(n) for n in levels]):
        rows.extend([cell] * int(rng.randint(fewest, fewest + 4)))
    df = pd.DataFrame(rows, columns=factors)
    if empty_pair_cell:
        df = df[~((df[factors[0]] == 1) & (df[factors[1]] == 0))]
    effect = sum(rng.randn(n)[df[f]] for f, n in zip(factors, levels))
    effect = effect + 0.5 * rng.randn(levels[0], levels[1])[df[factors[0]], df[factors[1]]]
    df = df.assign(y=effect + 0.7 * rng.randn(len(df)) + 3.0)
    if block:
        df.insert(len(factors), "rep", rng.randint(0, 3, len(df)))
    # Level text unlike statsmodels' sorted order: the coding must not matter.
    for f in factors:
        df[f] = "L" + (9 - df[f]).astype(str)
    return df.reset_index(drop=True)


def terms_of(factors, block):
    mains = ["C(%s)" % f for f in factors] + (["C(rep)"] if block else [])
    pairs = ["C(%s):C(%s)" % (a, b) for a, b in itertools.combinations(factors, 2)]
    return mains, pairs


def ours_for(tool, df, block):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "table.csv")
        df.to_csv(path, index=False)
        args = [tool, path] + (["--block", "rep"] if block else [])
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    table = pd.read_csv(io.StringIO(out), index_col=0)
    table.index = ["Residual" if t == "Residual" else ":".join("C(%s)" % f for f in t.split(":"))
                   for t in table.index]
    return table


def model_comparisons(df, mains, pairs):
    def fit(terms):
        return smf.ols("y ~ " + " + ".join(terms), data=df).fit()

    full = fit(mains + pairs)
    ref = {"Residual": (full.ssr, full.df_resid)}
    for term in mains + pairs:
        if term in pairs:
            small, large = fit([t for t in mains + pairs if t != term]), full
        else:
            rest = [t for t in mains + pairs if term not in t.split(":")]
            small, large = fit(rest) if rest else None, fit(rest + [term])
        small_ssr = small.ssr if small else large.centered_tss
        small_df = small.df_model if small else 0
        ref[term] = (small_ssr - large.ssr, large.df_model - small_df)
    return ref


def check(tool, name, df, factors, block):
    mains, pairs = terms_of(factors, block)
    ours = ours_for(tool, df, block)
    scale = 1e-9 * ours["sum_sq"].sum()
    ref = model_comparisons(df, mains, pairs)
    res_ss, res_df = ref["Residual"]
    for term, (ss, dof) in ref.items():
        close("%s %s sum_sq" % (name, term), ours.loc[term, "sum_sq"], ss, scale)
        close("%s %s df" % (name, term), ours.loc[term, "df"], dof, 1)
        if term != "Residual" and dof > 0:
            f = (ss / dof) / (res_ss / res_df)
            close("%s %s F" % (name, term), ours.loc[term, "F"], f, 1e-12)
            close("%s %s p" % (name, term), ours.loc[term, "p"], scipy.stats.f.sf(f, dof, res_df),
                  1e-12)
    model = smf.ols("y ~ " + " + ".join(mains + pairs), data=df).fit()
    if np.linalg.matrix_rank(model.model.exog) < model.model.exog.shape[1]:
        return "rank deficient: model comparisons"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = anova_lm(model, typ=2)
    for term in table.index:
        for ours_col, col, floor in (("sum_sq", "sum_sq", scale), ("df", "df", 1),
                                     ("F", "F", 1e-12), ("p", "PR(>F)", 1e-12)):
            close("%s %s %s" % (name, term, col), ours.loc[term, ours_col], table.loc[term, col],
                  floor)
    return "full rank: model comparisons and anova_lm(typ=2)"


def main():
    tool = sys.argv[1]
    rng = np.random.RandomState(20261202)
    letters = ["a", "b", "c", "d"]
    cases = 0
    for k, block, empty_pair_cell, copy in itertools.product((2, 3, 4), (False, True),
                                                             (False, True), (1, 2)):
        name = "k=%d block=%s empty_pair_cell=%s #%d" % (k, block, empty_pair_cell, copy)
        df = make_table(rng, letters[:k], block, empty_pair_cell)
        verdict = check(tool, name, df, letters[:k], block)
        print("%s, %d rows: %s" % (name, len(df), verdict))
        cases += 1
    print("worst relative difference: %.2g" % worst[0])
    if failures:
        print("\n".join(failures[:40]))
        sys.exit(1)
    print("%d tables agree" % cases)


main()
