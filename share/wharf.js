/*
 * wharf.js: the directory page's behaviour on top of the plain HTML that
 * works without it: sort by name, size or date (folders first), and, when
 * the folder is writable, drag-and-drop or form uploads of many files
 * (one PUT each, with its own progress bar and error), new folders and
 * delete buttons. After changes the rows are rebuilt from ?json.
 */
(function () {
	"use strict";

	var table = document.getElementById("listing");
	if (!table)
		return;
	var tbody = table.tBodies[0];
	var writable = document.body.getAttribute("data-writable") === "true";
	var sortKey = "n", sortDir = 1;

	function isDir(tr) {
		return tr.classList.contains("dir");
	}

	function value(tr, key) {
		if (key === "n")
			return tr.querySelector("td.n a").textContent;
		var td = tr.querySelector("td." + key);
		return td ? Number(td.getAttribute("data-v")) : 0;
	}

	var collator = new Intl.Collator(undefined,
	    { numeric: true, sensitivity: "base" });

	function sortRows() {
		var rows = Array.prototype.slice.call(tbody.rows);
		rows.sort(function (a, b) {
			if (isDir(a) !== isDir(b))
				return isDir(a) ? -1 : 1;
			var va = value(a, sortKey), vb = value(b, sortKey), c;
			if (sortKey === "n")
				c = collator.compare(va, vb);
			else
				c = va - vb || collator.compare(value(a, "n"),
				    value(b, "n"));
			return c * sortDir;
		});
		rows.forEach(function (tr) { tbody.appendChild(tr); });
		Array.prototype.forEach.call(table.tHead.rows[0].cells,
		    function (th) {
			var b = th.querySelector("button");
			if (b && b.getAttribute("data-sort") === sortKey)
				th.setAttribute("aria-sort", sortDir > 0 ?
				    "ascending" : "descending");
			else
				th.removeAttribute("aria-sort");
		});
	}

	table.tHead.addEventListener("click", function (ev) {
		var b = ev.target.closest("button[data-sort]");
		if (!b)
			return;
		var key = b.getAttribute("data-sort");
		sortDir = key === sortKey ? -sortDir : 1;
		sortKey = key;
		sortRows();
	});

	function humanSize(n) {
		if (n < 1024)
			return n + " B";
		var units = ["KiB", "MiB", "GiB", "TiB", "PiB"], u = -1;
		do {
			n /= 1024;
			u++;
		} while (n >= 1024 && u < units.length - 1);
		return (n < 10 ? n.toFixed(1) : n.toFixed(0)) + " " + units[u];
	}

	function pad(n) {
		return (n < 10 ? "0" : "") + n;
	}

	function when(t) {
		var d = new Date(t * 1000);
		return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) +
		    "-" + pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) +
		    ":" + pad(d.getUTCMinutes());
	}

	function cell(tr, cls, v) {
		var td = document.createElement("td");
		td.className = cls;
		if (v !== undefined)
			td.setAttribute("data-v", v);
		tr.appendChild(td);
		return td;
	}

	/* Rebuild the rows from the JSON listing of this folder. */
	function refresh() {
		return fetch("?json", { headers: { Accept: "application/json" },
		    cache: "no-store" }).then(function (r) {
			if (!r.ok)
				throw new Error(r.status + " " + r.statusText);
			return r.json();
		}).then(function (j) {
			var frag = document.createDocumentFragment();
			j.entries.forEach(function (e) {
				var tr = document.createElement("tr");
				tr.className = e.type;
				var a = document.createElement("a");
				a.href = "./" + e.url;
				a.textContent = e.name +
				    (e.type === "dir" ? "/" : "");
				cell(tr, "n").appendChild(a);
				cell(tr, "s", e.type === "file" ? e.size : -1)
				    .textContent = e.type === "file" ?
				    humanSize(e.size) : "\u2014";
				var time = document.createElement("time");
				time.textContent = when(e.mtime);
				cell(tr, "m", e.mtime).appendChild(time);
				frag.appendChild(tr);
			});
			tbody.replaceChildren(frag);
			decorate();
			sortRows();
		});
	}

	function urlOf(tr) {
		return tr.querySelector("td.n a").getAttribute("href");
	}

	/* Delete buttons, one per row, when the folder is writable. */
	function decorate() {
		if (!writable)
			return;
		Array.prototype.forEach.call(tbody.rows, function (tr) {
			if (tr.querySelector("td.x"))
				return;
			var b = document.createElement("button");
			b.type = "button";
			b.className = "del";
			b.title = "Delete";
			b.setAttribute("aria-label", "Delete " +
			    tr.querySelector("td.n a").textContent);
			b.textContent = "\u00d7";
			cell(tr, "x").appendChild(b);
		});
		if (!table.tHead.querySelector("th.x")) {
			var th = document.createElement("th");
			th.className = "x";
			table.tHead.rows[0].appendChild(th);
		}
	}

	tbody.addEventListener("click", function (ev) {
		var b = ev.target.closest("button.del");
		if (!b)
			return;
		var tr = b.closest("tr");
		var name = tr.querySelector("td.n a").textContent;
		if (!window.confirm("Delete " + name + "?"))
			return;
		fetch(urlOf(tr).replace(/\/$/, ""), { method: "DELETE" })
		    .then(function (r) {
			if (r.ok) {
				tr.remove();
				return;
			}
			return r.text().then(function (t) {
				report(name, false, t.trim() ||
				    r.status + " " + r.statusText);
			});
		}, function (e) {
			report(name, false, String(e));
		});
	});

	var list = document.getElementById("uploads");

	function report(name, ok, text) {
		var li = document.createElement("li");
		var n = document.createElement("span");
		n.textContent = name;
		var s = document.createElement("span");
		s.className = ok ? "ok" : "bad";
		s.textContent = text;
		li.appendChild(n);
		li.appendChild(s);
		list.appendChild(li);
		return li;
	}

	/* One file, one PUT: its own progress bar and its own error. */
	function upload(file) {
		return new Promise(function (resolve) {
			var li = document.createElement("li");
			var n = document.createElement("span");
			n.textContent = file.name;
			var bar = document.createElement("progress");
			bar.max = file.size || 1;
			bar.value = 0;
			var s = document.createElement("span");
			s.textContent = "waiting";
			li.appendChild(n);
			li.appendChild(bar);
			li.appendChild(s);
			list.appendChild(li);

			var xhr = new XMLHttpRequest();
			xhr.open("PUT", encodeURIComponent(file.name));
			xhr.upload.onprogress = function (ev) {
				bar.value = ev.loaded;
				s.textContent = humanSize(ev.loaded) + " of " +
				    humanSize(file.size);
			};
			xhr.onload = function () {
				var ok = xhr.status >= 200 && xhr.status < 300;
				bar.value = bar.max;
				s.className = ok ? "ok" : "bad";
				s.textContent = ok ? "done" :
				    (xhr.responseText.trim() ||
				    xhr.status + " " + xhr.statusText);
				resolve(ok);
			};
			xhr.onerror = xhr.onabort = function () {
				s.className = "bad";
				s.textContent = "failed: connection lost";
				resolve(false);
			};
			xhr.send(file);
		});
	}

	function uploadAll(files) {
		var queue = Array.prototype.slice.call(files);
		var running = 0, max = 3;

		if (queue.length === 0)
			return;
		return new Promise(function (resolve) {
			function next() {
				if (queue.length === 0 && running === 0) {
					resolve();
					return;
				}
				while (running < max && queue.length > 0) {
					running++;
					upload(queue.shift()).then(function () {
						running--;
						next();
					});
				}
			}
			next();
		}).then(refresh).catch(function (e) {
			report("listing", false, String(e));
		});
	}

	sortRows();
	if (!writable)
		return;
	decorate();

	var form = document.querySelector("form.upload");
	if (form)
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var input = form.querySelector("input[type=file]");
			uploadAll(input.files);
			form.reset();
		});

	var mk = document.querySelector("form.mkdir");
	if (mk)
		mk.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var input = mk.querySelector("input[name=mkdir]");
			var name = input.value;
			fetch("?mkdir=" + encodeURIComponent(name), {
				method: "POST",
				headers: { Accept: "application/json" }
			}).then(function (r) {
				if (r.ok) {
					mk.reset();
					return refresh();
				}
				return r.text().then(function (t) {
					report(name, false, t.trim());
				});
			});
		});

	/* Drag and drop anywhere on the page. */
	var drop = document.getElementById("drop"), depth = 0;

	function hasFiles(ev) {
		return ev.dataTransfer && Array.prototype.indexOf.call(
		    ev.dataTransfer.types, "Files") !== -1;
	}

	document.addEventListener("dragenter", function (ev) {
		if (!hasFiles(ev))
			return;
		ev.preventDefault();
		depth++;
		drop.hidden = false;
	});
	document.addEventListener("dragover", function (ev) {
		if (!hasFiles(ev))
			return;
		ev.preventDefault();
		ev.dataTransfer.dropEffect = "copy";
	});
	document.addEventListener("dragleave", function () {
		if (--depth <= 0) {
			depth = 0;
			drop.hidden = true;
		}
	});
	document.addEventListener("drop", function (ev) {
		if (!hasFiles(ev))
			return;
		ev.preventDefault();
		depth = 0;
		drop.hidden = true;
		uploadAll(ev.dataTransfer.files);
	});
}());
