/* Progressive enhancement only: every page works without this file.
   Variant picker: choosing a variant shows its price (and stock) in the product's price line. */
(function () {
  "use strict";
  var priceLine = document.querySelector("[data-variant-price]");
  var radios = document.querySelectorAll("input[type=radio][name=sku][data-price]");
  if (!priceLine || !radios.length) return;
  var original = priceLine.textContent;
  function show(radio) {
    if (!radio || !radio.checked) { priceLine.textContent = original; return; }
    var available = parseInt(radio.getAttribute("data-available"), 10) || 0;
    priceLine.textContent = radio.getAttribute("data-price") +
      (available > 0 ? " \u2014 " + available + " in stock" : " \u2014 out of stock");
  }
  radios.forEach(function (radio) { radio.addEventListener("change", function () { show(radio); }); });
  show(document.querySelector("input[type=radio][name=sku][data-price]:checked"));
})();
