/* site-builder: approve a milestone or request changes on the status page, with a signature
 * (docs/clients/approving.md, docs/managers/approvals.md).
 *
 * Enrolling ("Set up approvals on this device") makes an Ed25519 key pair with the browser's
 * Web Crypto. The private key is non-extractable: no script, this one included, can read its
 * bytes; it can only be used to sign, on this device, in this browser profile. It is kept in
 * IndexedDB (a CryptoKey survives there as itself), with the name and e-mail address the
 * client typed, which never reach the page's HTML. The public key is shown as an OpenSSH key
 * line for the team to add with `site-builder signers add`.
 *
 * Why not a passkey (WebAuthn)? A passkey signs WebAuthn assertions (authenticator data plus a
 * hash of client data, bound to the site's origin), not arbitrary bytes, so its signature
 * cannot be an OpenSSH SSHSIG that `ssh-keygen -Y verify` checks; it also needs an origin the
 * passkey is registered to (not file://). Keeping SSHSIG keeps one verifier for notes signed
 * in a terminal and on the page. A passkey could be added later as a second kind of signer
 * (verifying WebAuthn assertions in Python), which this format does not preclude.
 *
 * Signing builds the approval note exactly as `site-builder receive` expects it (front matter:
 * client, project, milestone, decision, date, by, plan_revision, deliverables; then the
 * message) and signs it as `ssh-keygen -Y sign -n milestone-approval` would (PROTOCOL.sshsig):
 * the Ed25519 key signs "SSHSIG" || string(namespace) || string("") || string("sha512") ||
 * string(SHA-512(note)). The note and the armoured signature are offered as a download and as
 * a mailto: link; the page itself sends nothing and requests nothing.
 */
