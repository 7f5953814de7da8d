// Draw every chart on the page from its data-plotly attribute (no inline scripts, so the
// Content-Security-Policy allows none), again after htmx swaps content in, and download a
// chart as PNG or SVG from the links under it.
(function () {
  function draw(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-plotly]:not([data-drawn])").forEach(function (element) {
      var figure = JSON.parse(element.getAttribute("data-plotly"));
      var config = JSON.parse(element.getAttribute("data-plotly-config") || "{}");
      element.setAttribute("data-drawn", "");
      window.Plotly.newPlot(element, figure.data, figure.layout, config);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-chart-download]");
    if (!link || !window.Plotly) return;
    event.preventDefault();
    var id = link.getAttribute("data-chart-download");
    window.Plotly.downloadImage(document.getElementById(id), {
      format: link.getAttribute("data-format"), filename: id, width: 1100, height: 500
    });
  });
})();
