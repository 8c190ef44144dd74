// Starts YASGUI (api/static/vendor/yasgui/, from npm) on the SPARQL editor page, from the setup the
// page's JSON twin gives (api/sparql_editor.py): our endpoint only, our prefixes, the named queries
// as examples, and no request to another host.
"use strict";
(function () {
  function prologue(prefixes) {
    return Object.keys(prefixes).sort().map(function (name) {
      return "PREFIX " + name + ": <" + prefixes[name] + ">";
    }).join("\n");
  }

  // A result IRI under our base opens its page on this host (the base may be w3id.org, which
  // redirects to a deployment that need not be this one).
  function linkHere(base, root) {
    function rewrite(anchor) {
      var href = anchor.getAttribute("href");
      if (href && href.indexOf(base) === 0) {
        anchor.setAttribute("href", "/" + href.slice(base.length));
        anchor.removeAttribute("target");
      }
    }
    new MutationObserver(function () {
      root.querySelectorAll("a[href]").forEach(rewrite);
    }).observe(root, { childList: true, subtree: true });
  }

  window.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("yasgui");
    if (!element || !window.Yasgui) {
      return;
    }
    fetch(element.dataset.setup, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (setup) {
        var Yasgui = window.Yasgui;
        // Completion of class and property names asks the Linked Open Vocabularies service, and of
        // prefixes prefix.cc: only variables, and prefixes from our own list.
        Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
        var start = prologue(setup.prefixes) +
          "\n\nSELECT ?case ?title WHERE {\n  ?case a sherloc:CourtCase ;\n        dcterms:title ?title .\n} LIMIT 20\n";
        var yasgui = new Yasgui(element, {
          requestConfig: { endpoint: setup.endpoint, method: "POST" },
          copyEndpointOnNewTab: false,
          endpointCatalogueOptions: { getData: function () { return [{ endpoint: setup.endpoint }]; }, keys: [] },
          yasqe: { value: start, prefixCcApi: setup.prefix_list },
        });
        linkHere(setup.base, element);
        var examples = {};
        setup.examples.forEach(function (example) { examples[example.name] = example; });
        document.querySelectorAll("button.example").forEach(function (button) {
          button.addEventListener("click", function () {
            var example = examples[button.dataset.name];
            if (example) {
              yasgui.addTab(true, { name: example.title, yasqe: { value: example.query } });
              element.scrollIntoView();
            }
          });
        });
        window.sherlocEditor = yasgui;  // for the browser tests
      });
  });
})();
