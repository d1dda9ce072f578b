/** GET /openapi.json: public, OpenAPI 3.1, one path item per wired route, bodies from the zod schemas, security. */
import { caller } from '../support/admin';
import { useEngine } from '../support/engine';
import { httpRoutes } from '../../lib/wiring';

const engine = useEngine();
const call = caller(() => engine().httpUrl);

type Op = { security: unknown[]; requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown>; parameters?: { name: string; in: string }[] };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema objects, asserted field by field below
let doc: { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, any>; securitySchemes: Record<string, unknown> } };

beforeAll(async () => {
  const res = await call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

const isPublic = (path: string) => path === '/health' || path === '/openapi.json' || path === '/asyncapi.json' || path.startsWith('/auth/') || path.startsWith('/webhooks/') || path.startsWith('/exports/');

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document served without a token', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it("names this deployment's base URL as its one server (the generated file has none)", () => {
    expect(doc.servers).toEqual([{ url: expect.stringMatching(/^https?:\/\/[^/]+$/) }]);
  });

  it('documents every route of the wiring, and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));

    expect(documented.sort()).toEqual(httpRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('requires the bearer token everywhere but /health, /openapi.json, /asyncapi.json, /auth/*, /webhooks/* and the signed /exports/* links', () => {
    for (const r of httpRoutes) {
      const op = doc.paths[r.path]![r.method.toLowerCase()]!;
      expect([`${r.method} ${r.path}`, op.security]).toEqual([`${r.method} ${r.path}`, isPublic(r.path) ? [] : [{ bearer: [] }]]);
      if (!isPublic(r.path)) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('describes request bodies from the zod schemas, with their defaults and limits', () => {
    const body = (method: string, path: string) => doc.paths[path]![method]!.requestBody!.content['application/json']!.schema.$ref;
    expect(body('post', '/admin/accounts')).toBe('#/components/schemas/AccountCreate');
    expect(body('patch', '/admin/agents/{id}')).toBe('#/components/schemas/AgentPatch');
    expect(body('post', '/auth/login')).toBe('#/components/schemas/Login');
    expect(body('post', '/admin/lists/{id}/contacts')).toBe('#/components/schemas/ContactCreate');
    expect(body('post', '/admin/accounts/{id}/canned-answers')).toBe('#/components/schemas/CannedAnswerCreate');

    const { schemas } = doc.components;
    expect(schemas.AccountCreate_twilio.properties.settings.properties.waitForAgentSeconds).toMatchObject({ default: 10, minimum: 1, maximum: 2147483 });
    expect(schemas.QueueCreate.properties.strategy).toMatchObject({ default: 'ring-all', enum: ['ring-all', 'round-robin', 'least-recent', 'fewest-handled'] });
    expect(schemas.ContactCreate.required).toEqual(['phone']);
    expect(schemas.AgentCreate.properties.username.pattern).toBeDefined();
  });

  it('gives the error body as a component and uses it for 4xx responses', async () => {
    expect(doc.components.schemas.Error).toMatchObject({
      type: 'object',
      properties: { error: { properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array' } } } },
    });
    const post = doc.paths['/admin/queues']!.post!;
    expect(Object.keys(post.responses).sort()).toEqual(['201', '400', '401', '403', '409', '423']);
    expect(Object.keys(doc.paths['/admin/queues/{id}']!.delete!.responses)).toEqual(expect.arrayContaining(['204', '404']));
    expect(doc.paths['/admin/lists/{id}/contacts']!.get!.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:id', 'query:q', 'query:sort', 'query:cursor', 'query:limit']),
    );
  });
});
