// The ballot's approval count, as the voter marks it: the server checks it again on review and
// on cast, and the ballot works without this script. No inline script: CSP allows only 'self'.
(function () {
  "use strict";
  var form = document.querySelector("form[data-ballot]");
  var out = document.getElementById("approval-count");
  if (!form || !out) return;
  var seats = parseInt(out.getAttribute("data-seats"), 10);
  var review = form.querySelector("button[name=step][value=review]");

  function count() {
    var number = form.querySelectorAll("input[type=radio][value=approve]:checked").length;
    var written = form.querySelectorAll("input[name^='write_in-']");
    for (var i = 0; i < written.length; i += 1) {
      if (written[i].value.trim()) number += 1;
    }
    return number;
  }

  function update() {
    var number = count();
    var over = number > seats;
    var text = out.getAttribute(over ? "data-over" : "data-ok");
    out.textContent = text.replace("%(count)s", String(number)).replace("%(seats)s", String(seats));
    out.hidden = false;
    out.className = over ? "field-error" : "help";
    if (review) review.disabled = over;
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
