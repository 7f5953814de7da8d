// Download a chart as PNG or SVG from the links under it.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-chart-download]");
  if (!link || !window.Plotly) return;
  event.preventDefault();
  var id = link.getAttribute("data-chart-download");
  window.Plotly.downloadImage(document.getElementById(id), {
    format: link.getAttribute("data-format"), filename: id, width: 1100, height: 500
  });
});
