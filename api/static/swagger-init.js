// Starts Swagger UI (api/static/vendor/swagger-ui/, from npm) on the /docs page, over the OpenAPI
// description the page names. A file rather than an inline script: the page's content security
// policy allows scripts from our own host only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // no "validator badge": it would send our description to validator.swagger.io
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
