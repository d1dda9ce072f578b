/**
 * The demo's built-in fake provider: a loopback HTTP server that answers Twilio's Messages API and Meta's Graph
 * send API the way they answer a successful send, so the demo tenant's replies go somewhere (and are counted) with no
 * provider account and no network. Only `npm start -- --demo` starts it, and it aims only that engine's Twilio and
 * Meta sends at it (PROVIDER_BASE_URL_TWILIO, PROVIDER_BASE_URL_META).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoProvider {
  url: string;
  /** Sends it answered, newest last: which provider, to whom, what. */
  sends: { provider: 'twilio' | 'meta'; to: string; text: string; at: string }[];
  /** The engine environment that aims Twilio and Meta sends at it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const TWILIO_SEND = /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/;
const META_SEND = /^\/v\d+\.\d+\/[^/]+\/messages$/;

export async function startDemoProvider(host = '127.0.0.1'): Promise<DemoProvider> {
  const sends: DemoProvider['sends'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0] ?? '';
      const at = new Date().toISOString();
      if (req.method === 'POST' && TWILIO_SEND.test(path)) {
        const form = new URLSearchParams(body);
        sends.push({ provider: 'twilio', to: form.get('To') ?? '', text: form.get('Body') ?? '', at });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued', to: form.get('To'), body: form.get('Body') }));
        return;
      }
      if (req.method === 'POST' && META_SEND.test(path)) {
        let json: { to?: string; text?: { body?: string }; type?: string } = {};
        try {
          json = JSON.parse(body) as typeof json;
        } catch {
          // answered below as Meta answers a malformed body
        }
        if (!json.to) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: '(#100) The parameter to is required.', type: 'OAuthException', code: 100 } }));
          return;
        }
        sends.push({ provider: 'meta', to: json.to, text: json.text?.body ?? `(${json.type ?? 'message'})`, at });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: json.to, wa_id: json.to.replace(/^\+/, '') }], messages: [{ id: `wamid.${randomBytes(24).toString('base64url')}` }] }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `the demo provider serves only Twilio's and Meta's send APIs, not ${req.method} ${path}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sends,
    env: { PROVIDER_BASE_URL_TWILIO: url, PROVIDER_BASE_URL_META: url },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
