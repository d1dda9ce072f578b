/**
 * The agents' tools over the wire: translation through Amazon Translate and Google Cloud Translation v3 (fakes on
 * loopback speaking their documented formats), automatic translation that never holds a message back, translated
 * replies, and the assistant's suggestions (retrieval, and Bedrock's Converse API against a fake), with agents of
 * another account answered 404.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { useEngine } from '../support/engine';
import { desk, newPhone, type DeskAgent } from '../support/desk';
import { reloadConfig } from '../../shared/config';
import { accountView } from '../../shared/admin/accounts';
import { addMember } from '../../shared/store/memberships';
import { createCatalogItem } from '../../shared/store/catalog';
import { listAudit } from '../../shared/store/audit';
import type { Account } from '../../shared/store/accounts';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A fake provider on loopback: records each request and answers with `reply` (or 500 while `failing`). */
function fake(reply: (seen: Seen) => { status?: number; type?: string; body: unknown }, http2 = false) {
  const seen: Seen[] = [];
  const state = { failing: false, url: '' };
  const handle = (req: IncomingMessage, res: { writeHead: (status: number, headers: Record<string, string>) => { end: (body: string) => void } }) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const entry: Seen = { path: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
      seen.push(entry);
      if (state.failing) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"internal"}');
        return;
      }
      const out = reply(entry);
      res.writeHead(out.status ?? 200, { 'content-type': out.type ?? 'application/json' }).end(JSON.stringify(out.body));
    });
  };
  // Bedrock Runtime's client speaks HTTP/2: its fake answers cleartext HTTP/2 (prior knowledge), the others HTTP/1.1.
  const server = http2 ? createHttp2Server((req, res) => handle(req as unknown as IncomingMessage, res as never)) : createServer((req, res) => handle(req, res as never));
  return {
    seen,
    state,
    start: () =>
      new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          resolve();
        }),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ITALIAN: Record<string, string> = {
  'Ciao, dove è il mio ordine?': 'Hello, where is my order?',
  'Quanti giorni ho per restituire un articolo?': 'How many days do I have to return an item?',
};

