"""Generated data and timings for `manage.py bench engine`."""

import resource
import time

import numpy as np
import pandas as pd

from metrics import calculations as calc


def peak_rss_mib():
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate_series(series=5000, months=200, seed=2022):
    """Monthly series that look like councils' figures: percentages drifting around a level,
    with noise, occasional shifts, some gaps, mixed polarity, and targets that change."""
    rng = np.random.default_rng(seed)
    n = series * months
    level = rng.uniform(20, 90, series)
    walk = np.cumsum(rng.normal(0, 0.6, (series, months)), axis=1)
    noise = rng.normal(0, 2.0, (series, months))
    shift = np.where(np.arange(months) >= months // 2, rng.normal(0, 5, (series, 1)), 0.0)
    values = np.clip(level[:, None] + walk + noise + shift, 0, 100).round(1).ravel()
    values[rng.random(n) < 0.01] = np.nan  # one value in a hundred missing
    target_level = (level + rng.normal(2, 4, series)).round(0)
    stretch = np.where(np.arange(months) >= months - 24, 3.0, 0.0)  # a stretch in the last 2 years
    targets = np.clip(target_level[:, None] + stretch, 1, 100).ravel()
    polarity = rng.choice([1, -1, 0], series, p=[0.6, 0.35, 0.05])
    first_month = 2010 * 12
    return pd.DataFrame(
        {
            "series": np.repeat(np.arange(series), months),
            "month": np.tile(np.arange(first_month, first_month + months), series),
            "step": 1,
            "value": values,
            "target": targets,
            "sign": np.repeat(polarity, months),
            "tolerance_kind": calc.RELATIVE,
            "tolerance": 5.0,
            "deadband_kind": calc.RELATIVE,
            "deadband": 1.0,
            "judged": True,
            "rebase": False,
        }
    )


def bare_rag_floor(frame):
    """The floor: one bare numpy pass of the Bigger-is-Better RAG rule over the same arrays."""
    values = frame["value"].to_numpy()
    targets = frame["target"].to_numpy()
    started = time.perf_counter()
    width = targets * 0.05
    np.where(values >= targets, 0, np.where(values >= targets - width, 1, 2))
    return time.perf_counter() - started


def bench_engine(write, series=5000, months=200):
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    frame = generate_series(series, months)
    generated = time.perf_counter() - started
    write(
        f"Generated {len(frame):,} observations ({series:,} series x {months} months) "
        f"in {generated:.1f} s"
    )
    started = time.perf_counter()
    result = calc.judge(frame)
    elapsed = time.perf_counter() - started
    peak = peak_rss_mib()
    floor = min(bare_rag_floor(frame) for _ in range(5))
    rag = pd.Series(calc.rag_names(result["rag"])).value_counts().to_dict()
    variation = pd.Series(calc.VARIATION_NAMES[result["spc_variation"]]).value_counts().to_dict()
    write(
        f"Every status (RAG, direction vs previous and year, SPC): {elapsed:.2f} s (goal <= 15 s)"
    )
    write(
        f"Peak memory of the process: {peak:.0f} MiB (was {rss_before:.0f} MiB before "
        f"generating; goal <= 1024 MiB)"
    )
    write(
        f"Floor, a bare numpy pass of the RAG rule: {floor * 1000:.1f} ms; "
        f"the engine takes {elapsed / floor:.0f}x the floor"
    )
    write(f"RAG counts: {rag}")
    write(f"Variation counts: {variation}")
    return {"seconds": elapsed, "peak_mib": peak, "floor_seconds": floor}
