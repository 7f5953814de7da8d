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
    # Smaller is better: the band runs from the target up to target + tolerance.
    assert list(found["Tolerance"]["y"]) == [22.5, 21.5]
    assert found["Tolerance"]["fill"] == "tonexty"
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
