/* The handout's print view: the Print button opens the browser's print dialog (no inline scripts: CSP). */
(function () {
  "use strict";
  var button = document.getElementById("print-handout");
  if (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  }
})();
