"""Generated data and timings for `manage.py bench engine`."""

import re
import resource
import time
from datetime import date

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
            **calc.DEFAULT_RULES,
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
    return [
        ("engine-computation", elapsed, "s", floor, "s"),
        ("engine-computation-peak-memory", peak, "MiB", rss_before, "MiB"),
    ]


def bench_engine_database(write, series=5000, months=200):
    """The engine end to end through PostgreSQL, stage by stage, on the generated figures,
    beside a COPY of the same figures out of the database and into a bare table."""
    from django.db import connection

    from metrics import engine
    from metrics.models import Measure, Observation

    if connection.vendor != "postgresql":
        write(
            "The engine --database benchmark needs PostgreSQL: set DATABASE_URL. Nothing was run."
        )
        return []
    fill_database(write, series, months, compute=False)
    measures = Measure.objects.filter(code__startswith="BENCH-")
    ids = sorted(measures.values_list("pk", flat=True))
    try:
        floor = copy_floor(ids)
        write(
            f"Floor, COPY of the {len(ids) * months:,} figures out and into a bare table: "
            f"{floor:.2f} s"
        )
        latest = Observation.objects.filter(measure_id__in=ids).order_by("-period_end").first()
        runs = [
            ("engine-first", "first compute: every status new", None),
            ("engine-unchanged", "again, nothing changed (the nightly run)", None),
            (
                "engine-one-corrected",
                "after one figure is corrected",
                lambda: Observation.objects.filter(pk=latest.pk).update(value=1.5),
            ),
            (
                "engine-new-month",
                "after a new month's figure for every measure",
                lambda: _add_a_month(ids, latest.period_end),
            ),
        ]
        results = []
        for name, label, change in runs:
            if change:
                change()
            timings = {}
            started = time.perf_counter()
            judged = engine.recompute(measures, timings=timings)
            total = time.perf_counter() - started
            written = timings.pop("statuses written")
            write(
                f"  {label}: {judged:,} figures, {written:,} statuses written; "
                + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in timings.items())
                + f"; total {total:.2f} s ({total / floor:.1f}x the floor)"
            )
            results.append((name, total, "s", floor, "s"))
        write("Goal: <= 5 s end to end, within 4x the floor")
        return results
    finally:
        clear_database()


def copy_floor(measure_ids):
    """Seconds to COPY the measures' figures out of PostgreSQL and into a bare table."""
    import io

    from django.db import connection

    from metrics.models import Observation

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy_floor (measure_id bigint, period_kind text, "
            "period_end date, breakdown text, value numeric, published boolean)"
        )
        started = time.perf_counter()
        buffer = io.BytesIO()
        with cursor.cursor.copy(
            "COPY (SELECT measure_id, period_kind, period_end, breakdown, value, published "
            f"FROM {Observation._meta.db_table} WHERE measure_id = ANY(%s)) TO STDOUT",
            [list(measure_ids)],
        ) as copy:
            for block in copy:
                buffer.write(block)
        with cursor.copy("COPY bench_copy_floor FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_floor")
    return seconds


