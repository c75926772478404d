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
  // Pickers (the server accepts all of this without script): a filter above long selects and
  // pick lists; ticking a name adds it to the ordered list at once; a system's map_id can be
  // picked by clicking the room on its level's map.
  function addFilter(before, items, text) {
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "picker-filter";
    filter.placeholder = "Filter by name…";
    filter.setAttribute("aria-label", "Filter");
    before.insertAdjacentElement("beforebegin", filter);
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      items().forEach(function (item) {
        item.hidden = needle !== "" && (item.textContent + " " + (item.value || "")).toLowerCase().indexOf(needle) === -1;
      });
    });
  }
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    if (select.options.length > 12) addFilter(select, function () { return Array.prototype.slice.call(select.options); });
  });
  document.querySelectorAll(".pick-list").forEach(function (list) {
    var area = document.getElementById(list.getAttribute("data-pick-for"));
    var labels = function () { return Array.prototype.slice.call(list.querySelectorAll("label")); };
    if (labels().length > 8) addFilter(list, labels);
    if (!area) return;
    list.querySelectorAll("input[data-pick-id]").forEach(function (box) {
      box.addEventListener("change", function () {
        var id = box.getAttribute("data-pick-id");
        var lines = area.value.split(/\r?\n/).map(function (line) { return line.trim(); }).filter(Boolean);
        var at = lines.indexOf(id);
        if (box.checked && at === -1) lines.push(id);
        if (!box.checked && at !== -1) lines.splice(at, 1);
        area.value = lines.join("\n");
      });
    });
  });
  document.querySelectorAll("select[data-map-pick]").forEach(function (select) {
    var levels = select.querySelectorAll("optgroup[data-map-url]");
    if (!levels.length) return;
    var bar = document.createElement("div");
    bar.className = "actions";
    select.insertAdjacentElement("afterend", bar);
    var shown = document.createElement("div");
    shown.className = "map-picker";
    shown.hidden = true;
    bar.insertAdjacentElement("afterend", shown);
    Array.prototype.forEach.call(levels, function (level) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = "Pick on the map of " + level.label;
      bar.appendChild(button);
      button.addEventListener("click", function () {
        fetch(level.getAttribute("data-map-url"), { credentials: "same-origin" }).then(function (answer) { return answer.text(); }).then(function (page) {
          var svg = new DOMParser().parseFromString(page, "text/html").querySelector("[data-live-map] svg, svg");
          if (!svg) return;
          shown.replaceChildren(document.importNode(svg, true));
          shown.hidden = false;
          Array.prototype.forEach.call(level.querySelectorAll("option"), function (option) {
            var element = shown.querySelector("[id=" + cssString(option.value) + "]");
            if (!element || option.disabled) return;
            element.setAttribute("data-pickable", "");
            if (option.value === select.value) element.classList.add("picked");
            element.addEventListener("click", function (event) {
              event.preventDefault();
              select.value = option.value;
              shown.querySelectorAll(".picked").forEach(function (other) { other.classList.remove("picked"); });
              element.classList.add("picked");
            });
          });
          // Linked rooms are links to their systems: picking must not leave the form.
          shown.querySelectorAll("a").forEach(function (link) { link.addEventListener("click", function (event) { event.preventDefault(); }); });
        });
      });
    });
  });

  // Who is signed in, beside the sign-out button of every page (the button works without this).
  var account = document.querySelector("[data-account]");
  if (account) {
    fetch("/api/engine/v2/users/current", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (user) {
        if (!user) return;
        if (user.name || user.email) account.textContent = user.name || user.email;
        // Sections this reader cannot open leave the bar (the server refuses them anyway).
        var role = user.sys_admin ? "admin" : user.support ? "support" : "user";
        var rank = { user: 0, support: 1, admin: 2 };
        document.querySelectorAll("nav.nav a[data-viewer]").forEach(function (link) {
          if (rank[role] < rank[link.getAttribute("data-viewer")]) link.hidden = true;
        });
      })
      .catch(function () {});
  }

  // Drag a system's module or zone to reorder it: posts `move` with the new position (with the
  // row's own form token); ↑/↓ stay the path without script.
  document.querySelectorAll("table.members tbody").forEach(function (body) {
    var dragged = null;
    body.querySelectorAll("tr[data-member]").forEach(function (row) {
      row.draggable = true;
      row.classList.add("draggable");
      row.addEventListener("dragstart", function (event) { dragged = row; event.dataTransfer.effectAllowed = "move"; event.dataTransfer.setData("text/plain", row.getAttribute("data-member")); });
      row.addEventListener("dragover", function (event) { if (dragged && dragged !== row) { event.preventDefault(); row.classList.add("drop-target"); } });
      row.addEventListener("dragleave", function () { row.classList.remove("drop-target"); });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        row.classList.remove("drop-target");
        if (!dragged || dragged === row) return;
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-member]"));
        // The row's up/down form, posted as a plain form so the answer (the page, or an error
        // in words) replaces this one. Its buttons are named "action": read the attribute.
        var form = dragged.querySelector("form"), post = document.createElement("form");
        post.method = "post";
        post.setAttribute("action", form.getAttribute("action"));
        post.hidden = true;
        var fields = new FormData(form);
        fields.set("action", "move");
        fields.set("position", String(rows.indexOf(row) + 1));
        fields.forEach(function (value, name) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = name;
          input.value = value;
          post.appendChild(input);
        });
        document.body.appendChild(post);
        post.submit();
      });
      row.addEventListener("dragend", function () { dragged = null; });
    });
  });

  // ---- Live: the runtime's state, pushed over WebSocket. Pages are right without this (the
  // server fills dots, room colours and counts in at request time); this keeps them current.

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  // A WebSocket that reconnects (1 s, 2 s … 15 s) and re-sends its subscriptions on each open.
  function persistentSocket(path, onMessage, onOpen) {
    var socket = null, delay = 1000, queue = [];
    function open() {
      socket = new WebSocket(socketURL(path));
      socket.onopen = function () {
        delay = 1000;
        if (onOpen) onOpen(send);
        queue.splice(0).forEach(send);
      };
      socket.onmessage = function (event) {
        if (event.data === "pong") return;
        var message;
        try { message = JSON.parse(event.data); } catch (error) { return; }
        onMessage(message);
      };
      socket.onclose = function () {
        socket = null;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 15000);
      };
    }
    function send(request) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(request));
      else queue.push(request);
    }
    open();
    return { send: send };
  }

  function each(selector, action, root) { Array.prototype.forEach.call((root || document).querySelectorAll(selector), action); }
  function cssString(text) { return '"' + String(text).replace(/["\\]/g, "\\$&") + '"'; }

  var dots = document.querySelectorAll("[data-module]");
  var rooms = document.querySelectorAll("[data-live-map] a.room-link");
  var counts = document.querySelector("[data-live-counts]");
  var triggerRows = document.querySelectorAll("tr[data-trigger]");
  var statusView = null; // the "View state" panel, when open

  function systemOfRoom(link) {
    var match = /\/backoffice\/systems\/([^\/]+)\//.exec(link.getAttribute("href") || "");
    return match ? decodeURIComponent(match[1]) : null;
  }

  var live = null;
  // A trigger instance's row: counters, chips, conditions and the last error, from its state.
  function showTrigger(row, state) {
    function field(name) { return row.querySelector("[data-trigger-field=" + name + "]"); }
    ["trigger_count", "action_errors", "comparison_errors"].forEach(function (name) {
      var cell = field(name);
      if (cell) cell.textContent = state[name];
    });
    var fired = field("last_fired"), error = field("last_error"), on = field("triggered"), enabled = field("enabled");
    if (fired) fired.textContent = state.last_fired || "";
    if (error) error.textContent = state.last_error || "";
    if (on) { on.className = "chip " + (state.triggered ? "on" : "off"); on.textContent = state.triggered ? "triggered" : "idle"; }
    if (enabled) { enabled.className = "chip" + (state.enabled ? "" : " off"); enabled.textContent = state.enabled ? "enabled" : "disabled"; }
    var conditions = field("conditions");
    if (conditions && state.conditions) {
      conditions.textContent = "";
      Object.keys(state.conditions).sort().forEach(function (name) {
        var chip = document.createElement("span");
        chip.className = "chip" + (state.conditions[name] ? "" : " off");
        chip.textContent = name;
        conditions.appendChild(chip);
        conditions.appendChild(document.createTextNode(" "));
      });
    }
  }

  if (dots.length || rooms.length || counts || triggerRows.length) {
    live = persistentSocket("/api/engine/v2/live", function (message) {
      if (message.type === "module") {
        each("[data-module=" + cssString(message.id) + "]", function (dot) {
          dot.className = "dot " + message.dot;
          dot.title = message.text;
        });
        each("[data-module-text=" + cssString(message.id) + "]", function (text) { text.textContent = message.text; });
      } else if (message.type === "room") {
        Array.prototype.forEach.call(rooms, function (link) {
          if (systemOfRoom(link) !== message.system) return;
          link.setAttribute("class", "room-link room-" + message.state);
          link.setAttribute("data-state", message.state);
        });
      } else if (message.type === "trigger" && message.state) {
        each("tr[data-trigger=" + cssString(message.id) + "]", function (row) { showTrigger(row, message.state); });
      } else if (message.type === "counts") {
        ["online", "offline", "stopped"].forEach(function (name) {
          var cell = counts && counts.querySelector("[data-count=" + name + "]");
          if (cell) cell.textContent = message[name];
        });
      } else if (message.type === "status" && statusView && statusView.module === message.module) {
        if (message.values) statusView.reset(message.values);
        else statusView.set(message.key, message.value);
      } else if (message.type === "error" && statusView) {
        statusView.error(message.msg);
      }
    }, function (send) {
      var ids = {};
      Array.prototype.forEach.call(dots, function (dot) { ids[dot.getAttribute("data-module")] = true; });
      if (Object.keys(ids).length) send({ watch: "modules", ids: Object.keys(ids) });
      var systems = [];
      Array.prototype.forEach.call(rooms, function (link) { var id = systemOfRoom(link); if (id) systems.push(id); });
      if (systems.length) send({ watch: "rooms", systems: systems });
      if (counts) send({ watch: "counts" });
      var instances = {};
      Array.prototype.forEach.call(triggerRows, function (row) { instances[row.getAttribute("data-trigger")] = true; });
      if (Object.keys(instances).length) send({ watch: "triggers", ids: Object.keys(instances) });
      if (statusView) send({ watch: "status", module: statusView.module });
    });
  }

  // The system page's Modules tab: a debug console and "View state" per module.
  var modulesTab = document.querySelector("section#modules");
  if (modulesTab && live) {
    var panel = document.createElement("div");
    modulesTab.appendChild(panel);
    var control = null, nextID = 1, debugging = null;

    function header(title, onClose) {
      var head = document.createElement("div");
      head.className = "head";
      var h = document.createElement("h3");
      h.textContent = title;
      h.style.margin = "0";
      var close = document.createElement("button");
      close.type = "button";
      close.className = "button tiny";
      close.textContent = "Close";
      close.addEventListener("click", onClose);
      head.appendChild(h);
      head.appendChild(close);
      return head;
    }

    function openConsole(module) {
      closeConsole();
      var box = document.createElement("div");
      box.className = "live-panel";
      box.setAttribute("data-console", module);
      var output = document.createElement("pre");
      output.className = "console";
      box.appendChild(header("Debug console — " + module, closeConsole));
      box.appendChild(output);
      panel.appendChild(box);
      debugging = { module: module, box: box, output: output };
      line("info", "listening to " + module + " (log lines appear as the driver writes them)");
      if (!control) {
        control = persistentSocket("/api/engine/v2/systems/control", function (message) {
          if (!debugging) return;
          if (message.type === "debug" && message.mod === debugging.module) line(message.level, message.msg);
          else if (message.type === "error") line("error", message.msg);
        }, function (send) { if (debugging) send({ id: nextID++, cmd: "debug", mod: debugging.module }); });
      } else {
        control.send({ id: nextID++, cmd: "debug", mod: module });
      }
    }

    function line(level, text) {
      if (!debugging) return;
      var row = document.createElement("span");
      row.className = level;
      row.textContent = new Date().toLocaleTimeString() + "  " + (level || "info").padEnd(7) + " " + text + "\n";
      debugging.output.appendChild(row);
      while (debugging.output.childNodes.length > 500) debugging.output.removeChild(debugging.output.firstChild);
      debugging.output.scrollTop = debugging.output.scrollHeight;
    }

    function closeConsole() {
      if (!debugging) return;
      if (control) control.send({ id: nextID++, cmd: "ignore", mod: debugging.module });
      panel.removeChild(debugging.box);
      debugging = null;
    }

    function openState(module) {
      closeState();
      var box = document.createElement("div");
      box.className = "live-panel";
      box.setAttribute("data-state-view", module);
      var table = document.createElement("table");
      table.className = "fields";
      var body = document.createElement("tbody");
      table.appendChild(body);
      box.appendChild(header("State — " + module, closeState));
      box.appendChild(table);
      panel.insertBefore(box, panel.firstChild);
      var rows = {};
      function set(key, value) {
        var row = rows[key];
        if (!row) {
          row = document.createElement("tr");
          var th = document.createElement("th");
          th.textContent = key;
          row.appendChild(th);
          row.appendChild(document.createElement("td"));
          rows[key] = row;
          var after = Object.keys(rows).sort().indexOf(key);
          body.insertBefore(row, body.children[after] || null);
        }
        row.lastChild.textContent = JSON.stringify(value);
        row.lastChild.setAttribute("data-key", key);
      }
      statusView = {
        module: module, box: box,
        reset: function (values) { body.textContent = ""; rows = {}; Object.keys(values).sort().forEach(function (key) { set(key, values[key]); }); },
        set: set,
        error: function (text) { body.textContent = ""; var row = document.createElement("tr"); var cell = document.createElement("td"); cell.className = "muted"; cell.textContent = text; row.appendChild(cell); body.appendChild(row); }
      };
      live.send({ watch: "status", module: module });
    }

    function closeState() {
      if (!statusView) return;
      live.send({ unwatch: "status", module: statusView.module });
      panel.removeChild(statusView.box);
      statusView = null;
    }

    each("[data-module]", function (dot) {
      var module = dot.getAttribute("data-module");
      var row = dot.closest("tr");
      var cell = document.createElement("span");
      cell.className = "live-actions";
      row.lastElementChild.insertBefore(cell, row.lastElementChild.firstChild);
      [["State", "View state", openState], ["Console", "Debug console", openConsole]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button tiny";
        button.textContent = spec[0];
        button.title = spec[1] + " of " + module;
        button.setAttribute("data-action", spec[0].toLowerCase());
        button.addEventListener("click", function () { spec[2](module); });
        cell.appendChild(button);
      });
    }, modulesTab);
  }
})();
