/* The coverage field's filter: typing part of a name shows only the counties and
   municipalities that match, opening the counties that hold them. Without this script every
   county is listed, to open and tick. */
(function () {
  "use strict";
  document.querySelectorAll("[data-area-filter]").forEach(function (box) {
    var picker = box.closest(".area-picker");
    var input = box.querySelector("input");
    var count = box.querySelector("[data-area-count]");
    var counties = picker.querySelectorAll("details.county");
    box.hidden = false;
    // Enter in the filter field would submit (save) the offer's form: it only filters.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase();
      var shown = 0;
      counties.forEach(function (county) {
        var name = county.querySelector("summary").textContent.toLowerCase();
        var whole = words !== "" && name.indexOf(words) !== -1;
        var any = whole;
        county.querySelectorAll(".choice-list .choice").forEach(function (choice) {
          var hit = words === "" || whole || choice.textContent.toLowerCase().indexOf(words) !== -1;
          choice.hidden = !hit;
          if (hit && words !== "") { shown += 1; }
          any = any || hit;
        });
        county.hidden = words !== "" && !any;
        if (words !== "") { county.open = any; }
      });
      count.textContent = words === "" ? "" : (picker.dataset.found || "%s").replace("%s", shown);
    });
  });
})();
