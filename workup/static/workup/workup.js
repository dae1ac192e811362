/* Workup page behaviour. No inline scripts (Content-Security-Policy): this file is loaded with <script src>.
 * 1. A ticked red flag shows the emergency instruction at once, before anything is saved.
 * 2. Blood results: the unit list offers only the units the chosen test accepts; SPEP shows its own result list.
 *    The server checks all of this again: this only saves clicks.
 * 3. "Add another result" adds a blank row; the first error summary on the page takes focus so it is announced.
 * 4. Each section saves on its own: saving one while another has unsaved changes asks first, so nothing typed is lost
 *    by surprise.
 */
(function () {
  "use strict";

  function redFlags() {
    var preview = document.getElementById("redflag-preview");
    var form = document.getElementById("form-presentation");
    // Already saved as an emergency: the engine's instruction is at the top of the page.
    if (!preview || !form || document.getElementById("emergency")) return;
    var reasons = document.getElementById("redflag-preview-reasons");

    function labelOf(input) {
      var label = form.querySelector('label[for="' + input.id + '"]');
      return label ? label.textContent.trim() : input.value;
    }

    function suddenAndRecent() {
      var sudden = form.querySelector('input[name="presentation-onset"][value="sudden"]');
      var weeks = form.querySelector('input[name="presentation-duration_weeks"]');
      if (!sudden || !weeks || !sudden.checked || weeks.value === "") return false;
      return parseFloat(weeks.value) < 1;
    }

    function update() {
      var ticked = Array.prototype.slice.call(form.querySelectorAll('input[name="presentation-red_flags"]:checked'));
      var words = ticked.map(labelOf);
      if (suddenAndRecent()) words.push("sudden onset less than a week ago");
      var show = words.length > 0;
      if (show) reasons.textContent = words.join("; ");
      if (show !== !preview.hidden) {
        preview.hidden = !show;
        if (show) preview.setAttribute("role", "alert");
        else preview.removeAttribute("role");
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("input", function (event) {
      if (event.target.name === "presentation-duration_weeks") update();
    });
    update();
  }

  function labs() {
    var form = document.getElementById("form-labs");
    if (!form) return;
    var units = JSON.parse(form.getAttribute("data-lab-units") || "{}");
    var template = document.getElementById("lab-row-template");
    var total = form.querySelector('input[name="labs-TOTAL_FORMS"]');
    var addButton = document.getElementById("add-lab-row");

    function setUnits(row) {
      var test = row.querySelector("select.lab-test");
      var unit = row.querySelector("select.lab-unit");
      if (!test || !unit) return;
      var spep = test.value === "spep";
      var allowed = units[test.value];
      var current = unit.value;
      var placeholder = unit.options.length ? unit.options[0].text : "—";
      if (!unit.dataset.all) {
        unit.dataset.all = JSON.stringify(Array.prototype.map.call(unit.options, function (o) { return [o.value, o.text]; }));
      }
      var options = allowed && !spep ? allowed : JSON.parse(unit.dataset.all).slice(1);
      unit.innerHTML = "";
      unit.add(new Option(placeholder, ""));
      options.forEach(function (pair) { unit.add(new Option(pair[1], pair[0])); });
      unit.value = options.some(function (pair) { return pair[0] === current; }) ? current : "";
      toggle(row, ".lab-numeric", !spep);
      toggle(row, ".lab-unit-col", !spep);
      toggle(row, ".lab-range", !spep);
      toggle(row, ".lab-spep", spep);
      toggle(row, ".lab-spep-detail", spep);
    }

    function toggle(row, selector, visible) {
      var part = row.querySelector(selector);
      if (part) part.hidden = !visible;
    }

    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("lab-test")) setUnits(event.target.closest("[data-row]"));
    });
    form.querySelectorAll("[data-row]").forEach(setUnits);

    if (template && total && addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var row = holder.firstElementChild;
        form.querySelector(".lab-rows").appendChild(row);
        total.value = String(index + 1);
        setUnits(row);
        row.querySelector("select.lab-test").focus();
      });
    }
  }

  function unsavedChanges() {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.section-form"));
    forms.forEach(function (form) {
      var mark = function () { form.dataset.dirty = "1"; };
      form.addEventListener("input", mark);
      form.addEventListener("change", mark);
      form.addEventListener("submit", function (event) {
        var others = forms.filter(function (f) { return f !== form && f.dataset.dirty; });
        if (!others.length) return;
        var names = others.map(function (f) {
          var heading = f.closest("section").querySelector("h2");
          return heading ? heading.textContent.replace(/^\s*\d+\s*/, "").trim() : "another section";
        });
        var question = "Unsaved changes in " + names.join(" and ") + " will be lost. Save this section anyway?";
        if (!window.confirm(question)) event.preventDefault();
      });
    });
  }

  function focusFirstError() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    redFlags();
    labs();
    unsavedChanges();
    focusFirstError();
  });
})();
