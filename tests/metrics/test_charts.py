from metrics import charts


def traces(figure):
    return {trace["name"]: trace for trace in figure.to_dict()["data"] if trace.get("name")}


def test_measure_chart_draws_actuals_the_target_as_steps_and_the_tolerance_on_the_worse_side():
    figure = charts.measure_chart(
        title="Visits",
        labels=["Mar 2022", "Apr 2022"],
        values=[23.2, 23.8],
        targets=[22.5, 21.5],
        tolerance_widths=[1.125, 1.075],
        polarity="smaller",
        unit_suffix="%",
        comparators=[("Peer group (Mar-21)", 21.3)],
    )
    found = traces(figure)
    assert list(found["Actual"]["y"]) == [23.2, 23.8]
    assert found["Target"]["line"]["shape"] == "hv"
    assert list(found["Target"]["y"]) == [22.5, 21.5]
    # Smaller is better: the amber band runs from the target up to target + tolerance.
    amber = found["Amber: worse than target, within tolerance"]
    assert list(amber["y"]) == [22.5, 21.5] and amber["fill"] == "tonexty"
    assert "Green: within tolerance of the target" not in found
    assert list(found["Peer group (Mar-21)"]["y"]) == [21.3, 21.3]


def test_measure_chart_marks_special_cause_points_by_shape_as_well_as_colour():
    figure = charts.measure_chart(
        title="x",
        labels=list("abc"),
        values=[1, 2, 9],
        targets=[None] * 3,
        tolerance_widths=[None] * 3,
        polarity="bigger",
        spc_mean=[2, 2, 2],
        spc_lower=[0, 0, 0],
        spc_upper=[4, 4, 4],
        signals=["", "", "improvement"],
    )
    found = traces(figure)
    assert "Target" not in found
    improvement = found["Special cause: improvement"]
    assert list(improvement["x"]) == ["c"] and improvement["marker"]["symbol"] == "triangle-up"
    assert list(found["SPC mean"]["y"]) == [2, 2, 2]


def test_sparkline_is_hidden_from_screen_readers_and_needs_two_points():
    assert charts.sparkline([1.0]) == ""
    svg = charts.sparkline([1.0, None, 3.0, 2.0])
    assert svg.startswith('<svg class="sparkline"') and 'aria-hidden="true"' in svg
    # The gap is skipped; the line runs from the lowest (bottom) to the highest (top).
    assert 'points="3.0,21.0 63.0,3.0 93.0,12.0"' in svg


def test_the_plan_is_best_chart_draws_the_zones_the_rag_rule_judges_by():
    """The chart used to shade ±tolerance as "Tolerance" while the rule makes that band green
    and puts amber out to twice the width."""
    from metrics import calculations as calc

    target, width = 85.0, 4.25  # 5% of the target
    figure = charts.measure_chart(
        title="Foster beds used",
        labels=["Jun 2022"],
        values=[96.0],
        targets=[target],
        tolerance_widths=[width],
        polarity="plan",
    )
    data = figure.to_dict()["data"]
    green_low = next(t for t in data if t.get("name") == "Green: within tolerance of the target")
    green_high = data[data.index(green_low) - 1]
    assert (green_low["y"][0], green_high["y"][0]) == (80.75, 89.25)
    amber = [t for t in data if t.get("name") == "Amber: worse than target, within tolerance"]
    edges = sorted(t["y"][0] for t in amber) + sorted(
        data[data.index(t) - 1]["y"][0] for t in amber
    )
    assert sorted(edges) == [76.5, 80.75, 89.25, 93.5]
    # The same edges, judged by the rule: the better status on an edge, worse just beyond.
    judged = calc.rag_names(calc.rag([80.75, 80.7, 76.5, 76.4, 93.5, 93.6], target, "plan"))
    assert list(judged) == ["green", "amber", "amber", "red", "amber", "red"]


def test_benchmark_charts_mark_the_council_and_tell_series_apart_without_colour():
    from metrics import charts

    trend = charts.benchmark_trend(
        title="t",
        years=["2021/22", "2022/23"],
        series={
            "Council": [24.5, 27.2],
            "Neighbours": [20.3, 20.5],
            "Region": [22.6, 23.0],
            "England": [21.5, 22.4],
        },
        unit_suffix="%",
    ).to_dict()
    dashes = [t["line"]["dash"] for t in trend["data"]]
    symbols = [t["marker"]["symbol"] for t in trend["data"]]
    assert len(set(dashes)) == 4 and len(set(symbols)) == 4

    bars = charts.neighbour_bars(
        title="t", names=["A", "Us", "B"], values=[1, 2, 3], highlight="Us", average=2.0
    ).to_dict()
    assert bars["data"][0]["marker"]["color"][1] == charts.BLUE
    assert bars["data"][0]["marker"]["color"][0] != charts.BLUE
    assert [s["x0"] for s in bars["layout"]["shapes"]] == [2.0]

    funnel = charts.funnel_plot(
        title="t",
        points=[("Us", 1000, 28.9), ("N", 800, 20.0), ("O", 500, 21.0)],
        centre=22.7,
        limits=([100, 1000], [10, 20], [30, 25], [5, 18], [35, 27]),
        council="Us",
        neighbours={"N"},
        x_title="Plans started",
    ).to_dict()
    named = {t["name"]: t for t in funnel["data"]}
    assert named["Us"]["x"] == [1000] and named["Us"]["marker"]["symbol"] == "diamond"
    assert named["Statistical neighbours"]["text"] == ["N"]
    assert "99.8% limits" in named and "95% limits" in named
    assert funnel["layout"]["xaxis"]["type"] == "log"
