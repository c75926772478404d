// BackOffice: small upgrades on pages that work fully without it. No framework, no build step.
(function () {
  "use strict";

  // Filter the rows of the current list page as you type (the server still searches on submit).
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var body = document.querySelector(input.getAttribute("data-filter"));
    if (!body) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      body.querySelectorAll("tr").forEach(function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  });

  // Ask before deleting or reverting.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // JSON fields: live validation and a pretty-print button.
  document.querySelectorAll("textarea.json").forEach(function (area) {
    var note = document.createElement("div");
    note.className = "hint";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.textContent = "Pretty-print";
    area.insertAdjacentElement("afterend", note);
    note.insertAdjacentElement("afterend", button);
    function check() {
      if (area.value.trim() === "") { note.textContent = ""; return null; }
      try { var value = JSON.parse(area.value); note.textContent = "valid JSON"; note.style.color = ""; return value; }
      catch (error) { note.textContent = error.message; note.style.color = "#cf222e"; return null; }
    }
    area.addEventListener("input", check);
    button.addEventListener("click", function () {
      var value = check();
      if (value !== null) area.value = JSON.stringify(value, null, 2);
    });
  });
})();
