/* Progressive enhancement only: every page works without this file (no inline scripts anywhere,
   so a Content-Security-Policy without 'unsafe-inline' holds). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var narrow = window.matchMedia("(max-width: 55.99rem)");

  /* Catalogue filters: a drawer on phones (closed until asked for), a sidebar on wide screens. */
  document.querySelectorAll("[data-filter-drawer]").forEach(function (drawer) {
    var close = drawer.querySelector("[data-filter-close]");
    var summary = drawer.querySelector("summary");
    function fit() { drawer.open = !narrow.matches; }
    fit();
    narrow.addEventListener("change", fit);
    if (close) {
      close.hidden = false;
      close.addEventListener("click", function () { drawer.open = false; summary.focus(); });
    }
    drawer.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && drawer.open) { drawer.open = false; summary.focus(); }
    });
  });

  /* Filters and sort apply as soon as they change (the submit buttons stay for keyboard users on
     phones, where the drawer is applied at once). */
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
    function submitLater(event) {
      if (narrow.matches && event.target.closest("[data-filter-drawer]")) return; /* drawer: "Show results" */
      if (event.target.type === "number") return; /* prices: wait for the button or Enter */
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
    form.addEventListener("change", submitLater);
    if (form.id) {
      document.querySelectorAll("select[form='" + form.id + "']").forEach(function (select) {
        select.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
      });
    }
  });
})();

/* Product page: the variant picker. The form carries its variants as JSON (a data attribute, not a
   script); choosing a value shows that variant's price, stock and SKU, and disables the values that
   cannot be bought with the current choice in the other groups. */
(function () {
  "use strict";
  var form = document.querySelector("[data-variant-form]");
  if (!form) return;
  var variants;
  try { variants = JSON.parse(form.getAttribute("data-variants") || "[]"); } catch (e) { return; }
  var groups = Array.prototype.slice.call(form.querySelectorAll("[data-option-group]"));
  if (!groups.length) return;
  var price = document.querySelector("[data-variant-price]");
  var stock = form.querySelector("[data-variant-stock]");
  var skuText = form.querySelector("[data-variant-sku-text]");
  var skuInput = form.querySelector("[data-variant-sku]");
  var add = form.querySelector("[data-add-button]");

  function chosen() {
    var values = {};
    groups.forEach(function (group) {
      var checked = group.querySelector("input:checked");
      if (checked) values[group.getAttribute("data-option-group")] = checked.value;
    });
    return values;
  }
  function matches(variant, values, skip) {
    return Object.keys(values).every(function (slug) { return slug === skip || variant.values[slug] === values[slug]; });
  }
  function update() {
    var values = chosen();
    groups.forEach(function (group) {
      var slug = group.getAttribute("data-option-group");
      group.querySelectorAll("input").forEach(function (input) {
        var buyable = variants.some(function (v) {
          return v.available > 0 && v.values[slug] === input.value && matches(v, values, slug);
        });
        input.disabled = !buyable && !input.checked;
        var note = input.nextElementSibling && input.nextElementSibling.querySelector(".unavailable-note");
        if (!note && input.nextElementSibling) {
          note = document.createElement("span");
          note.className = "visually-hidden unavailable-note";
          input.nextElementSibling.appendChild(note);
        }
        if (note) note.textContent = buyable ? "" : " (unavailable)";
      });
      var checked = group.querySelector("input:checked");
      var label = group.querySelector("[data-option-chosen]");
      if (label) label.textContent = checked ? ": " + checked.getAttribute("data-name") : "";
    });
    var complete = Object.keys(values).length === groups.length;
    var variant = complete ? variants.filter(function (v) { return matches(v, values); })[0] : null;
    if (variant) {
      if (price) price.textContent = variant.price;
      if (stock) stock.textContent = variant.available > 5 ? "In stock" : (variant.available > 0 ? "Only " + variant.available + " left" : "Sold out");
      if (skuText) skuText.textContent = variant.sku;
      if (skuInput) skuInput.value = variant.sku;
    } else if (stock) {
      stock.textContent = "Unavailable in this combination";
    }
    if (add) {
      var buyable = variant && variant.available > 0;
      add.disabled = !buyable;
      add.textContent = buyable ? "Add to cart" : (variant ? "Sold out" : "Unavailable");
    }
  }
  form.addEventListener("change", function (event) { if (event.target.matches("input[type=radio]")) update(); });
})();

/* Product gallery: thumbnails scroll the main strip to their picture (plain anchors without JS). */
(function () {
  "use strict";
  var thumbs = document.querySelectorAll("[data-gallery-thumb]");
  thumbs.forEach(function (thumb) {
    thumb.addEventListener("click", function (event) {
      var target = document.querySelector(thumb.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      var strip = target.parentElement;
      strip.scrollTo({ left: target.offsetLeft - strip.offsetLeft, behavior: "smooth" });
      thumbs.forEach(function (other) { other.removeAttribute("aria-current"); });
      thumb.setAttribute("aria-current", "true");
    });
  });
})();

/* Checkout: a new country re-offers the delivery methods at once (the "Update delivery options"
   button does the same without JavaScript); the error summary takes the focus when shown. */
(function () {
  "use strict";
  var form = document.querySelector("[data-checkout-form]");
  if (!form) return;
  var update = form.querySelector("[data-update-button]");
  var country = form.querySelector("select[name=country]");
  var saved = form.querySelectorAll("input[name=saved_address]");
  function refresh() { if (update) { form.requestSubmit ? form.requestSubmit(update) : update.click(); } }
  if (country) country.addEventListener("change", refresh);
  saved.forEach(function (radio) { radio.addEventListener("change", refresh); });
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
