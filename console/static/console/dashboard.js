// Draws the dashboard's charts from the JSON the page carries (#dashboard-charts) with the vendored Chart.js.
// Each canvas names its series (data-series) and kind (data-kind); a drawn canvas gets data-drawn="true".
// It also works the date range and location picker (#dashboard-filters).
(function () {
  "use strict";

  var PALETTE = ["#417690", "#e07a3f", "#79aec8", "#c0392b", "#5b8c5a", "#8e6bb0", "#d4a72c"];
  var TEMPERATURE_COLOURS = {"Hot": "#c0392b", "Warm": "#e07a3f", "Cold": "#79aec8", "Not rated": "#bbbbbb"};

  function baseOptions() {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {legend: {display: false}},
      scales: {y: {beginAtZero: true, ticks: {precision: 0}}}
    };
  }

  function bar(series) {
    return {
      type: "bar",
      data: {labels: series.labels, datasets: [{data: series.values, backgroundColor: PALETTE[0]}]},
      options: baseOptions()
    };
  }

  function funnel(series) {
    var options = baseOptions();
    options.indexAxis = "y";
    options.scales = {x: {beginAtZero: true, ticks: {precision: 0}}};
    return {
      type: "bar",
      data: {labels: series.labels, datasets: [{data: series.values, backgroundColor: PALETTE}]},
      options: options
    };
  }

  function doughnut(series) {
    return {
      type: "doughnut",
      data: {
        labels: series.labels,
        datasets: [{
          data: series.values,
          backgroundColor: series.labels.map(function (label, i) { return TEMPERATURE_COLOURS[label] || PALETTE[i]; })
        }]
      },
      options: {animation: false, responsive: true, maintainAspectRatio: false,
                plugins: {legend: {display: true, position: "right"}}}
    };
  }

  function forecast(series) {
    // The interval is drawn as a band: its upper edge fills down to the lower edge.
    return {
      type: "line",
      data: {
        labels: series.labels,
        datasets: [
          {label: "Interval, high", data: series.high, borderWidth: 0, pointRadius: 0,
           backgroundColor: "rgba(121, 174, 200, 0.3)", fill: "+1"},
          {label: "Interval, low", data: series.low, borderWidth: 0, pointRadius: 0, fill: false},
          {label: "Forecast", data: series.forecast, borderColor: PALETTE[0], borderDash: [6, 4], fill: false},
          {label: "Closed so far", data: series.actual, borderColor: PALETTE[1], fill: false}
        ]
      },
      options: {animation: false, responsive: true, maintainAspectRatio: false, spanGaps: false,
                plugins: {legend: {display: true, labels: {filter: function (item) {
                  return item.text.indexOf("Interval") !== 0; }}}},
                scales: {y: {beginAtZero: true}}}
    };
  }

  var KINDS = {bar: bar, funnel: funnel, doughnut: doughnut, forecast: forecast};

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-series]").forEach(function (canvas) {
      var series = charts[canvas.dataset.series];
      var build = KINDS[canvas.dataset.kind];
      if (!series || !build) {
        return;
      }
      new Chart(canvas, build(series));
      canvas.dataset.drawn = "true";
    });
  }

  // The range picker: the from/to dates show for a custom range only, and typing a date makes the range custom.
  // Choosing a preset or a location shows it at once (the form is a GET, so the address keeps the choice).
  function pickRange() {
    var form = document.getElementById("dashboard-filters");
    if (!form) {
      return;
    }
    var range = form.elements.range;
    var custom = form.querySelector("[data-custom-range]");
    function showCustom() {
      var isCustom = range.value === "custom";
      custom.hidden = !isCustom;
      custom.querySelectorAll("input").forEach(function (input) { input.disabled = !isCustom; });
    }
    range.addEventListener("change", function () {
      showCustom();
      if (range.value !== "custom") {
        form.submit();
      }
    });
    if (form.elements.location) {
      form.elements.location.addEventListener("change", function () { form.submit(); });
    }
    showCustom();
  }

  function start() {
    pickRange();
    draw();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
