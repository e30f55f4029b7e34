// Renders every [data-chart] from the Vega-Lite spec beside it, with vega-embed (vega.js);
// a chart that rendered is marked data-rendered="true", one that failed "failed".
for (const area of document.querySelectorAll("[data-chart]")) {
  const spec = JSON.parse(document.getElementById(area.dataset.spec).textContent);
  vegaEmbed(area, spec, { mode: "vega-lite", actions: false, renderer: "svg" })
    .then(() => { area.dataset.rendered = "true"; })
    .catch((error) => { area.dataset.rendered = "failed"; console.error(error); });
}
