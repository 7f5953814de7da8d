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


def write_long_csv(path, series=5000, months=200, seed=2022):
    """A long-layout CSV of generated monthly figures for measures BENCH-00000 onwards."""
    frame = generate_series(series, months, seed)
    month = frame["month"].to_numpy()
    periods = [f"{m // 12}-{m % 12 + 1:02d}" for m in range(month.min(), month.max() + 1)]
    out = pd.DataFrame(
        {
            "measure_code": np.char.add(
                "BENCH-", np.char.zfill(frame["series"].astype(str).to_numpy().astype("U5"), 5)
            ),
            "period": np.asarray(periods)[month - month.min()],
            "area": "",
            "value": frame["value"].fillna(50.0).round(1),
            "numerator": "",
            "denominator": "",
            "note": "",
        }
    )
    out.to_csv(path, index=False)
    return len(out)


def bench_upload(write, rows_wanted=1_000_000):
    """Load a generated long CSV through the upload path into PostgreSQL, against a COPY."""
    import tempfile
    from pathlib import Path

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection

    from metrics import loading
    from metrics.models import Frequency, Measure, ServiceArea, Upload

    if connection.vendor != "postgresql":
        write(
            "The upload benchmark needs PostgreSQL: set DATABASE_URL (bin/with-test-services "
            "gives a throwaway one). Nothing was run."
        )
        return None
    months = 200
    series = max(1, rows_wanted // months)
    workdir = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    path = workdir / "figures.csv"
    rows = write_long_csv(path, series=series, months=months)
    size = path.stat().st_size
    write(f"Wrote {rows:,} rows ({size / 1048576:.0f} MB) to {path}")

    area, _ = ServiceArea.objects.get_or_create(slug="benchmark", defaults={"name": "Benchmark"})
    Measure.objects.filter(area=area).delete()
    Measure.objects.bulk_create(
        Measure(
            code=f"BENCH-{i:05d}",
            name=f"Benchmark measure {i}",
            area=area,
            polarity="bigger",
            frequency=Frequency.MONTHLY,
            unit="percent",
        )
        for i in range(series)
    )
    user, _ = User.objects.get_or_create(username="benchmark")
    settings.UPLOAD_MAX_BYTES = size + 1
    data = path.read_bytes()
    rss_before = peak_rss_mib()

    timings = {}
    started = time.perf_counter()
    upload = loading.receive(data, "figures.csv", user)
    loading.check_upload(upload)
    upload.refresh_from_db()
    timings["parse, validate and preview"] = time.perf_counter() - started
    if upload.status != Upload.Status.READY:
        write(f"The generated file did not pass its checks: {upload.problems[:3]}")
        return None
    started = time.perf_counter()
    loading.commit(upload, user, "benchmark")
    timings["commit and audit"] = time.perf_counter() - started
    total = sum(timings.values())
    peak = peak_rss_mib()

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_floor (measure_code text, period text, area text,"
            " value numeric, numerator text, denominator text, note text)"
        )
        started = time.perf_counter()
        with cursor.copy("COPY bench_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
        floor = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    for name, seconds in timings.items():
        write(f"  {name}: {seconds:.1f} s")
    write(f"Upload path, {rows:,} rows: {total:.1f} s (goal <= 60 s)")
    write(
        f"Peak memory of the process: {peak:.0f} MiB (was {rss_before:.0f} MiB before "
        f"loading; goal <= 1536 MiB)"
    )
    write(
        f"Floor, PostgreSQL COPY of the same file into a bare table: {floor:.1f} s; "
        f"the upload path takes {total / floor:.1f}x the floor (aim: within 10x)"
    )
    Measure.objects.filter(area=area).delete()
    area.delete()
    path.unlink()
    workdir.rmdir()
    return {"seconds": total, "peak_mib": peak, "floor_seconds": floor}