def _add_a_month(measure_ids, latest):
    from django.utils import timezone

    from metrics.models import Observation

    month = date_from_month(latest.year * 12 + latest.month)
    Observation.objects.bulk_create(
        Observation(
            measure_id=pk,
            period_kind="month",
            period_end=month,
            value=50,
            published=True,
            source="benchmark",
            updated_at=timezone.now(),
        )
        for pk in measure_ids
    )


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
        return []
    months = 200
    series = max(1, rows_wanted // months)
    workdir = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    path = workdir / "figures.csv"
    rows = write_long_csv(path, series=series, months=months)
    size = path.stat().st_size
    write(f"Wrote {rows:,} rows ({size / 1048576:.0f} MB) to {path}")

    clear_database()
    area = ServiceArea.objects.create(slug="bench-area-upload", name="Benchmark upload")
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
        clear_database()
        return []
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
    clear_database()
    path.unlink()
    workdir.rmdir()
    return [
        ("upload", total, "s", floor, "s"),
        ("upload-peak-memory", peak, "MiB", rss_before, "MiB"),
    ]


def _percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def fill_database(write, series=5000, months=200, per_area=200, compute=True):
    """The 1,000,000-observation data set in PostgreSQL: areas of 200 measures, with targets,
    comparators and (``compute``) every status computed by the engine."""
    from django.db import connection

    from metrics.models import (
        Comparator,
        Frequency,
        Measure,
        Observation,
        Section,
        ServiceArea,
        Target,
    )

    clear_database()
    frame = generate_series(series, months)
    areas = []
    for number in range(-(-series // per_area)):  # the last area may be smaller
        area = ServiceArea.objects.create(
            slug=f"bench-area-{number:02d}", name=f"Benchmark area {number}", order=100 + number
        )
        areas.append((area, Section.objects.create(area=area, name="Benchmark section")))
    polarity = {1: "bigger", -1: "smaller", 0: "plan"}
    signs = frame.groupby("series")["sign"].first().to_dict()
    Measure.objects.bulk_create(
        Measure(
            code=f"BENCH-{i:05d}",
            name=f"Benchmark measure {i}",
            area=areas[i // per_area][0],
            section=areas[i // per_area][1],
            polarity=polarity[signs[i]],
            frequency=Frequency.MONTHLY,
            unit="percent",
            order=i % per_area,
        )
        for i in range(series)
    )
    ids = dict(Measure.objects.filter(code__startswith="BENCH-").values_list("code", "pk"))
    measure_ids = np.array([ids[f"BENCH-{i:05d}"] for i in range(series)])
    first = date_from_month(int(frame["month"].min()))
    Target.objects.bulk_create(
        Target(measure_id=int(pk), value=round(float(t), 1), effective_from=first)
        for pk, t in zip(measure_ids, frame.groupby("series")["target"].first(), strict=True)
    )
    Comparator.objects.bulk_create(
        Comparator(measure_id=int(pk), kind="england", value=50) for pk in measure_ids
    )
    started = time.perf_counter()
    table = Observation._meta.db_table
    months_to_dates = {m: date_from_month(m) for m in frame["month"].unique()}
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {table} (measure_id, period_kind, period_end, breakdown, value, quality, note, "
            "source, published, updated_at) FROM STDIN"
        ) as copy,
    ):
        now = pd.Timestamp.now(tz="UTC").to_pydatetime()
        for series_id, month, value in zip(
            frame["series"].to_numpy(),
            frame["month"].to_numpy(),
            frame["value"].to_numpy(),
            strict=True,
        ):
            copy.write_row(
                (
                    int(measure_ids[series_id]),
                    "month",
                    months_to_dates[month],
                    "",
                    None if np.isnan(value) else float(value),
                    "",
                    "",
                    "benchmark",
                    True,
                    now,
                )
            )
    write(f"Filled {len(frame):,} observations in {time.perf_counter() - started:.1f} s")
    if not compute:
        return [area for area, _ in areas]
    started = time.perf_counter()
    count = Measure.objects.filter(code__startswith="BENCH-").recompute_statuses()
    write(f"Computed and stored {count:,} statuses in {time.perf_counter() - started:.1f} s")
    return [area for area, _ in areas]


def _analyze():
    """Table statistics, as autovacuum gathers them within a minute of a load this size: pages
    are measured against the database a council would have, not one the planner knows nothing
    about."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def date_from_month(month):
    from datetime import date

    return date(int(month) // 12, int(month) % 12 + 1, 1)


def clear_database():
    from metrics.models import Geography, Measure, NationalMeasure, NeighbourModel, ServiceArea

    Measure.objects.filter(code__startswith="BENCH-").delete()
    ServiceArea.objects.filter(slug__startswith="bench-area-").delete()
    NationalMeasure.objects.filter(key__startswith="bench-").delete()
    NeighbourModel.objects.filter(year=1999).delete()
    generated = Geography.objects.filter(note=GENERATED)
    generated.filter(level__in=["council", "joint"]).delete()  # before the regions they name
    generated.delete()


GENERATED = "Generated for the benchmark"


def fill_national(write, measures=75, years=13, seed=2025):
    """The national data of the benchmarking issue: 153 councils in 9 regions and England,
    ``measures`` measures over ``years`` years (about 160,000 figures, a few suppressed), a
    neighbour model; the first benchmark measure is linked to the first national one."""
    from django.conf import settings

    from metrics.models import (
        Geography,
        Measure,
        NationalMeasure,
        NationalValue,
        Neighbour,
        NeighbourModel,
    )
    from metrics.national_loading import refresh_comparators

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    england = Geography.objects.create(
        code="BENCH-E", name="England (benchmark)", level="national", note=GENERATED
    )
    regions = [
        Geography.objects.create(
            code=f"BENCH-R{r}", name=f"Region {r}", level="regional", note=GENERATED
        )
        for r in range(9)
    ]
    own = settings.COUNCIL_LA_CODE
    codes = [own] + [f"{code}" for code in range(700, 900) if f"{code}" != own][:152]
    councils = []
    for number, code in enumerate(codes):
        council = Geography.objects.filter(code=code).first()
        if council is None:
            council = Geography.objects.create(
                code=code,
                name=f"Council {code}",
                level="council",
                note=GENERATED,
                region=regions[number % 9],
            )
        councils.append(council)
    model = NeighbourModel.objects.create(year=1999, name="Benchmark neighbour model")
    Neighbour.objects.bulk_create(
        Neighbour(
            model=model,
            council=c,
            rank=rank + 1,
            neighbour=councils[(i + rank * 7 + 1) % len(councils)],
        )
        for i, c in enumerate(councils)
        for rank in range(10)
    )
    polarities = rng.choice(["bigger", "smaller", ""], measures)
    made = NationalMeasure.objects.bulk_create(
        NationalMeasure(
            key=f"bench-{m:03d}",
            name=f"Benchmark national measure {m}",
            unit="percent",
            polarity=str(polarities[m]),
            numerator_column="n",
            denominator_column="d",
        )
        for m in range(measures)
    )
    places = [england, *regions, *councils]
    rows = []
    for measure in made:
        level = rng.uniform(10, 80)
        for year in range(2013, 2013 + years):
            denominators = rng.integers(200, 20_000, len(places))
            shares = np.clip(rng.normal(level, 6, len(places)), 0, 100)
            suppressed = rng.random(len(places)) < 0.01
            for place, den, share, hidden in zip(
                places, denominators, shares, suppressed, strict=True
            ):
                den, num = int(den), round(int(den) * float(share) / 100)
                rows.append(
                    NationalValue(
                        measure=measure,
                        geography=place,
                        period=str(year),
                        period_end=date(year, 3, 31),
                        value=None if hidden else round(num / den * 100, 1),
                        marker="c" if hidden else "",
                        numerator=None if hidden else num,
                        denominator=None if hidden else den,
                        publication="Benchmark",
                    )
                )
    NationalValue.objects.bulk_create(rows, batch_size=5000)
    linked = Measure.objects.get(code="BENCH-00000")
    linked.national_measure = made[0]
    linked.polarity = made[0].polarity or linked.polarity
    linked.save()
    refresh_comparators([linked])
    write(
        f"National data: {len(rows):,} figures for {len(places)} places, {measures} measures, "
        f"{years} years in {time.perf_counter() - started:.1f} s"
    )
    return made[0], model


def bench_pages(write, requests=60, load_seconds=10, cold=True):
    """Each main page's response time over many requests, warm and (``cold``) with every
    cache cleared before each request, beside a trivial page; then a load run with wrk."""
    try:
        return _bench_pages(write, requests, load_seconds, cold)
    finally:
        clear_database()


def _bench_pages(write, requests, load_seconds, cold):
    import os
    import shutil
    import socket
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from scrutiny import roles
    from scrutiny.roles import sync_roles

    if connection.vendor != "postgresql":
        write("The pages benchmark needs PostgreSQL: set DATABASE_URL. Nothing was run.")
        return []
    areas = fill_database(write)
    national_measure, model = fill_national(write)
    _analyze()
    from django.contrib.auth.models import Group, User

    sync_roles()
    user, _ = User.objects.get_or_create(username="benchmark-member")
    password = "benchmark-password-" + "z" * 12
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=roles.COMMITTEE_MEMBER)])
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    settings.DEBUG = False
    pages = {
        "floor: a trivial page (accessibility statement)": ("floor", "/accessibility/"),
        "dashboard": ("dashboard", "/"),
        "200-measure scorecard": ("scorecard", f"/scorecards/{areas[0].slug}/"),
        "measure page (with every council compared)": ("measure", "/measures/BENCH-00000/"),
        "how we compare (75 national measures)": ("benchmarks", "/benchmarks/?model=1999"),
        "one national measure, every council": (
            "national-measure",
            f"/benchmarks/{national_measure.key}/?model=1999",
        ),
        "an area's comparison": (
            "area-comparison",
            f"/scorecards/{areas[0].slug}/compare/?model=1999",
        ),
    }
    from django.core.cache import caches

    def timed(url, clear):
        if clear:
            for cache in caches.all():
                cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return (time.perf_counter() - started) * 1000

    import gc

    gc.collect()
    gc.freeze()  # as the WSGI entry point does once the application has started
    results, floors = [], {}
    for name, (key, url) in pages.items():
        timed(url, False)  # warm up
        for temperature in ["warm", "cold"] if cold else ["warm"]:
            samples = [timed(url, temperature == "cold") for _ in range(requests)]
            p95 = _percentile(samples, 0.95)
            write(
                f"  {name}, {temperature}: p50 {_percentile(samples, 0.5):.0f} ms, "
                f"p95 {p95:.0f} ms over {requests} requests"
            )
            if key == "floor":
                floors[temperature] = p95
            else:
                results.append(
                    (f"page-{key}-{temperature}-p95", p95, "ms", floors[temperature], "ms")
                )
    write(
        "Goal: p95 <= 150 ms, warm and cold, for the dashboard, the scorecard, the measure page "
        "and the benchmarking pages"
    )

    if not shutil.which("wrk"):
        write("Load run skipped: wrk is not installed (make bench installs it).")
        return results
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(
        os.environ,
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY="benchmark-only-secret-key-" + "x" * 40,
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=settings.BASE_DIR,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "scrutiny.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        time.sleep(4)
        session = _sign_in_over_http(f"http://127.0.0.1:{port}", "benchmark-member", password)
        url = f"http://127.0.0.1:{port}/scorecards/{areas[0].slug}/"
        if not _answers_200(url, session):
            write("Load run skipped: the signed-in page did not answer 200.")
            return results
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c20",
                f"-d{load_seconds}s",
                "--latency",
                "-H",
                f"Cookie: {session}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=load_seconds + 30,
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=20)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    write(
        f"Load run, 20 clients for {load_seconds} s against gunicorn (2 workers), the "
        f"200-measure scorecard: {float(rate.group(1)) if rate else 0:.1f} requests/s, "
        f"{int(errors.group(1)) if errors else 0} errors"
        f"{', socket errors: ' + socket_errors.group(1) if socket_errors else ''} "
        "(goal >= 50 requests/s, no errors)"
    )
    return results


def _sign_in_over_http(base, username, password):
    """Sign in through the real login form; returns the Cookie header value to send."""
    import http.client
    import urllib.parse

    host, port = base.removeprefix("http://").split(":")
    cookies = {}

    def request(method, path, body=None):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"{base}/accounts/login/",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.read().decode()

    page = request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    request(
        "POST",
        "/accounts/login/",
        urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
        ),
    )
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _answers_200(url, cookie):
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(urllib.request.Request(url, headers={"Cookie": cookie}))
    except Exception:
        return False
    return response.status == 200