// Amazon Translate: JSON 1.1, X-Amz-Target AWSShineFrontendService_20170701.TranslateText.
const amazon = fake(({ body }) => ({
  type: 'application/x-amz-json-1.1',
  body: { TranslatedText: ITALIAN[String(body.Text)] ?? `[${String(body.TargetLanguageCode)}] ${String(body.Text)}`, SourceLanguageCode: 'it', TargetLanguageCode: body.TargetLanguageCode },
}));
// Google Cloud Translation v3 projects.translateText.
const google = fake(({ body }) => {
  const text = String((body.contents as string[])[0]);
  return { body: { translations: [{ translatedText: ITALIAN[text] ?? `[${String(body.targetLanguageCode)}] ${text}`, ...(body.sourceLanguageCode ? {} : { detectedLanguageCode: 'it' }) }] } };
});
// Bedrock Runtime Converse: POST /model/{modelId}/converse.
const bedrock = fake(() => ({
  body: {
    output: { message: { role: 'assistant', content: [{ text: 'You have 30 days to return an item, unused and in its box.\nSources: [1]' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 10, outputTokens: 12, totalTokens: 22 },
    metrics: { latencyMs: 5 },
  },
}), true);

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
beforeAll(async () => {
  await Promise.all([amazon.start(), google.start(), bedrock.start()]);
  process.env.TRANSLATE_ENDPOINT = amazon.state.url;
  process.env.GOOGLE_TRANSLATE_BASE_URL = google.state.url;
  process.env.BEDROCK_ENDPOINT = bedrock.state.url;
  process.env.BEDROCK_MODEL_ID = MODEL;
  reloadConfig();
});
afterAll(async () => {
  await Promise.all([amazon.stop(), google.stop(), bedrock.stop()]);
  for (const k of ['TRANSLATE_ENDPOINT', 'GOOGLE_TRANSLATE_BASE_URL', 'BEDROCK_ENDPOINT', 'BEDROCK_MODEL_ID']) delete process.env[k];
  reloadConfig();
});

const engine = useEngine();
const d = desk(() => engine());

/** An account that offers every new conversation to `agent` (a member), and the agent online. */
async function setUp(name: string, tools: Record<string, unknown>): Promise<{ account: Account; agent: DeskAgent }> {
  const agent = await d.user(name);
  const account = await d.account(name, name.slice(0, 5), { tools, routing: [{ type: 'agent', agentId: agent.id, timeoutSeconds: 600 }] });
  await addMember('ACCOUNT', account.id, agent.id);
  await d.presence(agent, 'online');
  return { account, agent };
}

/** A customer writes; the agent accepts the offer; the interaction id. */
async function conversation(account: Account, agent: DeskAgent, text: string): Promise<string> {
  const phone = newPhone();
  await d.inbound(account, phone, text);
  const offered = await d.waitFor(agent, 'interaction.offered', (e) => e.accountId === account.id);
  const id = offered.interactionId!;
  expect((await d.api(agent.token, 'POST', `/agent/interactions/${id}/accept`)).status).toBe(200);
  return id;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read bodies loosely and assert the shape they read
const messagesOf = async (agent: DeskAgent, id: string) => (await d.api(agent.token, 'GET', `/agent/interactions/${id}/messages`)).body.items as Record<string, any>[];

describe('translation', () => {
  test('Amazon Translate translates incoming messages automatically; a failure delivers the message untranslated and tells the agent', async () => {
    const { account, agent } = await setUp('awsauto', { translation: { enabled: true, provider: 'aws', language: 'en', auto: true } });
    const id = await conversation(account, agent, 'Ciao, dove è il mio ordine?');
    const translated = await d.waitFor(agent, 'message.translated', (e) => e.interactionId === id);
    expect(translated).toMatchObject({ messageText: 'Ciao, dove è il mio ordine?', translation: { text: 'Hello, where is my order?', sourceLanguage: 'it', targetLanguage: 'en', provider: 'aws' } });
    const request = amazon.seen.find((s) => s.body.Text === 'Ciao, dove è il mio ordine?')!;
    expect(request.headers['x-amz-target']).toBe('AWSShineFrontendService_20170701.TranslateText');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 .*\/translate\/aws4_request/);
    expect(request.body).toEqual({ Text: 'Ciao, dove è il mio ordine?', SourceLanguageCode: 'auto', TargetLanguageCode: 'en' });
    // The original stays; the translation is beside it, over the API too.
    const [first] = await messagesOf(agent, id);
    expect(first).toMatchObject({ text: 'Ciao, dove è il mio ordine?', translation: { text: 'Hello, where is my order?', sourceLanguage: 'it' } });

    amazon.state.failing = true;
    try {
      await d.inbound(account, (await d.api(agent.token, 'GET', `/agent/interactions/${id}`)).body.contactPhone, 'Ci sei?');
      const received = await d.waitFor(agent, 'message.received', (e) => e.interactionId === id && e.messageText === 'Ci sei?');
      const failed = await d.waitFor(agent, 'message.translation-failed', (e) => e.interactionId === id && e.messageId === received.messageId, 15_000);
      expect(failed).toMatchObject({ provider: 'aws' });
      const stored = (await messagesOf(agent, id)).find((m) => m.id === received.messageId)!;
      expect(stored.text).toBe('Ci sei?');
      expect(stored.translation).toBeUndefined();
    } finally {
      amazon.state.failing = false;
    }
    const audit = await listAudit({ action: 'interaction.translate', targetId: id, limit: 50 });
    const rows = audit.items.filter((r) => r.targetIds.includes(id));
    expect(rows.map((r) => r.outcome).sort()).toEqual(['failed', 'ok']);
    expect(rows.every((r) => r.details?.provider === 'aws' && r.details?.accountId === account.id)).toBe(true);
  }, 40_000);

  test('Google translates on demand and a reply goes out in the customer language; the key stays write-only', async () => {
    const { account, agent } = await setUp('gtrans', {
      translation: { enabled: true, provider: 'google', language: 'en', google: { projectId: 'acme-support-1', apiKey: 'AIza-secret-key-123' } },
    });
    expect(JSON.stringify(accountView(account))).not.toContain('AIza-secret-key-123');
    expect(accountView(account).settings.tools.translation.google).toEqual({ projectId: 'acme-support-1', apiKeySet: true });
    const id = await conversation(account, agent, 'Quanti giorni ho per restituire un articolo?');
    expect(google.seen).toHaveLength(0); // not automatic on this account
    const [message] = await messagesOf(agent, id);
    const res = await d.api(agent.token, 'POST', `/agent/interactions/${id}/messages/${message!.id}/translate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: message!.id, text: 'Quanti giorni ho per restituire un articolo?', translation: { text: 'How many days do I have to return an item?', sourceLanguage: 'it', provider: 'google' } });
    const event = await d.waitFor(agent, 'message.translated', (e) => e.interactionId === id);
    expect(event).toMatchObject({ messageId: message!.id, translation: { text: 'How many days do I have to return an item?' } });
    const call = google.seen[0]!;
    expect(call.path).toBe('/v3/projects/acme-support-1:translateText');
    expect(call.headers['x-goog-api-key']).toBe('AIza-secret-key-123');
    expect(call.path).not.toContain('AIza');
    expect(call.body).toEqual({ contents: ['Quanti giorni ho per restituire un articolo?'], targetLanguageCode: 'en', mimeType: 'text/plain' });

    const preview = await d.api(agent.token, 'POST', `/agent/interactions/${id}/reply/preview`, { text: 'You have 30 days.' });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ original: { text: 'You have 30 days.', language: 'en' }, translation: { text: '[it] You have 30 days.', sourceLanguage: 'en', targetLanguage: 'it', provider: 'google' } });

    const reply = await d.api(agent.token, 'POST', `/agent/interactions/${id}/reply`, { text: 'You have 30 days.', translate: true });
    expect(reply.status).toBe(202);
    // The customer receives only the translation; the agent sees both.
    expect(reply.body).toMatchObject({ text: '[it] You have 30 days.', original: { text: 'You have 30 days.', language: 'en' } });
    expect(google.seen.at(-1)!.body).toEqual({ contents: ['You have 30 days.'], targetLanguageCode: 'it', sourceLanguageCode: 'en', mimeType: 'text/plain' });
    const out = (await messagesOf(agent, id)).find((m) => m.id === reply.body.id)!;
    expect(out).toMatchObject({ direction: 'out', text: '[it] You have 30 days.', original: { text: 'You have 30 days.' } });
  }, 40_000);

  test('an account without translation sends nothing anywhere; agents of another account get 404', async () => {
    const { account, agent } = await setUp('notrans', {});
    const other = await setUp('otherac', { translation: { enabled: true, provider: 'aws', language: 'en' } });
    const id = await conversation(account, agent, 'Hola, necesito ayuda');
    const [message] = await messagesOf(agent, id);
    const before = amazon.seen.length + google.seen.length;
    const refused = await d.api(agent.token, 'POST', `/agent/interactions/${id}/messages/${message!.id}/translate`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TRANSLATION_DISABLED');
    expect((await d.api(agent.token, 'POST', `/agent/interactions/${id}/reply/preview`, { text: 'hi', language: 'es' })).status).toBe(409);
    expect(amazon.seen.length + google.seen.length).toBe(before);
    for (const [method, path, body] of [
      ['POST', `/agent/interactions/${id}/messages/${message!.id}/translate`, undefined],
      ['POST', `/agent/interactions/${id}/reply/preview`, { text: 'hi', language: 'es' }],
      ['POST', `/agent/interactions/${id}/assist`, {}],
    ] as const) {
      const res = await d.api(other.agent.token, method, path, body);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(/^interaction /);
    }
    expect((await d.api(agent.token, 'POST', `/agent/interactions/${id}/reply`, { translate: true, media: [{ url: 'https://example.com/a.png' }] })).status).toBe(400);
  }, 40_000);
});

describe('assistant', () => {
  const HANDBOOK = [
    '# Customer handbook',
    '## Shipping',
    'Orders ship within 2 business days from our warehouse in Milan. Tracking links arrive by email.',
    '## Returns',
    'You can return an item within 30 days of delivery, unused and in its original box. Refunds reach the card in 5 days.',
    '## Payment',
    'We accept Visa, Mastercard and PayPal. Invoices are sent once the order ships.',
  ].join('\n\n');

  async function seeded(name: string, generative: boolean) {
    const { account, agent } = await setUp(name, { assistant: { enabled: true, generative } });
    const admin = await d.user(`${name}adm`, 'admin', undefined, false);
    const doc = await d.api(admin.token, 'POST', `/admin/accounts/${account.id}/knowledge`, { name: 'Handbook', format: 'markdown', text: HANDBOOK });
    expect(doc.status).toBe(201);
    await createCatalogItem('canned', { accountId: account.id }, { name: 'Opening hours', text: 'Our support desk is open Monday to Friday, 9 to 18.' });
    await createCatalogItem('canned', {}, { name: `Greeting ${name}`, text: 'Hello! Thanks for writing to us.' });
    return { account, agent, admin, docId: doc.body.id as string };
  }

  test('suggestions are ranked from the seeded knowledge, each with its source; documents are managed by admins', async () => {
    const { account, agent, admin, docId } = await seeded('assist', false);
    const list = await d.api(admin.token, 'GET', `/admin/accounts/${account.id}/knowledge`);
    expect(list.body.items).toEqual([expect.objectContaining({ id: docId, name: 'Handbook', format: 'markdown' })]);
    expect(list.body.items[0].text).toBeUndefined();
    expect((await d.api(agent.token, 'GET', `/admin/accounts/${account.id}/knowledge`)).status).toBe(403);

    const id = await conversation(account, agent, 'Hi, how many days do I have to return an item I bought?');
    const res = await d.api(agent.token, 'POST', `/agent/interactions/${id}/assist`, { limit: 3 });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('retrieval');
    const [best] = res.body.suggestions;
    expect(best.text).toContain('within 30 days');
    expect(best.sources).toEqual([{ type: 'document', id: docId, name: 'Handbook', section: 'Returns' }]);

    await d.inbound(account, (await d.api(agent.token, 'GET', `/agent/interactions/${id}`)).body.contactPhone, 'And when is the support desk open?');
    await d.waitFor(agent, 'message.received', (e) => e.interactionId === id);
    const next = await d.api(agent.token, 'POST', `/agent/interactions/${id}/assist`, {});
    expect(next.body.suggestions[0].sources[0]).toMatchObject({ type: 'canned', name: 'Opening hours', scope: 'account' });
    // Nothing was sent: only the customer's two messages are in the conversation.
    expect((await messagesOf(agent, id)).every((m) => m.direction === 'in')).toBe(true);
    // Generative was not enabled on this account: refused, and Bedrock never called.
    const before = bedrock.seen.length;
    expect((await d.api(agent.token, 'POST', `/agent/interactions/${id}/assist`, { mode: 'generative' })).status).toBe(409);
    expect(bedrock.seen.length).toBe(before);
    const audit = await listAudit({ action: 'interaction.assist', targetId: id, limit: 50 });
    expect(audit.items.filter((r) => r.targetIds.includes(id)).every((r) => r.details?.provider === 'local')).toBe(true);

    expect((await d.api(admin.token, 'DELETE', `/admin/accounts/${account.id}/knowledge/${docId}`)).status).toBe(204);
    expect((await d.api(admin.token, 'GET', `/admin/accounts/${account.id}/knowledge/${docId}`)).status).toBe(404);
  }, 40_000);

  test('the generative mode calls Bedrock Converse with the retrieved passages and says which it used', async () => {
    const { account, agent, docId } = await seeded('genai', true);
    const id = await conversation(account, agent, 'How many days do I have to return an item?');
    const res = await d.api(agent.token, 'POST', `/agent/interactions/${id}/assist`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'generative', modelId: MODEL });
    expect(res.body.fallback).toBeUndefined();
    expect(res.body.suggestions[0]).toEqual({ text: 'You have 30 days to return an item, unused and in its box.', sources: [{ type: 'document', id: docId, name: 'Handbook', section: 'Returns' }] });
    const call = bedrock.seen.at(-1)!;
    expect(call.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(call.headers.authorization).toMatch(/\/bedrock\/aws4_request/);
    const body = call.body as { system: { text: string }[]; messages: { role: string; content: { text: string }[] }[]; inferenceConfig: { maxTokens: number } };
    expect(body.system[0]!.text).toMatch(/numbered passages/);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]!.role).toBe('user');
    expect(body.messages[0]!.content[0]!.text).toMatch(/^Passages:\n\[1\] Returns\nYou can return an item within 30 days/);
    expect(body.messages[0]!.content[0]!.text).toContain('The customer wrote:\nHow many days do I have to return an item?');
    expect(body.inferenceConfig.maxTokens).toBeGreaterThan(0);
    const audit = await listAudit({ action: 'interaction.assist', targetId: id, limit: 50 });
    expect(audit.items.find((r) => r.targetIds.includes(id))?.details).toMatchObject({ provider: 'bedrock', modelId: MODEL, accountId: account.id });
  }, 40_000);
});
