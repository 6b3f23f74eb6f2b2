/* site-builder: opens a password-protected status page (README, "Private sites").
 *
 * This page arrived encrypted (AES-256-GCM, in the JSON of #sb-envelope). The password typed
 * here is turned into the key by PBKDF2-SHA256 with the browser's own Web Crypto; the key
 * decrypts the page, which then replaces this one (document.open/write/close). The derived key
 * (never the password) is kept in sessionStorage for this tab, so the site's other pages open
 * without asking again. Nothing is sent anywhere. protect.py writes this file into each page.
 */
(function () {
  "use strict";
  var envelope = JSON.parse(document.getElementById("sb-envelope").textContent);
  var text = JSON.parse(document.getElementById("sb-messages").textContent);
  var form = document.getElementById("sb-form");
  var input = document.getElementById("sb-password");
  var button = document.getElementById("sb-submit");
  var progress = document.getElementById("sb-progress");
  var problem = document.getElementById("sb-error");
  var slot = "site-builder-key:" + envelope.kdf.salt; // one key per site, never the password
  var MAGIC = "SBENC1\n"; // encrypted documents: MAGIC, iterations, salt, iv, ciphertext

  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function base64(buffer) {
    var a = new Uint8Array(buffer), s = "";
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return btoa(s);
  }
  function say(message) { progress.textContent = message; }
  function fail(message) {
    progress.textContent = "";
    problem.textContent = message;
    input.setAttribute("aria-invalid", "true");
  }
  function saved() { try { return sessionStorage.getItem(slot); } catch (e) { return null; } }
  function save(raw) { try { sessionStorage.setItem(slot, base64(raw)); } catch (e) { /* private mode */ } }
  function forget() { try { sessionStorage.removeItem(slot); } catch (e) { /* private mode */ } }

  function aesKey(raw) {
    return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["decrypt"]);
  }
  async function derive(password) {
    var base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password),
                                             "PBKDF2", false, ["deriveBits"]);
    return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256",
                                      salt: bytes(envelope.kdf.salt),
                                      iterations: envelope.kdf.iterations }, base, 256);
  }
  async function decrypt(key) {
    var plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(envelope.iv) }, key,
                                            bytes(envelope.ciphertext));
    return new TextDecoder().decode(plain);
  }

  // Documents (deliverable files) are encrypted too: fetch, decrypt, hand over as a download.
  async function download(link, key) {
    var response = await fetch(link.href);
    if (!response.ok) throw new Error("HTTP " + response.status);
    var data = new Uint8Array(await response.arrayBuffer());
    for (var i = 0; i < MAGIC.length; i++) {
      if (data[i] !== MAGIC.charCodeAt(i)) throw new Error("not an encrypted document");
    }
    var start = MAGIC.length + 4 + 16;
    var plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: data.slice(start, start + 12) },
                                            key, data.slice(start + 12));
    var name = link.getAttribute("data-sb-name") || "download";
    var url = URL.createObjectURL(new Blob([plain], { type: "application/octet-stream" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function loaded() {
    // Replace this page only once it has finished loading: document.open() is ignored while
    // the parser runs, and before the load event it would abort the new page's own requests.
    if (document.readyState === "complete") return Promise.resolve();
    return new Promise(function (resolve) {
      window.addEventListener("load", function () { setTimeout(resolve, 0); }, { once: true });
    });
  }

  async function show(html, key) {
    await loaded();
    document.open();
    document.write(html);
    document.close();
    document.addEventListener("click", function (event) {
      var link = event.target && event.target.closest && event.target.closest("a[data-sb-encrypted]");
      if (!link) return;
      event.preventDefault();
      download(link, key).catch(function () {
        if (!link.querySelector(".sb-download-failed")) {
          var note = document.createElement("span");
          note.className = "sb-download-failed";
          note.setAttribute("role", "alert");
          note.textContent = " (" + text.document_failed + ")";
          link.appendChild(note);
        }
      });
    });
  }

  async function reopen() {
    var raw = saved();
    if (!raw) return false;
    try {
      var key = await aesKey(bytes(raw));
      var html = await decrypt(key);
    } catch (e) {
      forget(); // a key for an older password: ask again
      return false;
    }
    await show(html, key);
    return true;
  }

  async function submit(event) {
    event.preventDefault();
    problem.textContent = "";
    input.removeAttribute("aria-invalid");
    if (!input.value) { fail(text.empty); input.focus(); return; }
    button.disabled = true;
    say(text.checking);
    var key, html, raw;
    try {
      raw = await derive(input.value);
      key = await aesKey(raw);
      html = await decrypt(key);
    } catch (e) {
      button.disabled = false;
      fail(text.wrong);
      input.select();
      input.focus();
      return;
    }
    save(raw);
    await show(html, key);
  }

  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    form.hidden = false;
    button.disabled = true;
    fail(text.insecure);
    return;
  }
  form.addEventListener("submit", submit);
  reopen().then(function (opened) {
    if (!opened) {
      form.hidden = false;
      input.focus();
    }
  });
})();
