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

  // An htmx swap that replaces the focused control must not drop the keyboard user back at the top of the page
  // (WCAG 2.4.3): the focus goes to the same control in the new content if it is still usable, else to the new
  // content's [data-swap-focus] element (the result of the action), else to the control at the same place (a
  // region refreshed by polling).
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  var lostFocus = null, lastFocused = null;
  document.addEventListener("focusin", function (event) { lastFocused = event.target; });
  function actionOf(el) {
    var host = el.closest("[hx-post], [hx-get], form");
    return host ? (host.getAttribute("hx-post") || host.getAttribute("hx-get") || host.getAttribute("action")) : null;
  }
  function usable(el) {
    return !!el && el.tabIndex >= 0 && !el.disabled && el.getAttribute("aria-disabled") !== "true" &&
      el.getClientRects().length > 0;
  }
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // A button disabled while its request runs (hx-disabled-elt) may already have lost the focus.
    var active = document.activeElement && document.activeElement !== document.body ? document.activeElement :
      (lastFocused && lastFocused.disabled && event.detail.elt && event.detail.elt.contains(lastFocused) ? lastFocused : null);
    var target = event.detail.target;
    lostFocus = null;
    if (active && active !== document.body && target && target.contains(active)) {
      lostFocus = { id: active.id, action: actionOf(active), tag: active.tagName, target: target, targetId: target.id,
                    index: Array.prototype.indexOf.call(target.querySelectorAll(FOCUSABLE), active) };
    }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var was = lostFocus;
    lostFocus = null;
    if (!was || (document.activeElement && document.activeElement !== document.body)) { return; }
    // The swapped content: the target itself (innerHTML) or its replacement with the same id (outerHTML).
    var root = document.contains(was.target) ? was.target : (was.targetId && document.getElementById(was.targetId));
    if (!root) { root = document; }
    var next = was.id ? document.getElementById(was.id) : null;
    if (!usable(next) && was.action) {
      next = null;
      var hosts = Array.prototype.slice.call(root.querySelectorAll("[hx-post], [hx-get], form"));
      if (root !== document) { hosts.unshift(root); }
      hosts.forEach(function (host) {
        var action = host.getAttribute("hx-post") || host.getAttribute("hx-get") || host.getAttribute("action");
        if (!next && action === was.action) {
          var control = host.matches(was.tag.toLowerCase()) ? host : host.querySelector(was.tag.toLowerCase());
          if (usable(control)) { next = control; }
        }
      });
    }
    if (!usable(next)) { next = root !== document ? root.querySelector("[data-swap-focus]") : null; }
    if (!next && root !== document && was.index >= 0) {
      next = root.querySelectorAll(FOCUSABLE)[was.index];
      if (!usable(next)) { next = null; }
    }
    if (next) { next.focus(); }
  });

  // The idle timeout signs a user out (等保); two minutes before it, say so and let them extend it (WCAG 2.2.1).
  var idle = parseInt(document.body.getAttribute("data-idle-timeout") || "0", 10);
  if (idle > 180) {
    var timer = null;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var box = document.getElementById("sq-idle-warning");
        if (!box) {
          var before = document.activeElement;  // given back when the warning goes away
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
              if (before && before !== document.body && document.contains(before)) { before.focus(); }
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
