import { dirname } from 'node:path';

/** Swagger UI's prebuilt files (npm swagger-ui-dist), served by the service itself under /docs/assets. */
export const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
export const API_REFERENCE_ASSETS_PATH = '/docs/assets';

// Relative URLs, so that the page also works behind a reverse proxy that adds a path prefix. No
// validator badge (it would call validator.swagger.io) and nothing else from outside.
export const API_REFERENCE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Alert Relay API reference</title>
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
  <div id="api-reference"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: 'openapi.json',
      dom_id: '#api-reference',
      deepLinking: true,
      validatorUrl: null,
      docExpansion: 'list',
      defaultModelsExpandDepth: 0,
      displayOperationId: true,
    });
  </script>
</body>
</html>
`;
