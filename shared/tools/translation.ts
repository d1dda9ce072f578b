/**
 * Translation use cases: a message translated on demand or as it arrives, a reply translated before it is sent.
 * Only the provider the account enabled ever sees its text; every provider call is audited (who, which interaction,
 * which provider, never the text). A failure never holds a message back: it is delivered untranslated and the
 * account's agents are told (`message.translation-failed`).
 */
import { AppError, ConflictError, NotFoundError } from '../errors';
import { log } from '../logger';
import { accountGoogleTranslateKey } from '../admin/account-credentials';
import { toolsOf } from '../admin/tools-schema';
import type { Interaction, Message, MessageTranslation } from '../domain/interaction';
import { nowIso } from '../ports/clock';
import { awsTranslator, googleTranslator, TranslationFailed, type TranslationResult, type Translator } from '../ports/translator';
import { notifyAccount } from '../realtime/notify';
import type { Account } from '../store/accounts';
import { recordAudit, type AuditActor } from '../store/audit';
import { getMessage, listMessages, setMessageTranslation } from '../store/interactions';

export interface ToolCaller {
  actor: AuditActor;
  ip?: string;
  requestId?: string;
}

const SYSTEM: ToolCaller = { actor: { id: 'system:auto-translation', role: 'system' } };

/** 502: the provider did not translate; the text is unchanged and nothing was stored. */
export class TranslationUnavailableError extends AppError {
  constructor(reason: string) {
    super(502, 'TRANSLATION_FAILED', reason);
  }
}

/** The account's translator, or a 409 when the account has not enabled translation (nothing is sent anywhere). */
export async function translatorOf(account: Account): Promise<Translator> {
  const settings = toolsOf(account.settings).translation;
  if (!settings.enabled) throw new ConflictError('TRANSLATION_DISABLED', 'translation is not enabled for this account');
  if (settings.provider === 'aws') return awsTranslator;
  const apiKey = await accountGoogleTranslateKey(account);
  if (!settings.google || !apiKey) throw new ConflictError('TRANSLATION_NOT_CONFIGURED', 'the account has no Google project and API key');
  return googleTranslator(settings.google.projectId, apiKey);
}

/** The language an agent works in: its override on the account, else the account's. */
export function agentLanguage(account: Account, agentId: string | undefined): string {
  const settings = toolsOf(account.settings).translation;
  return (agentId && settings.agentLanguages[agentId]) || settings.language;
}

async function audited<T>(
  caller: ToolCaller,
  action: string,
  interaction: Interaction,
  provider: string,
  details: Record<string, unknown>,
  call: () => Promise<T>,
): Promise<T> {
  const row = {
    actor: caller.actor,
    action,
    targetType: 'interaction',
    targetIds: [interaction.id],
    ...(caller.ip ? { ip: caller.ip } : {}),
    ...(caller.requestId ? { requestId: caller.requestId } : {}),
  };
  try {
    const result = await call();
    await recordAudit({ ...row, outcome: 'ok', details: { accountId: interaction.accountId, provider, ...details } });
    return result;
  } catch (error) {
    await recordAudit({ ...row, outcome: 'failed', details: { accountId: interaction.accountId, provider, ...details, reason: (error as Error).message } });
    throw error;
  }
}

async function translateAndStore(account: Account, interaction: Interaction, message: Message, caller: ToolCaller, agentId?: string): Promise<MessageTranslation> {
  const translator = await translatorOf(account);
  const targetLanguage = agentLanguage(account, agentId ?? interaction.agentId);
  const result = await audited(caller, 'interaction.translate', interaction, translator.provider, { messageId: message.id, targetLanguage }, () =>
    translator.translate({ text: message.text, targetLanguage }),
  );
  const translation: MessageTranslation = {
    text: result.text,
    sourceLanguage: result.sourceLanguage,
    targetLanguage: result.targetLanguage,
    provider: translator.provider,
    at: nowIso(),
    ...(agentId ? { agentId } : {}),
  };
  if (!(await setMessageTranslation(interaction.id, message.id, translation))) throw new NotFoundError(`message ${message.id}`);
  await notifyAccount(interaction.accountId, {
    type: 'message.translated',
    accountId: interaction.accountId,
    interactionId: interaction.id,
    messageId: message.id,
    messageText: message.text,
    translation,
  });
  return translation;
}

