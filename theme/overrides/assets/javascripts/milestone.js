/* Opens and marks the milestone a link or a search result points at: the page's address ends
   in #milestone-<id> (search) or #sb-milestone-<id> (feeds, calendar), on load and whenever
   the address changes. Not every browser opens a closed <details> for its fragment. */
(function () {
  function openTarget() {
    var id = location.hash.slice(1), target, card, previous;
    try { id = decodeURIComponent(id); } catch (e) { return; }
    target = id && document.getElementById(id);
    card = target && target.closest("details.sb-milestone");
    if (!card) return;
    previous = document.querySelector("details.sb-milestone[data-sb-target]");
    if (previous) previous.removeAttribute("data-sb-target");
    card.setAttribute("data-sb-target", "");
    card.open = true;
    card.scrollIntoView();
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
})();
