/* site-builder: opens a password-protected status page (docs/hosting/private-sites.md).
 *
 * This page arrived encrypted (AES-256-GCM, in the JSON of #sb-envelope). The password typed
 * here is turned into the key by PBKDF2-SHA256 with the browser's own Web Crypto; the key
 * decrypts the page, which then replaces this one (document.open/write/close). Nothing is sent
 * anywhere.
 *
 * The key is a non-extractable CryptoKey held in this script's memory only: never in
 * sessionStorage, localStorage, IndexedDB or a cookie, which every page of the same origin
 * (another project on the same *.github.io host) could read. To open the site's other pages
 * without asking again, links within the site are followed here: the linked page (another
 * encrypted shell of this site) is fetched, decrypted with the key in memory and written in
 * place, with its address pushed to the history. Reloading, or opening a page in a new tab,
 * asks for the password again. protect.py writes this file into each page.
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
  var site = envelope.kdf; // salt and iterations: the same on every page of this build
  var MAGIC = "SBENC1\n"; // encrypted documents: MAGIC, iterations, salt, iv, ciphertext
  var siteKey = null; // set once the password opened a page; memory only
  var shownPath = location.pathname;

  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function say(message) { progress.textContent = message; }
  function fail(message) {
    progress.textContent = "";
    problem.textContent = message;
    input.setAttribute("aria-invalid", "true");
  }

  async function derive(password) {
    var base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password),
                                             "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: bytes(site.salt),
                                     iterations: site.iterations },
                                   base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
  }
  async function decrypt(sealed, key) {
    var plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes(sealed.iv) }, key,
                                            bytes(sealed.ciphertext));
    return new TextDecoder().decode(plain);
  }

  // Documents (deliverable files) are encrypted too: fetch, decrypt, hand over as a download.
  async function download(link) {
    var response = await fetch(link.href);
    if (!response.ok) throw new Error("HTTP " + response.status);
    var data = new Uint8Array(await response.arrayBuffer());
    for (var i = 0; i < MAGIC.length; i++) {
      if (data[i] !== MAGIC.charCodeAt(i)) throw new Error("not an encrypted document");
    }
    var start = MAGIC.length + 4 + 16;
    var plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: data.slice(start, start + 12) },
                                            siteKey, data.slice(start + 12));
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
  function downloadFailed(link) {
    if (!link.querySelector(".sb-download-failed")) {
      var note = document.createElement("span");
      note.className = "sb-download-failed";
      note.setAttribute("role", "alert");
      note.textContent = " (" + text.document_failed + ")";
      link.appendChild(note);
    }
  }

  // Another page of this site: its shell, decrypted with the key in memory. Anything else
  // (another site, a page that does not open with this key, a network error) is an ordinary
  // navigation, which asks for the password if that page is protected.
  async function go(url, push) {
    var html;
    try {
      var response = await fetch(url.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var page = new DOMParser().parseFromString(await response.text(), "text/html");
      var sealed = JSON.parse(page.getElementById("sb-envelope").textContent);
      if (sealed.kdf.salt !== site.salt || sealed.kdf.iterations !== site.iterations) {
        throw new Error("another site");
      }
      html = await decrypt(sealed, siteKey);
    } catch (e) {
      location.assign(url.href);
      return;
    }
    if (push) {
      pinIcons();
      history.pushState(null, "", url.href);
    }
    await show(html);
    var target = url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (target) target.scrollIntoView(); else window.scrollTo(0, 0);
  }
  function inSite(link, event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey || link.hasAttribute("download")) return null;
    var where = (link.getAttribute("target") || "").toLowerCase();
    if (where && where !== "_self") return null;
    var url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !/^https?:$/.test(url.protocol)) return null;
    if (url.pathname === location.pathname) return null; // the same page: the browser scrolls
    return /(\.html|\/)$/.test(url.pathname) ? url : null;
  }
  // Added after every document.open() (which removes listeners); adding the same function
  // again is a no-op where it does not.
  function onClick(event) {
    var link = event.target && event.target.closest && event.target.closest("a[href]");
    if (!link || !siteKey) return;
    if (link.hasAttribute("data-sb-encrypted")) {
      event.preventDefault();
      download(link).catch(function () { downloadFailed(link); });
      return;
    }
    var url = inSite(link, event);
    if (!url) return;
    event.preventDefault();
    go(url, true);
  }
  function onPopState() {
    if (location.pathname !== shownPath) go(new URL(location.href), false);
  }

  // A change of address makes the browser fetch the page's icon again, resolving the icon
  // link of the page still shown against the new address: give it its absolute address.
  function pinIcons() {
    var links = document.querySelectorAll('link[rel~="icon"]');
    for (var i = 0; i < links.length; i++) links[i].setAttribute("href", links[i].href);
  }

  function loaded() {
    // Replace this page only once it has finished loading: document.open() is ignored while
    // the parser runs, and before the load event it would abort the new page's own requests.
    if (document.readyState === "complete") return Promise.resolve();
    return new Promise(function (resolve) {
      window.addEventListener("load", function () { setTimeout(resolve, 0); }, { once: true });
    });
  }

  async function show(html) {
    await loaded();
    document.open();
    document.write(html);
    document.close();
    shownPath = location.pathname;
    document.addEventListener("click", onClick);
    window.addEventListener("popstate", onPopState);
    loaded().then(pinIcons); // before back or forward changes the address
  }

  async function submit(event) {
    event.preventDefault();
    problem.textContent = "";
    input.removeAttribute("aria-invalid");
    if (!input.value) { fail(text.empty); input.focus(); return; }
    button.disabled = true;
    say(text.checking);
    var key, html;
    try {
      key = await derive(input.value);
      html = await decrypt(envelope, key);
    } catch (e) {
      button.disabled = false;
      fail(text.wrong);
      input.select();
      input.focus();
      return;
    }
    siteKey = key;
    await show(html);
  }

  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    form.hidden = false;
    button.disabled = true;
    fail(text.insecure);
    return;
  }
  form.addEventListener("submit", submit);
  form.hidden = false;
  input.focus();
})();
