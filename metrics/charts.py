"""Charts as pure functions: plain values in, a Plotly Figure (or an SVG string) out.

The palette is Okabe and Ito's, which stays distinct for colour-blind readers; every series
also differs by line style or marker shape, and every chart is followed on its page by the same
figures as a table.
"""

import json
import math

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from metrics import calculations as calc

BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
BLACK = "#0b0c0c"
GREY = "#505a5f"
FONT = "arial, sans-serif"
# Every bar and marker is edged in black, so no mark relies on its colour alone to be seen.
OUTLINE = {"color": BLACK, "width": 1}


AMBER_FILL = "rgba(230,159,0,0.25)"
GREEN_FILL = "rgba(0,158,115,0.18)"


def _band(figure, x, edges, name, colour, showlegend=True):
    """Shade between each period's (low, high) edges as steps, like the target line: the high
    edge drawn unseen, then the low edge filled up to it."""
    filled = {"fill": "tonexty", "fillcolor": colour, "name": name, "legendgroup": name}
    for side, shade in ((1, {"showlegend": False}), (0, {**filled, "showlegend": showlegend})):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[None if e is None else e[side] for e in edges],
                mode="lines",
                line={"width": 0},
                line_shape="hv",
                hoverinfo="skip",
                **shade,
            )
        )


def measure_chart(
    *,
    title,
    labels,
    values,
    targets,
    tolerance_widths,
    polarity,
    unit_suffix="",
    comparators=(),
    spc_mean=(),
    spc_lower=(),
    spc_upper=(),
    signals=(),
):
    """The measure page's chart: actuals, the target as a step line with the tolerance band
    shaded on its worse side, comparators, and the SPC mean and limits with signal points.

    Every list is one entry per period (None where there is nothing). ``polarity`` is
    bigger, smaller or plan; ``signals`` holds "improvement", "concern", "neutral" or "".
    """
    figure = go.Figure()
    x = list(labels)
    if any(t is not None for t in targets):
        # The zones are calc.rag's own edges (calc.rag_zones), so the chart shows the rule.
        zones = [
            None if t is None or w is None else calc.rag_zones(t, w, polarity)
            for t, w in zip(targets, tolerance_widths, strict=True)
        ]
        bands = [
            ("Amber: worse than target, within tolerance", AMBER_FILL, "amber", i) for i in (0, 1)
        ]
        if polarity == calc.PLAN:
            bands.append(("Green: within tolerance of the target", GREEN_FILL, "green", None))
        for name, colour, zone, part in bands:
            edges = [
                None if z is None else (z[zone] if part is None else (z[zone] + [None])[part])
                for z in zones
            ]
            if all(e is None for e in edges):
                continue
            _band(figure, x, edges, name, colour, showlegend=part != 1)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=targets,
                mode="lines",
                line={"color": BLACK, "width": 2, "dash": "dash"},
                line_shape="hv",
                name="Target",
                hovertemplate="Target %{y}" + unit_suffix + "<extra></extra>",
            )
        )
    if any(v is not None for v in spc_mean):
        for name, series, dash in (
            ("SPC mean", spc_mean, "dot"),
            ("SPC limits", spc_upper, "dashdot"),
            (None, spc_lower, "dashdot"),
        ):
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=series,
                    mode="lines",
                    line={"color": GREY, "width": 1, "dash": dash},
                    name=name or "SPC limits",
                    showlegend=name is not None,
                    legendgroup="spc" if name != "SPC mean" else None,
                    hoverinfo="skip",
                )
            )
    for comparator_label, value in comparators:
        figure.add_trace(
            go.Scatter(
                x=[x[0], x[-1]] if x else [],
                y=[value, value],
                mode="lines",
                line={"color": PURPLE, "width": 2, "dash": "longdash"},
                name=comparator_label,
                hovertemplate=comparator_label + " %{y}" + unit_suffix + "<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=values,
            mode="lines+markers",
            name="Actual",
            line={"color": BLUE, "width": 3},
            marker={"size": 8, "symbol": "circle"},
            hovertemplate="%{x}: %{y}" + unit_suffix + "<extra></extra>",
        )
    )
    styles = {
        "improvement": (GREEN, "triangle-up", "Special cause: improvement"),
        "concern": (VERMILLION, "triangle-down", "Special cause: concern"),
        "neutral": (SKY, "diamond", "Special cause"),
    }
    for kind, (colour, symbol, name) in styles.items():
        points = [
            (label, value)
            for label, value, signal in zip(x, values, signals, strict=False)
            if signal == kind and value is not None
        ]
        if points:
            figure.add_trace(
                go.Scatter(
                    x=[p[0] for p in points],
                    y=[p[1] for p in points],
                    mode="markers",
                    name=name,
                    marker={"color": colour, "size": 14, "symbol": symbol, "line": OUTLINE},
                    hovertemplate=name + ": %{x} %{y}" + unit_suffix + "<extra></extra>",
                )
            )
    return _styled(
        figure,
        title,
        margin=(50, 60, 40),
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        yaxis={"gridcolor": "#e5e6e7", "ticksuffix": unit_suffix, "zeroline": False},
        xaxis={"type": "category", "gridcolor": "#f3f2f1"},
        height=420,
    )


