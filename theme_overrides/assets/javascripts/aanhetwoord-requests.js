/* Loaded before Material's bundle, this script holds back two requests that Material makes on
   every page load. Everything else stays Material's.

   1. The search index (search/search_index.json) holds the text of every story, so it grows
      with the site: at 4,000 stories it is about 4 MB compressed, thirty times the rest of a
      story page. It is sent once the visitor opens the search (the search toggle or the search
      field); Material itself does the same for sites opened from file://.

   2. For every <link rel="alternate"> Material fetches a sitemap.xml beside the link's address,
      to switch between language versions of a whole site. Here those links are feeds and story
      translations: the requests fetch the whole site map or a missing file, and a click on a
      translation link would go to its address without the final slash. They are never sent,
      unless the site turns on a Material feature that needs its sitemap (instant navigation, a
      version selector). */
(function () {
  "use strict";
  var INDEX = /\/search\/search_index\.json$/;
  var SITEMAP = /\/sitemap\.xml$/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var held = [];
  var released = false;

  function sitemapNeeded() {
    try {
      var config = JSON.parse(document.getElementById("__config").textContent);
      return (config.features || []).indexOf("navigation.instant") >= 0 || Boolean(config.version);
    } catch (error) {
      return true; // not the page this script was written for: change nothing
    }
  }

  XMLHttpRequest.prototype.open = function (method, url) {
    var path = "";
    try {
      path = new URL(String(url), document.baseURI).pathname;
    } catch (error) {
      path = "";
    }
    this.ahwSearchIndex = INDEX.test(path);
    this.ahwSitemap = SITEMAP.test(path);
    return open.apply(this, arguments);
  };

  XMLHttpRequest.prototype.send = function () {
    if (this.ahwSitemap && !sitemapNeeded()) return undefined;
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
