/** GET /openapi.json: the OpenAPI 3.1 document of every route in the wiring, built once per container. Public. */
import { httpRoutes } from '../lib/wiring';
import { openApiDocument } from '../shared/admin/openapi';
import { receiveBase } from '../shared/admin/urls';
import { anonymousHttpApi, json } from '../shared/http/edge';

let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = anonymousHttpApi({
  'GET /openapi.json': async () => {
    document ??= openApiDocument(httpRoutes, { serverUrl: receiveBase() });
    return json(200, document, { 'cache-control': 'public, max-age=300' });
  },
});
