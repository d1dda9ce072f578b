/**
 * The agent's side of outbound: reply, template, canned answer and video call. Each checks the WhatsApp window
 * before anything is written, writes the message item (`pending`, id = ULID = correlation id) under the interaction
 * and puts a `send` job on the outbound queue; the sender does the rest. The agent API calls these and maps the
 * AppErrors they throw (WINDOW_CLOSED 409 with the recontact template offer, NOT_FOUND, VALIDATION_FAILED).
 */
import Mustache from 'mustache';
import { ulid } from '../ids';
import { accountVideoApiKey } from '../admin/account-credentials';
import { config } from '../config';
import { AppError, ConflictError, NotFoundError } from '../errors';
import { now, nowIso } from '../ports/clock';
import { sendMessage } from '../ports/queue';
import { getAgent } from '../store/agents';
import { requireAccount, type Account } from '../store/accounts';
import { getCatalogItem } from '../store/catalog';
import { getContact } from '../store/lists';
import {
  getInteractionForOutbound,
  insertOutboundMessage,
  markFailed,
  type InteractionForOutbound,
  type OutboundKind,
  type OutboundMessageItem,
  type OutboundTemplate,
} from '../store/outbound';
import * as z from 'zod/mini';
import { parseInput } from '../validation';
import { mediaRefsOf, renderParts, type ContentPart, type OutboundPart } from '../domain/content';
import { requireSendable } from './content';
import { replyBodySchema, templateSchema } from './reply-schema';
import { correlationRef } from './correlation';
import type { SendJob } from './messages';
import { storedTemplateSend, recontactAvailability } from './stored-template';
import { hasRecontact, windowClosedError, windowRefuses } from './window';

const id = z.string().check(z.minLength(1), z.maxLength(128));
const target = { accountId: id, interactionId: id, agentId: id };

export const replyInputSchema = z.object({ ...target, ...replyBodySchema.shape }).check(
  z.refine((r) => Boolean(r.text?.trim()) || (r.media?.length ?? 0) > 0 || (r.parts?.length ?? 0) > 0, {
    message: 'text, media or parts is required',
    path: ['text'],
  }),
);
export const templateInputSchema = z.object({ ...target, template: templateSchema });
export const cannedInputSchema = z
  .object({
    ...target,
    cannedAnswerId: z.optional(id),
    text: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  })
  .check(
    z.refine((r) => r.cannedAnswerId !== undefined || r.text !== undefined, {
      message: 'cannedAnswerId or text is required',
      path: ['cannedAnswerId'],
    }),
  );
export const videoInputSchema = z.object(target);

export type ReplyInput = z.input<typeof replyInputSchema>;
export type TemplateInput = z.input<typeof templateInputSchema>;
export type CannedInput = z.input<typeof cannedInputSchema>;
export type VideoInput = z.input<typeof videoInputSchema>;

interface Context {
  account: Account;
  interaction: InteractionForOutbound;
}

async function load(accountId: string, interactionId: string): Promise<Context> {
  const account = await requireAccount(accountId);
  const interaction = await getInteractionForOutbound(interactionId);
  if (!interaction || interaction.accountId !== accountId) throw new NotFoundError(`interaction ${interactionId}`);
  return { account, interaction };
}

/** Refuses free text outside the WhatsApp window, before anything is written or sent, offering the recontact template. */
async function checkWindow({ account, interaction }: Context, isTemplate: boolean): Promise<void> {
  if (!windowRefuses(interaction, isTemplate, now())) return;
  const recontact = hasRecontact(account.type) ? await recontactAvailability(account.id, account.settings.recontactTemplate) : {};
  throw windowClosedError(interaction, recontact);
}