(function () {
  "use strict";
  var NAMESPACE = "milestone-approval";
  var DB = "site-builder-approvals", STORE = "device", RECORD = "key";
  var MAILTO_LIMIT = 1900; // longer mailto: links are cut short by some mail programs

  // --- bytes -----------------------------------------------------------------------------------
  var encoder = new TextEncoder();
  function concat(parts) {
    var size = 0, at = 0;
    parts.forEach(function (p) { size += p.length; });
    var out = new Uint8Array(size);
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  function uint32(n) { return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
  function sshString(data) {
    if (typeof data === "string") data = encoder.encode(data);
    return concat([uint32(data.length), data]);
  }
  function base64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }
  function publicBlob(raw) { return concat([sshString("ssh-ed25519"), sshString(raw)]); }

  async function keyLine(publicKey) {
    var raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
    return "ssh-ed25519 " + base64(publicBlob(raw));
  }

  // An SSHSIG signature of `message` (bytes), armoured as ssh-keygen writes it.
  async function sshsig(pair, message) {
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-512", message));
    var magic = encoder.encode("SSHSIG");
    var signed = concat([magic, sshString(NAMESPACE), sshString(""), sshString("sha512"),
                         sshString(digest)]);
    var signature = new Uint8Array(await crypto.subtle.sign("Ed25519", pair.privateKey, signed));
    var raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    var blob = concat([magic, uint32(1), sshString(publicBlob(raw)), sshString(NAMESPACE),
                       sshString(""), sshString("sha512"),
                       sshString(concat([sshString("ssh-ed25519"), sshString(signature)]))]);
    var text = base64(blob), lines = [];
    for (var i = 0; i < text.length; i += 70) lines.push(text.slice(i, i + 70));
    return "-----BEGIN SSH SIGNATURE-----\n" + lines.join("\n") + "\n-----END SSH SIGNATURE-----\n";
  }

  // --- the device key in IndexedDB ---------------------------------------------------------------
  function database() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  async function stored(value) {
    // Reading never creates the database: a visit leaves no storage until a device enrols.
    if (value === undefined && indexedDB.databases) {
      var names = (await indexedDB.databases()).map(function (d) { return d.name; });
      if (names.indexOf(DB) < 0) return undefined;
    }
    var db = await database();
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(STORE, value === undefined ? "readonly" : "readwrite");
      var request = value === undefined ? tx.objectStore(STORE).get(RECORD)
                                        : tx.objectStore(STORE).put(value, RECORD);
      tx.oncomplete = function () { db.close(); resolve(request.result); };
      tx.onerror = function () { db.close(); reject(tx.error); };
    });
  }

  // --- the note ----------------------------------------------------------------------------------
  function quoted(text) { return JSON.stringify(text); } // a JSON string is a YAML one
  function localDate() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }
  // The message as Markdown lines of at most 72 columns (mail programs re-wrap longer ones,
  // which would change the signed bytes); a line never starts with a word Markdown would
  // read as a list item, heading or quote.
  function wrapped(message) {
    var out = [];
    message.replace(/\r\n?/g, "\n").split("\n").forEach(function (line) {
      line = line.replace(/\s+$/, "");
      var words = line.split(/ +/), current = "";
      if (line.length <= 72 || /^\s/.test(line)) { out.push(line); return; }
      words.forEach(function (word) {
        var risky = /^([-+*#>=|]|\d+[.)])/.test(word);
        if (current && current.length + 1 + word.length > 72 && !risky) {
          out.push(current);
          current = word;
        } else {
          current = current ? current + " " + word : word;
        }
      });
      out.push(current);
    });
    while (out.length && !out[out.length - 1]) out.pop();
    while (out.length && !out[0]) out.shift();
    return out.join("\n");
  }
  function noteText(box, device, decision, message, date) {
    var d = box.dataset, labels = JSON.parse(d.labels);
    var lines = ["---", "client: " + quoted(d.client), "project: " + quoted(d.project),
                 "milestone: " + quoted(d.milestone), "decision: " + decision, "date: " + date,
                 "by: " + quoted(device.name + " <" + device.email + ">"),
                 "plan_revision: " + quoted(d.revision)];
    var deliverables = JSON.parse(d.deliverables);
    if (deliverables.length) {
      lines.push("deliverables:");
      deliverables.forEach(function (title) { lines.push("  - " + quoted(title)); });
    }
    var body = wrapped(message) ||
      labels[decision === "approved" ? "approve.body_approved" : "approve.body_changes"];
    return lines.concat(["---", body]).join("\n") + "\n";
  }

  // --- the controls ------------------------------------------------------------------------------
  function label(box, key, values) {
    var text = JSON.parse(box.dataset.labels)[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  function mailto(address, subject, body) {
    return "mailto:" + encodeURIComponent(address || "").replace(/%40/g, "@") +
      "?subject=" + encodeURIComponent(subject) + "&body=" + encodeURIComponent(body.replace(/\n/g, "\r\n"));
  }
  function problem(box, text) { box.querySelector(".sb-approve-problem").textContent = text || ""; }
  function validName(name) { return name && !/[<>\u0000-\u001f\u007f]/.test(name); }
  function validEmail(email) { return /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$/.test(email); }

  function show(box, device) {
    box.querySelector(".sb-approve-enrol").hidden = !!device;
    box.querySelector(".sb-approve-device").hidden = !device;
    box.querySelector(".sb-approve-decide").hidden = !device;
    if (!device) return;
    box.querySelector(".sb-approve-who").textContent = label(box, "approve.enrolled", { name: device.name });
    box.querySelector(".sb-approve-key code").textContent = device.keyLine;
    var command = "site-builder signers add " + box.dataset.client + " \"" + device.keyLine +
      "\" --name " + quoted(device.name) + " --email " + device.email;
    box.querySelector(".sb-approve-send-key").href = mailto(box.dataset.sbContact,
      label(box, "approve.key_subject"),
      label(box, "approve.key_body") + "\n\n" + device.email + " " + device.keyLine + "\n\n" + command + "\n");
  }
  function showAll(device) {
    document.querySelectorAll("[data-sb-approve]").forEach(function (box) { show(box, device); });
  }

  async function enrol(box, form) {
    var name = form.elements.name.value.replace(/\s+/g, " ").trim();
    var email = form.elements.email.value.trim().toLowerCase();
    if (!validName(name) || !validEmail(email)) { problem(box, label(box, "approve.invalid")); return; }
    problem(box, "");
    var pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    var device = { name: name, email: email, keyLine: await keyLine(pair.publicKey),
                   privateKey: pair.privateKey, publicKey: pair.publicKey };
    await stored(device);
    showAll(device);
  }

  async function decide(box, decision) {
    var device = await stored();
    if (!device) { showAll(null); return; }
    var form = box.querySelector(".sb-approve-decide");
    var date = localDate();
    var note = noteText(box, device, decision, form.elements.message.value, date);
    var signature = await sshsig(device, encoder.encode(note));
    var both = note + signature;
    var result = box.querySelector(".sb-approve-result");
    var download = result.querySelector(".sb-approve-download");
    if (download.href.indexOf("blob:") === 0) URL.revokeObjectURL(download.href);
    download.href = URL.createObjectURL(new Blob([both], { type: "text/plain;charset=utf-8" }));
    download.setAttribute("download", date + "-" + box.dataset.milestone + ".approval.txt");
    var contact = box.dataset.contactName || label(box, "approve.contact");
    var subject = label(box, decision === "approved" ? "approve.subject_approved"
                                                     : "approve.subject_changes",
                        { milestone: box.dataset.milestoneTitle });
    var link = mailto(box.dataset.sbContact, subject, label(box, "approve.mail_body") + "\n\n" + both);
    var send = result.querySelector(".sb-approve-send");
    send.href = link;
    send.style.display = ""; // not `hidden`: Material's .md-button would show it anyway
    var done = label(box, "approve.signed", { contact: contact });
    if (link.length > MAILTO_LIMIT) { done = label(box, "approve.too_long"); send.style.display = "none"; }
    result.querySelector(".sb-approve-done").textContent = done;
    result.querySelector(".sb-approve-note code").textContent = both;
    result.hidden = false;
  }

  function guarded(box, task) {
    return function (event) {
      event.preventDefault();
      task(event).catch(function (error) {
        problem(box, label(box, "approve.failed", { error: (error && error.message) || String(error) }));
      });
    };
  }

  async function supported() {
    if (!window.crypto || !crypto.subtle || !window.indexedDB) return false;
    try {
      await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      return true;
    } catch (e) {
      return false;
    }
  }

  async function start() {
    var boxes = document.querySelectorAll("[data-sb-approve]:not([data-sb-ready])");
    if (!boxes.length) return;
    var ok = await supported();
    var device = ok ? await stored().catch(function () { return null; }) : null;
    boxes.forEach(function (box) {
      box.setAttribute("data-sb-ready", "");
      box.hidden = false;
      if (!ok) {
        box.querySelector(".sb-approve-enrol").hidden = true;
        problem(box, label(box, "approve.unsupported"));
        return;
      }
      var setup = box.querySelector(".sb-approve-setup");
      var enrolForm = box.querySelector(".sb-approve-enrol-form");
      setup.addEventListener("click", function () {
        enrolForm.hidden = false;
        setup.setAttribute("aria-expanded", "true");
        enrolForm.elements.name.focus();
      });
      enrolForm.addEventListener("submit", guarded(box, function () { return enrol(box, enrolForm); }));
      box.querySelector(".sb-approve-decide").addEventListener("submit", guarded(box, function (event) {
        var button = event.submitter || box.querySelector(".sb-approve-decide button");
        return decide(box, button.value);
      }));
      show(box, device);
    });
  }

  // Material's instant navigation swaps pages without reloading scripts: it announces each
  // page on document$; without it, the page is ready once parsed.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { start(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
