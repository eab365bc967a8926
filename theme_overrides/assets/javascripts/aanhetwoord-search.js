/* Material fetches the whole search index (search/search_index.json) as soon as any page loads.
   The index holds the text of every story, so it grows with the site: at 4,000 stories it is
   about 4 MB compressed, thirty times the rest of a story page. This script, loaded before
   Material's bundle, holds that one request back until the visitor opens the search (the
   search toggle or the search field); Material itself does the same for sites opened from
   file://. Everything else about the search stays Material's. */
(function () {
  "use strict";
  var INDEX = /\/search\/search_index\.json$/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var held = [];
  var released = false;

  XMLHttpRequest.prototype.open = function (method, url) {
    try {
      this.ahwSearchIndex = INDEX.test(new URL(String(url), document.baseURI).pathname);
    } catch (error) {
      this.ahwSearchIndex = false;
    }
    return open.apply(this, arguments);
  };

  XMLHttpRequest.prototype.send = function () {
    if (this.ahwSearchIndex && !released) {
      held.push([this, arguments]);
      return undefined;
    }
    return send.apply(this, arguments);
  };

  function release() {
    if (released) return;
    released = true;
    held.splice(0).forEach(function (request) {
      // Material may have given up on a request (readyState back to UNSENT after abort()).
      if (request[0].readyState === XMLHttpRequest.OPENED) send.apply(request[0], request[1]);
    });
  }

  function isSearch(target) {
    return target instanceof Element && target.matches("[data-md-toggle=search], .md-search__input");
  }

  // Listening on the document, in the capture phase, also hears the very first click or key,
  // before Material's own handlers run and before the page has finished loading.
  document.addEventListener("change", function (event) {
    if (isSearch(event.target) && event.target.checked) release();
  }, true);
  document.addEventListener("focusin", function (event) {
    if (isSearch(event.target)) release();
  }, true);
})();