def breakdown_chart(*, title, areas, values, target=None, unit_suffix=""):
    """One bar per area (locality, team), with the target as a line."""
    return _bars(
        title=title,
        names=areas,
        values=values,
        colours=BLUE,
        lines=[(target, "Target", "dash")],
        unit_suffix=unit_suffix,
    )


def _reference_lines(draw, lines, position):
    """Draw each (value, label, dash) with a value as a labelled black line across the bars;
    `draw` is the figure's add_vline or add_hline."""
    for value, text, dash in lines:
        if value is not None:
            draw(
                value,
                line={"color": BLACK, "dash": dash, "width": 2},
                annotation_text=text,
                annotation_position=position,
            )


def _bars(*, title, names, values, colours, lines, unit_suffix):
    """Horizontal bars, one per name in the order given, with vertical reference lines
    (value, label, dash)."""
    figure = go.Figure(
        go.Bar(
            x=list(values),
            y=list(names),
            orientation="h",
            marker={"color": colours, "line": OUTLINE},
            hovertemplate="%{y}: %{x}" + unit_suffix + "<extra></extra>",
            name="Value",
        )
    )
    _reference_lines(figure.add_vline, lines, "top")
    return _styled(
        figure,
        title,
        margin=(170, 70, 40),
        xaxis={"ticksuffix": unit_suffix, "gridcolor": "#e5e6e7"},
        yaxis={"autorange": "reversed"},
        height=max(240, 70 + 33 * len(names)),
        showlegend=False,
    )


