/**
 * The providers' receive URL: `/webhooks/{accountId}/{token}` (and `/status`). Finds the account, checks the token
 * and the provider's own signature on the raw body and the public URL, parses the payload into events, writes
 * them to the inbound FIFO queue and only then acknowledges: nothing is acknowledged that is not durable.
 */
import { accountCredentials, receiveUrl } from '../shared/admin/account-credentials';
import { NotFoundError } from '../shared/errors';
import { requireWellFormed, toQueueMessage } from '../shared/inbound/envelope';
import { anonymousHttpApi, json, type HttpRequest, type HttpResult } from '../shared/http/edge';
import { log } from '../shared/logger';
import { now } from '../shared/ports/clock';
import { sendMessages } from '../shared/ports/queue';
import { providerFor } from '../shared/providers';
import type { AccountContext, HttpAnswer, QueuedEvent, WebhookRequest } from '../shared/providers/types';
import { safeEqual } from '../shared/providers/util';
import { getAccountCached } from '../shared/store/accounts';

/** Account ids are ULIDs: anything else cannot name an account, and must not reach the store as a key. */
const ACCOUNT_ID = /^[0-9A-Za-z]{1,64}$/;

const answer = (a: HttpAnswer): HttpResult => ({ statusCode: a.statusCode, headers: a.headers ?? {}, body: a.body ?? '' });

/**
 * When the gateway received the request (API Gateway's `requestContext.timeEpoch`; the local gateway sets it on
 * arrival), on the clock port's time line. Taken before any store read: a request that waited on a slow read is
 * still stamped before one that arrived after it and overtook it, so a contact's messages keep their arrival order.
 */
function arrivalIso(req: HttpRequest): string {
  const epoch = req.event.requestContext.timeEpoch;
  const waited = typeof epoch === 'number' && Number.isFinite(epoch) ? Math.max(0, Date.now() - epoch) : 0;
  return new Date(now() - waited).toISOString();
}

async function receive(req: HttpRequest, endpoint: WebhookRequest['endpoint']): Promise<HttpResult> {
  const receivedAt = arrivalIso(req);
  const { accountId = '', token = '' } = req.params;
  const account = ACCOUNT_ID.test(accountId) ? await getAccountCached(accountId) : undefined;
  // An unknown account and a wrong token look the same from outside.
  if (!account || !safeEqual(token, account.proxyToken)) throw new NotFoundError('webhook');

  const provider = providerFor(account.type);
  const credentials = await accountCredentials(account);
  const context: AccountContext = { id: account.id, channel: account.channel, phone: account.phone, proxyToken: account.proxyToken };
  const query = req.event.rawQueryString;
  const webhook: WebhookRequest = {
    method: req.event.requestContext.http.method === 'GET' ? 'GET' : 'POST',
    // The public URL the provider signed, never the Host header a proxy or API Gateway rewrote.
    url: `${receiveUrl(account)}${endpoint === 'status' ? '/status' : ''}${query ? `?${query}` : ''}`,
    headers: req.headers,
    rawBody: req.rawBody,
    query: req.query,
    endpoint,
  };

  const handshake = webhook.method === 'GET' ? provider.handshake?.(webhook, credentials, context) : undefined;
  if (handshake) return answer(handshake);

  provider.verify(webhook, credentials, context, now());
  const events: QueuedEvent[] = [...provider.parse(webhook, context), ...(provider.parseTemplateEvents?.(webhook) ?? [])];
  requireWellFormed(events);

  try {
    await sendMessages('inbound', events.map((event) => toQueueMessage(account.id, event, receivedAt)));
  } catch (error) {
    // The provider retries a 5xx; acknowledging now would lose the events.
    log.error('could not enqueue inbound events', { accountId: account.id, count: events.length, error });
    return json(503, { error: { code: 'UNAVAILABLE', message: 'try again later', details: [] } }, { 'retry-after': '5' });
  }
  return answer(provider.ack(webhook));
}

export const handler = anonymousHttpApi({
  'POST /webhooks/{accountId}/{token}': (req) => receive(req, 'message'),
  'POST /webhooks/{accountId}/{token}/status': (req) => receive(req, 'status'),
  'GET /webhooks/{accountId}/{token}': (req) => receive(req, 'message'),
  // Skebby (and any provider set to GET) may deliver its delivery reports as a GET to the status URL.
  'GET /webhooks/{accountId}/{token}/status': (req) => receive(req, 'status'),
});