/** POST .../messages/{messageId}/translate: the message with its translation stored beside the original. */
export async function translateMessage(account: Account, interaction: Interaction, messageId: string, caller: ToolCaller & { agentId: string }): Promise<Message> {
  const message = /^[0-9A-Z]{26}$/.test(messageId) ? await getMessage(interaction.id, `MSG#${messageId}`) : undefined;
  if (!message) throw new NotFoundError(`message ${messageId}`);
  if (!message.text.trim()) throw new ConflictError('NOTHING_TO_TRANSLATE', 'the message has no text');
  try {
    const translation = await translateAndStore(account, interaction, message, caller, caller.agentId);
    return { ...message, translation };
  } catch (error) {
    if (error instanceof TranslationFailed) throw new TranslationUnavailableError(error.message);
    throw error;
  }
}

/**
 * After an incoming message is stored and routed: the account's automatic translation. It never throws, so the queue
 * record is never retried for it and delivery never waits on it; a failure tells the account's agents.
 */
export async function autoTranslate(account: Account, interaction: Interaction, message: Message): Promise<void> {
  const settings = toolsOf(account.settings).translation;
  if (!settings.enabled || !settings.auto || message.direction !== 'in' || message.translation || !message.text.trim()) return;
  try {
    await translateAndStore(account, interaction, message, SYSTEM);
  } catch (error) {
    log.warn('automatic translation failed; the message stays untranslated', { interactionId: interaction.id, messageId: message.id, reason: (error as Error).message });
    await notifyAccount(interaction.accountId, {
      type: 'message.translation-failed',
      accountId: interaction.accountId,
      interactionId: interaction.id,
      messageId: message.id,
      provider: settings.provider,
      reason: error instanceof TranslationFailed ? error.message : 'translation failed',
    }).catch(() => undefined);
  }
}

/** The customer's language: given, or what the provider detected on their latest translated message. */
async function customerLanguage(interaction: Interaction, given: string | undefined): Promise<string> {
  if (given) return given;
  const messages = await listMessages(interaction.id);
  const latest = messages.filter((m) => m.direction === 'in' && m.translation).at(-1);
  if (!latest?.translation) {
    throw new ConflictError('CUSTOMER_LANGUAGE_UNKNOWN', "the customer's language is not known yet: translate one of their messages or give language", [
      { path: 'body.language', message: 'required until a customer message has been translated' },
    ]);
  }
  return latest.translation.sourceLanguage;
}

export interface ReplyTranslation {
  /** What the agent wrote, in its language. */
  original: { text: string; language: string };
  /** What the customer receives. */
  translation: TranslationResult & { provider: 'aws' | 'google' };
}

/** An agent's reply in the customer's language (a preview, or the text a `translate: true` reply sends). */
export async function translateReply(account: Account, interaction: Interaction, text: string, language: string | undefined, caller: ToolCaller & { agentId: string }): Promise<ReplyTranslation> {
  const translator = await translatorOf(account);
  const targetLanguage = await customerLanguage(interaction, language);
  const sourceLanguage = agentLanguage(account, caller.agentId);
  try {
    const result = await audited(caller, 'interaction.translate-reply', interaction, translator.provider, { targetLanguage }, () =>
      translator.translate({ text, targetLanguage, sourceLanguage }),
    );
    return { original: { text, language: sourceLanguage }, translation: { ...result, provider: translator.provider } };
  } catch (error) {
    if (error instanceof TranslationFailed) throw new TranslationUnavailableError(error.message);
    throw error;
  }
}
