// Small behaviours shared by every page; no inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-autosubmit]")) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); event.stopPropagation(); }
  }, true);
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("sq-htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "sq-htmx-error";
      box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3 shadow";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    var status = event.detail.xhr.status;
    box.textContent = status === 403 ? gettext("没有权限执行该操作。") : status === 404 ? gettext("未找到该记录。") :
      status === 409 || status === 412 ? gettext("数据已变化，请刷新后重试。") :
      interpolate(gettext("操作失败（%(status)s），请稍后重试。"), { status: status }, true);
    setTimeout(function () { box.remove(); }, 6000);
  });

  // A region that scrolls (a wide table on a phone, a long list) must be reachable by keyboard (WCAG 2.1.1):
  // it gets a tab stop and a name, taken from its table's caption or the nearest heading.
  function focusableScrollers(root) {
    var scope = root || document;
    var candidates = Array.prototype.slice.call(scope.querySelectorAll(".table-responsive, .sq-scroll, [data-scroll-region]"));
    (scope.querySelector ? scope : document).querySelectorAll("main div, main ul, main ol, main pre").forEach(function (el) {
      var style = window.getComputedStyle(el);
      if (/(auto|scroll)/.test(style.overflowX + style.overflowY) && candidates.indexOf(el) < 0) { candidates.push(el); }
    });
    candidates.forEach(function (el) {
      if (el.hasAttribute("tabindex")) { return; }
      el.setAttribute("tabindex", "0");
      // A list keeps its list role (its items need it); anything else becomes a named region.
      if (!el.hasAttribute("role") && !/^(UL|OL)$/.test(el.tagName)) { el.setAttribute("role", "region"); }
      if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
        var caption = el.querySelector("caption");
        var card = el.closest(".card");
        var heading = card && card.querySelector(".card-header, h2, h3");
        var title = document.querySelector("main h1");
        var text = (caption || heading || title || {}).textContent;
        el.setAttribute("aria-label", (text || gettext("表格")).trim().replace(/\s+/g, " "));
      }
    });
  }
  focusableScrollers();
  document.body.addEventListener("htmx:afterSwap", function (event) { focusableScrollers(event.target.parentNode || event.target); });

  // The idle timeout signs a user out (等保); two minutes before it, say so and let them extend it (WCAG 2.2.1).
  var idle = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  if (idle > 180) {
    var timer = null;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var box = document.getElementById("sq-idle-warning");
        if (!box) {
          box = document.createElement("div");
          box.id = "sq-idle-warning";
          box.className = "alert alert-warning position-fixed bottom-0 start-50 translate-middle-x mb-3 shadow d-flex flex-wrap align-items-center gap-2";
          box.setAttribute("role", "alertdialog");
          box.setAttribute("aria-live", "assertive");
          box.setAttribute("aria-labelledby", "sq-idle-text");
          var text = document.createElement("span");
          text.id = "sq-idle-text";
          text.textContent = gettext("您已较长时间未操作，2分钟后将自动退出。需要继续使用吗？");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-primary";
          button.textContent = gettext("继续使用");
          button.addEventListener("click", function () {
            fetch(document.body.getAttribute("data-keepalive-url"), { credentials: "same-origin" }).then(function () {
              box.remove();
              arm();
            });
          });
          box.appendChild(text);
          box.appendChild(button);
          document.body.appendChild(box);
          button.focus();
        }
      }, (idle - 120) * 1000);
    };
    arm();
    document.body.addEventListener("htmx:afterRequest", arm);
  }
})();
