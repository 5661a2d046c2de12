// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A link in the summary moves focus to the field it names, not just the scroll position.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus();
      }
    });
  }
  // Live character counters: "123 / 2 000" in the page's number format.
  var format = new Intl.NumberFormat(document.documentElement.lang);
  document.querySelectorAll("textarea[data-max]").forEach(function (area) {
    var counter = document.getElementById(area.id + "-counter");
    var max = parseInt(area.dataset.max, 10);
    if (!counter) return;
    function update() {
      counter.textContent = format.format(area.value.length) + " / " + format.format(max);
      counter.classList.toggle("over", area.value.length > max);
    }
    counter.hidden = false;
    area.addEventListener("input", update);
    update();
  });
})();
