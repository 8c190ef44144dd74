// The search page's filters (#filters, a details element rendered open): closed on a narrow
// screen, where the stylesheet puts them after the results, and open on a wide one; the open
// state follows the window when it crosses the width. Without this script they stay open.
(function () {
  "use strict";
  var filters = document.getElementById("filters");
  if (!filters || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 800px)");
  function follow() { filters.open = !narrow.matches; }
  follow();
  narrow.addEventListener("change", follow);
})();
