// Draws every chart whose Vega-Lite spec sits in a <script type="application/json" data-chart>.
// ast: true makes vega-embed interpret expressions instead of compiling them, so the page's
// Content-Security-Policy needs no 'unsafe-eval'.
(function () {
  var nodes = document.querySelectorAll("script[type='application/json'][data-chart]");
  Array.prototype.forEach.call(nodes, function (node) {
    var target = document.getElementById(node.getAttribute("data-chart"));
    var spec = JSON.parse(node.textContent);
    // a single-view chart fills its card; concatenated views keep their own widths
    if (typeof spec.width === "number" && !spec.vconcat && !spec.hconcat) spec.width = "container";
    vegaEmbed(target, spec, {
      actions: false, renderer: "svg", ast: true, defaultStyle: false,
      tooltip: { disableDefaultStyle: true }  // its styles live in app.css: no inline <style>
    })
      .catch(function (error) { target.textContent = "Chart could not be drawn: " + error; });
  });
})();