def sparkline(values, width=96, height=24):
    """A tiny inline SVG of a series, for the scorecard; hidden from screen readers, since the
    same figures are in the row beside it."""
    points = [(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    if len(points) < 2:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    step = (width - 6) / max(len(values) - 1, 1)
    coords = [(3 + i * step, height - 3 - (v - low) / span * (height - 6)) for i, v in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    return (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} '
        f'{height}" aria-hidden="true" focusable="false"><polyline points="{path}" '
        f'fill="none" stroke="{BLUE}" stroke-width="2"/><circle cx="{last_x:.1f}" '
        f'cy="{last_y:.1f}" r="2.5" fill="{BLUE}"/></svg>'
    )


CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def to_html(figure, element_id):
    """The figure as a fragment for a page: its data in an attribute, drawn by our own
    ``static/js/charts.js`` with plotly.js from our static files. No inline script, so the
    pages run under a Content-Security-Policy that allows none."""
    from html import escape

    config = {**CONFIG, "toImageButtonOptions": {"format": "png", "filename": element_id}}
    plain = figure.to_plotly_json()
    spec = json.dumps(
        {"data": plain["data"], "layout": plain["layout"]},
        cls=PlotlyJSONEncoder,
        separators=(",", ":"),
    )
    return (
        f'<div id="{escape(element_id)}" class="plotly-chart" data-plotly="{escape(spec)}" '
        f'data-plotly-config="{escape(json.dumps(config))}"></div>'
    )


def risk_chart(*, title, labels, scores):
    """A risk's score by quarter over the council's bands (Low 1-6, Moderate 7-12, High 13-25)."""
    figure = go.Figure()
    for low, high, name, colour in (
        (0.5, 6.5, "Low", "rgba(0,158,115,0.12)"),
        (6.5, 12.5, "Moderate", "rgba(230,159,0,0.15)"),
        (12.5, 25.5, "High", "rgba(213,94,0,0.12)"),
    ):
        figure.add_hrect(
            y0=low,
            y1=high,
            fillcolor=colour,
            line_width=0,
            annotation_text=name,
            annotation_position="top left",
        )
    figure.add_trace(
        go.Scatter(
            x=list(labels),
            y=list(scores),
            mode="lines+markers",
            name="Score",
            line={"color": BLUE, "width": 3},
            marker={"size": 10, "symbol": "square"},
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    return _styled(
        figure,
        title,
        margin=(50, 60, 40),
        height=360,
        showlegend=False,
        yaxis={"range": [0, 25.5], "dtick": 5, "title": "Impact × likelihood"},
        xaxis={"type": "category"},
    )


def milestone_timeline(*, title, names, months, done, today):
    """A workstream's milestones on a timeline: a marker per milestone in its month, filled when
    reached, hollow when not; a vertical line marks today."""
    figure = go.Figure()
    for reached, label, symbol, colour in (
        (True, "Reached", "diamond", GREEN),
        (False, "Not reached", "diamond-open", VERMILLION),
    ):
        chosen = [i for i, d in enumerate(done) if bool(d) == reached]
        figure.add_trace(
            go.Scatter(
                x=[months[i].isoformat() for i in chosen],
                y=[names[i] for i in chosen],
                mode="markers",
                name=label,
                marker={"size": 14, "symbol": symbol, "color": colour, "line": {"width": 2}},
                hovertemplate="%{y}: %{x|%B %Y}<extra>" + label + "</extra>",
            )
        )
    figure.add_vline(x=today.isoformat(), line={"color": BLACK, "dash": "dot", "width": 1})
    return _styled(
        figure,
        title,
        margin=(20, 60, 40),
        size=15,
        height=max(220, 40 * len(names) + 120),
        legend={"orientation": "h", "y": -0.15},
        xaxis={"type": "date", "tickformat": "%b %Y", "gridcolor": "#e5e6e7"},
        yaxis={"automargin": True, "autorange": "reversed"},
    )


def _styled(figure, title, *, margin, size=16, **layout):
    """The look every chart shares: the title, the font a size smaller, a white ground and the
    margins (left, top, bottom; 20 on the right), with the chart's own ``layout``."""
    left, top, bottom = margin
    return figure.update_layout(
        title={"text": title, "font": {"size": size}},
        font={"family": FONT, "color": BLACK, "size": size - 2},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": left, "r": 20, "t": top, "b": bottom},
        **layout,
    )


def _layout(figure, title, unit_suffix, height=380, **extra):
    """A chart over time or against a denominator: the value axis carries the unit."""
    return _styled(
        figure,
        title,
        margin=(60, 60, 50),
        yaxis={"ticksuffix": unit_suffix, "gridcolor": "#e5e6e7"},
        legend={"orientation": "h", "y": -0.2},
        height=height,
        **extra,
    )


BENCHMARK_STYLES = (
    (BLUE, "solid", "circle"),
    (ORANGE, "dash", "square"),
    (GREEN, "dot", "diamond"),
    (BLACK, "dashdot", "triangle-up"),
)


def benchmark_trend(*, title, years, series, unit_suffix=""):
    """The council, its neighbours' average, its region and England over the published years:
    one line each, told apart by colour, dash and marker."""
    return lines_over_time(
        title=title, periods=years, series=series, unit_suffix=unit_suffix, marker_size=8
    )


def neighbour_bars(*, title, names, values, highlight, average=None, england=None, unit_suffix=""):
    """The council among its neighbours, in the order given: its own bar in blue, the others
    grey, the neighbours' average and England as lines."""
    return _bars(
        title=title,
        names=names,
        values=values,
        colours=[BLUE if name == highlight else "#b1b4b6" for name in names],
        lines=[(average, "Neighbours' average", "dash"), (england, "England", "dot")],
        unit_suffix=unit_suffix,
    )


def funnel_plot(*, title, points, centre, limits, council, neighbours, x_title, unit_suffix=""):
    """Every council's value against its denominator, England as the centre line, the 95% and
    99.8% limits narrowing as the denominator grows; the council and its neighbours marked.
    ``points`` are (name, denominator, value); ``limits`` (x, lower95, upper95, lower998,
    upper998) arrays."""
    x, lower95, upper95, lower998, upper998 = limits
    figure = go.Figure()
    for y, name, dash in (
        (upper998, "99.8% limits", "dash"),
        (lower998, None, "dash"),
        (upper95, "95% limits", "dot"),
        (lower95, None, "dot"),
    ):
        figure.add_trace(
            go.Scatter(
                x=list(x),
                y=list(y),
                mode="lines",
                name=name or "",
                showlegend=bool(name),
                line={"color": GREY, "dash": dash, "width": 1.5},
                hoverinfo="skip",
            )
        )
    figure.add_hline(y=centre, line={"color": BLACK, "width": 2}, annotation_text="England")
    groups = (
        (
            "Other councils",
            [p for p in points if p[0] != council and p[0] not in neighbours],
            "#b1b4b6",
            "circle",
            7,
        ),
        ("Statistical neighbours", [p for p in points if p[0] in neighbours], ORANGE, "square", 10),
        (council, [p for p in points if p[0] == council], BLUE, "diamond", 14),
    )
    for name, chosen, colour, symbol, size in groups:
        figure.add_trace(
            go.Scatter(
                x=[p[1] for p in chosen],
                y=[p[2] for p in chosen],
                text=[p[0] for p in chosen],
                mode="markers",
                name=name,
                marker={"color": colour, "symbol": symbol, "size": size, "line": OUTLINE},
                hovertemplate="%{text}: %{y}" + unit_suffix + " of %{x}<extra></extra>",
            )
        )
    return _layout(
        figure,
        title,
        unit_suffix,
        height=440,
        xaxis={"title": {"text": x_title}, "type": "log", "gridcolor": "#e5e6e7"},
    )


STACK_STYLES = (
    (GREEN, ""),
    (SKY, "/"),
    (ORANGE, "."),
    (VERMILLION, "x"),
    (GREY, "-"),
)


def stacked_bars(*, title, categories, stacks, horizontal=False, unit_suffix="%", relative=False):
    """One bar per category, split into the named parts in the order given (each part told
    apart by colour and fill pattern); ``stacks`` maps a part's name to one value per
    category, None where it is not known. ``relative`` stacks negative parts below zero."""
    figure = go.Figure()
    for (name, values), (colour, shape) in zip(stacks.items(), STACK_STYLES, strict=False):
        axis = (
            {"y": list(categories), "x": list(values)}
            if horizontal
            else {
                "x": list(categories),
                "y": list(values),
            }
        )
        figure.add_trace(
            go.Bar(
                **axis,
                name=name,
                orientation="h" if horizontal else "v",
                marker={
                    "color": colour,
                    "pattern": {"shape": shape, "fgcolor": BLACK, "size": 6},
                    "line": OUTLINE,
                },
                hovertemplate=name
                + ": %{"
                + ("x" if horizontal else "y")
                + "}"
                + unit_suffix
                + "<extra></extra>",
            )
        )
    extra = {"barmode": "relative" if relative else "stack"}
    if horizontal:
        extra["yaxis"] = {"autorange": "reversed", "type": "category"}
        extra["xaxis"] = {"ticksuffix": unit_suffix, "gridcolor": "#e5e6e7"}
        extra["margin"] = {"l": 220, "r": 20, "t": 60, "b": 50}
    else:
        extra["xaxis"] = {"type": "category"}
    height = max(300, 120 + 36 * len(categories)) if horizontal else 380
    figure = _layout(figure, title, "" if horizontal else unit_suffix, height=height)
    return figure.update_layout(**extra)


def bars_over_time(*, title, periods, values, lines=(), unit_suffix=""):
    """A bar per period, with reference lines (value, label, dash) such as a target."""
    figure = go.Figure(
        go.Bar(
            x=list(periods),
            y=list(values),
            marker={"color": BLUE, "line": OUTLINE},
            name="Figure",
            hovertemplate="%{x}: %{y}" + unit_suffix + "<extra></extra>",
        )
    )
    _reference_lines(figure.add_hline, lines, "top left")
    return _layout(figure, title, unit_suffix, showlegend=False, xaxis={"type": "category"})


def lines_over_time(*, title, periods, series, unit_suffix="", marker_size=6):
    """Several series over the same periods, told apart by colour, dash and marker (the first,
    solid, drawn thicker)."""
    figure = go.Figure()
    styles = BENCHMARK_STYLES + ((PURPLE, "longdash", "x"),)
    for (name, values), (colour, dash, symbol) in zip(series.items(), styles, strict=False):
        figure.add_trace(
            go.Scatter(
                x=list(periods),
                y=list(values),
                name=name,
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 3 if dash == "solid" else 2},
                marker={"symbol": symbol, "size": marker_size},
                connectgaps=False,
                hovertemplate=name + " %{x}: %{y}" + unit_suffix + "<extra></extra>",
            )
        )
    return _layout(figure, title, unit_suffix, xaxis={"type": "category"})
