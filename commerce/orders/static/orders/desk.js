// Order desk: forms marked data-confirm ask in a dialog first, then send confirmed=yes.
// Without JavaScript the server asks the same question on a page of its own.
(function () {
  "use strict";
  var dialog = document.getElementById("desk-confirm");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var text = document.getElementById("desk-confirm-text");
  var pending = null;
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.querySelector('input[name="confirmed"]')) return;
      event.preventDefault();
      pending = form;
      text.textContent = form.getAttribute("data-confirm");
      dialog.showModal();
    });
  });
  dialog.querySelector("[data-confirm-yes]").addEventListener("click", function () {
    if (!pending) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "confirmed";
    input.value = "yes";
    pending.appendChild(input);
    dialog.close();
    pending.submit();
  });
  dialog.querySelector("[data-confirm-no]").addEventListener("click", function () {
    pending = null;
    dialog.close();
  });
})();