async function writeAndQueue(
  { account, interaction }: Context,
  fields: {
    kind: OutboundKind;
    agentId: string;
    text: string;
    media?: OutboundMessageItem['media'];
    parts?: ContentPart[];
    template?: OutboundTemplate;
    original?: OutboundMessageItem['original'];
  },
): Promise<OutboundMessageItem> {
  const message: OutboundMessageItem = {
    interactionId: interaction.id,
    id: ulid(),
    accountId: account.id,
    direction: 'out',
    kind: fields.kind,
    to: interaction.contactPhone,
    text: fields.text,
    media: fields.media ?? [],
    ...(fields.parts ? { parts: fields.parts } : {}),
    ...(fields.template ? { template: fields.template } : {}),
    ...(fields.original ? { original: fields.original } : {}),
    agentId: fields.agentId,
    status: 'pending',
    createdAt: nowIso(),
    attempts: 0,
  };
  await insertOutboundMessage(message, correlationRef(account.type, message.id));
  const job: SendJob = {
    kind: 'send',
    accountId: account.id,
    interactionId: interaction.id,
    messageId: message.id,
    attempt: 0,
  };
  try {
    await sendMessage('outbound', { body: JSON.stringify(job) });
  } catch (error) {
    // Not queued means never sent: say so on the message rather than leave it pending for ever.
    await markFailed(message, 'PROVIDER_ERROR', 'the message could not be queued for sending', nowIso()).catch(
      () => undefined,
    );
    throw error;
  }
  return message;
}

/** A reply's parts in order, each with the request field it came from (for the error that names it). */
function replyParts(req: z.infer<typeof replyInputSchema>): { part: OutboundPart; path: string }[] {
  return [
    ...(req.text?.trim() ? [{ part: { type: 'text' as const, text: req.text }, path: 'text' }] : []),
    ...(req.media ?? []).map((m, i) => ({ part: { type: 'media' as const, ...m }, path: `media.${i}` })),
    ...(req.parts ?? []).map((part, i) => ({ part, path: `parts.${i}` })),
  ];
}

/** `original`: a translated reply keeps what the agent wrote; the text (what the customer receives) is the translation. */
export async function queueReply(input: ReplyInput, original?: OutboundMessageItem['original']): Promise<OutboundMessageItem> {
  const req = parseInput(replyInputSchema, input, 'reply');
  const ctx = await load(req.accountId, req.interactionId);
  const parts = replyParts(req);
  requireSendable(ctx.account, parts);
  await checkWindow(ctx, false);
  const content = parts.map((p) => p.part);
  return writeAndQueue(ctx, {
    kind: 'reply',
    agentId: req.agentId,
    text: renderParts(content),
    media: mediaRefsOf(content),
    parts: content,
    ...(original ? { original } : {}),
  });
}

export async function queueTemplate(input: TemplateInput): Promise<OutboundMessageItem> {
  const req = parseInput(templateInputSchema, input, 'template');
  const ctx = await load(req.accountId, req.interactionId);
  // As the account's stored template says (language, parameters); its recontact template only while APPROVED.
  const { template, text } = await storedTemplateSend(ctx.account, req.template);
  return writeAndQueue(ctx, { kind: 'template', agentId: req.agentId, text, template });
}

/** The variables a canned answer may use: {{contact.*}}, {{agent.*}}, {{account.*}}. */
export async function cannedVariables(
  { account, interaction }: Context,
  agentId: string,
): Promise<Record<string, unknown>> {
  const contact =
    interaction.listId && interaction.contactId
      ? await getContact(interaction.listId, interaction.contactId)
      : undefined;
  const agent = await getAgent(agentId);
  return {
    contact: {
      ...(contact?.fields ?? {}),
      phone: contact?.phone ?? interaction.contactPhone,
      mobile: contact?.phone ?? interaction.contactPhone,
      firstName: contact?.firstName,
      lastName: contact?.lastName,
      email: contact?.email,
    },
    agent: agent
      ? {
          id: agent.id,
          username: agent.username,
          fullName: agent.fullName,
          name: agent.fullName,
          alias: agent.alias,
          email: agent.email,
          extension: agent.extension,
        }
      : { id: agentId },
    account: { id: account.id, name: account.name, key: account.key, phone: account.phone, channel: account.channel },
  };
}

/** Plain text out: mustache's HTML escaping would turn "&" into "&amp;" on the customer's phone. */
export function renderCanned(text: string, variables: Record<string, unknown>): string {
  return Mustache.render(text, variables, undefined, { escape: (value: unknown) => String(value) });
}

