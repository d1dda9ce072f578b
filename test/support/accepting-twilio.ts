/**
 * A fake Twilio on loopback that accepts every send (201 with a fresh message sid), for tests whose replies must go
 * somewhere but whose subject is not the provider. It sets PROVIDER_BASE_URL_TWILIO for the engine the test starts
 * and closes with the test file. Tests about what Twilio receives use test/support/fake-providers.ts instead.
 */
import { createServer, type Server } from 'node:http';

export function useAcceptingTwilio(): void {
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, status: 'queued' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    process.env.PROVIDER_BASE_URL_TWILIO = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
}