export async function queueCanned(input: CannedInput): Promise<OutboundMessageItem> {
  const req = parseInput(cannedInputSchema, input, 'canned');
  const ctx = await load(req.accountId, req.interactionId);
  await checkWindow(ctx, false);
  let text = req.text;
  if (req.cannedAnswerId !== undefined) {
    // The account's own answers first, then the general ones.
    const canned =
      (await getCatalogItem('canned', { accountId: req.accountId }, req.cannedAnswerId)) ??
      (await getCatalogItem('canned', {}, req.cannedAnswerId));
    if (!canned) throw new NotFoundError(`canned answer ${req.cannedAnswerId}`);
    text = canned.text;
  }
  const rendered = renderCanned(text ?? '', await cannedVariables(ctx, req.agentId)).trim();
  if (!rendered) throw new ConflictError('EMPTY_MESSAGE', 'the canned answer renders to an empty message');
  return writeAndQueue(ctx, { kind: 'canned', agentId: req.agentId, text: rendered });
}

export const VIDAOO_DEFAULT_BASE_URL = 'https://api.vidaoo.com';
const VIDEO_TIMEOUT_MS = 10_000;

/**
 * Creates a meeting through the account's Vidaoo settings. No public reference of Vidaoo's API was found, so the
 * call is our own minimal contract, aimed at `PROVIDER_BASE_URL_VIDAOO`: `POST {base}/v1/meetings` with
 * `x-api-key: <apiKey>` and JSON `{ topic, note, metadata, reference }`, answered 2xx with the join link in
 * `link`, `url`, `joinUrl` or `meetingUrl` (top level or under `data`) and an optional `id`.
 */
async function createMeeting(
  account: Account,
  apiKey: string,
  reference: string,
): Promise<{ link: string; meetingId?: string }> {
  const video = account.settings.video;
  const base = (config.providerBaseUrls.vidaoo ?? VIDAOO_DEFAULT_BASE_URL).replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/v1/meetings`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        topic: video.topic,
        ...(video.note ? { note: video.note } : {}),
        ...(video.metadata ? { metadata: JSON.parse(video.metadata) as unknown } : {}),
        reference,
      }),
      signal: AbortSignal.timeout(VIDEO_TIMEOUT_MS),
    });
  } catch (error) {
    throw new AppError(502, 'VIDEO_PROVIDER_ERROR', `the video provider did not answer: ${(error as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok)
    throw new AppError(
      502,
      'VIDEO_PROVIDER_ERROR',
      `the video provider answered HTTP ${res.status}: ${text.slice(0, 200)}`,
    );
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  const scopes = [body, (body.data ?? {}) as Record<string, unknown>];
  const link = scopes
    .flatMap((s) => [s.link, s.url, s.joinUrl, s.meetingUrl])
    .find((v): v is string => typeof v === 'string' && /^https?:\/\//.test(v));
  if (!link) throw new AppError(502, 'VIDEO_PROVIDER_ERROR', 'the video provider answered without a meeting link');
  const meetingId = scopes.map((s) => s.id).find((v) => typeof v === 'string' || typeof v === 'number');
  return { link, ...(meetingId !== undefined ? { meetingId: String(meetingId) } : {}) };
}

/** Starts a video call: the meeting link goes to the customer as a reply and comes back to the agent. */
export async function startVideoCall(
  input: VideoInput,
): Promise<{ link: string; meetingId?: string; message: OutboundMessageItem }> {
  const req = parseInput(videoInputSchema, input, 'video');
  const ctx = await load(req.accountId, req.interactionId);
  const video = ctx.account.settings.video;
  if (!video.enabled) throw new ConflictError('VIDEO_DISABLED', 'video calls are not enabled on this account');
  // The link is free text: check the window before a meeting is created for nothing.
  await checkWindow(ctx, false);
  const apiKey = await accountVideoApiKey(ctx.account);
  if (!apiKey) throw new ConflictError('VIDEO_NOT_CONFIGURED', 'the account has no video API key');
  const meeting = await createMeeting(ctx.account, apiKey, req.interactionId);
  const text = video.topic ? `${video.topic}: ${meeting.link}` : meeting.link;
  const message = await writeAndQueue(ctx, { kind: 'video', agentId: req.agentId, text });
  return { ...meeting, message };
}
