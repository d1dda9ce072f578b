/**
 * The answer assistant: suggested replies for the conversation so far, each with the sources it came from. By default
 * retrieval: minisearch (BM25+) over the account's knowledge (its canned answers, the general ones, the documents an
 * admin uploaded, cut into passages) ranks the passages against the customer's last messages. With the account's
 * generative mode on and BEDROCK_MODEL_ID set, Bedrock writes one reply from the best passages and says which it used.
 * Nothing is ever sent: the agent chooses.
 */
import MiniSearch from 'minisearch';
import { ConflictError } from '../errors';
import { toolsOf } from '../admin/tools-schema';
import type { Interaction, Message } from '../domain/interaction';
import { generate, generativeModel, GenerationFailed } from '../ports/generator';
import type { Account } from '../store/accounts';
import { recordAudit } from '../store/audit';
import { listCatalogItems } from '../store/catalog';
import { listMessages } from '../store/interactions';
import { listKnowledgeDocuments, type KnowledgeDocument } from '../store/knowledge';
import type { ToolCaller } from './translation';

export interface PassageSource {
  type: 'canned' | 'document';
  id: string;
  name: string;
  /** Canned answers: general or the account's own. */
  scope?: 'general' | 'account';
  /** Documents: the heading the passage sits under. */
  section?: string;
}

export interface Passage {
  id: string;
  title: string;
  text: string;
  source: PassageSource;
}

export interface Suggestion {
  text: string;
  /** Retrieval's relevance (higher is better); absent on a generated reply. */
  score?: number;
  sources: PassageSource[];
}

export interface AssistResult {
  mode: 'retrieval' | 'generative';
  modelId?: string;
  /** What the suggestions answer: the customer's last messages. */
  query: string;
  suggestions: Suggestion[];
  /** Why a generative request came back as retrieval. */
  fallback?: string;
}

const MAX_PASSAGE = 1200;
/** How many of the customer's latest messages the query is made of. */
const QUERY_MESSAGES = 3;

/** A document cut into passages: one per paragraph, under the Markdown heading it sits in. */
export function passagesOf(doc: Pick<KnowledgeDocument, 'id' | 'name' | 'format' | 'text'>): Passage[] {
  const passages: Passage[] = [];
  let section = '';
  for (const block of doc.text.split(/\r?\n\s*\r?\n/)) {
    let body = block.trim();
    if (!body) continue;
    if (doc.format === 'markdown') {
      const lines = body.split(/\r?\n/);
      const headings = lines.filter((l) => /^#{1,6}\s/.test(l));
      if (headings.length) section = headings.at(-1)!.replace(/^#{1,6}\s+/, '').trim();
      body = lines.filter((l) => !/^#{1,6}\s/.test(l)).join('\n').trim();
      if (!body) continue;
    }
    for (let start = 0; start < body.length; start += MAX_PASSAGE) {
      passages.push({
        id: `document:${doc.id}:${passages.length}`,
        title: section || doc.name,
        text: body.slice(start, start + MAX_PASSAGE),
        source: { type: 'document', id: doc.id, name: doc.name, ...(section ? { section } : {}) },
      });
    }
  }
  return passages;
}

/** The account's knowledge as the assistant settings choose it. */
export async function knowledgeOf(account: Account): Promise<Passage[]> {
  const { knowledge } = toolsOf(account.settings).assistant;
  const [general, local, documents] = await Promise.all([
    knowledge.generalCanned ? listCatalogItems('canned', {}) : [],
    knowledge.accountCanned ? listCatalogItems('canned', { accountId: account.id }) : [],
    knowledge.documents ? listKnowledgeDocuments(account.id) : [],
  ]);
  const canned = (items: typeof general, scope: 'general' | 'account'): Passage[] =>
    items.map((c) => ({ id: `canned:${c.id}`, title: c.name, text: c.text, source: { type: 'canned', id: c.id, name: c.name, scope } }));
  return [...canned(general, 'general'), ...canned(local, 'account'), ...documents.flatMap(passagesOf)];
}

/** The customer's latest messages (their translations too, so knowledge in the agents' language matches). */
export function queryOf(messages: Message[], count: number): string {
  return messages
    .filter((m) => m.direction === 'in' && m.text.trim())
    .slice(-count)
    .map((m) => [m.text, m.translation?.text].filter(Boolean).join(' '))
    .join('\n');
}

/** Passages ranked against the query, best first. */
export function rank(passages: Passage[], query: string, limit: number): { passage: Passage; score: number }[] {
  if (!query.trim() || passages.length === 0) return [];
  const index = new MiniSearch<Passage>({ fields: ['title', 'text'], idField: 'id', searchOptions: { boost: { title: 1.5 }, prefix: true, fuzzy: 0.2 } });
  index.addAll(passages);
  const byId = new Map(passages.map((p) => [p.id, p]));
  return index
    .search(query, { combineWith: 'OR' })
    .slice(0, limit)
    .map((r) => ({ passage: byId.get(String(r.id))!, score: Math.round(r.score * 1000) / 1000 }));
}

const SYSTEM_PROMPT =
  'You help a customer service agent answer a customer. Write one short reply the agent could send, using only the numbered passages. ' +
  'After the reply, on its own line, write "Sources:" and the numbers of the passages you used, like [1] [3]. If no passage answers, say so.';

/** One reply written by the model from the best passages, with the passages it says it used. */
async function generated(query: string, ranked: { passage: Passage }[]): Promise<{ suggestion: Suggestion; modelId: string }> {
  const context = ranked.map((r, i) => `[${i + 1}] ${r.passage.title}\n${r.passage.text}`).join('\n\n');
  const { text, modelId } = await generate({ system: SYSTEM_PROMPT, prompt: `Passages:\n${context}\n\nThe customer wrote:\n${query}` });
  const [reply = text, cited = ''] = text.split(/\n\s*Sources?:/i);
  const used = [...new Set([...cited.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))].filter((n) => n >= 1 && n <= ranked.length);
  return { suggestion: { text: reply.replace(/\s*\[\d+\]/g, '').trim(), sources: used.map((n) => ranked[n - 1]!.passage.source) }, modelId };
}

export async function assist(
  account: Account,
  interaction: Interaction,
  caller: ToolCaller,
  options: { limit: number; mode?: 'retrieval' | 'generative' },
): Promise<AssistResult> {
  const settings = toolsOf(account.settings).assistant;
  if (!settings.enabled) throw new ConflictError('ASSISTANT_DISABLED', 'the assistant is not enabled for this account');
  const wantsGenerative = options.mode === 'generative' || (options.mode === undefined && settings.generative && Boolean(generativeModel()));
  if (wantsGenerative && !settings.generative) {
    throw new ConflictError('GENERATIVE_DISABLED', 'generative suggestions are not enabled for this account', [{ path: 'body.mode', message: 'the account allows retrieval only' }]);
  }
  if (wantsGenerative && !generativeModel()) {
    throw new ConflictError('GENERATIVE_UNAVAILABLE', 'no generative model is configured (BEDROCK_MODEL_ID)', [{ path: 'body.mode', message: 'retrieval only here' }]);
  }
  const messages = await listMessages(interaction.id);
  const knowledge = await knowledgeOf(account);
  const want = Math.max(options.limit, wantsGenerative ? 5 : 0);
  // The customer's latest message first (what needs answering now), the last few together when it alone finds nothing.
  let query = queryOf(messages, 1);
  let ranked = rank(knowledge, query, want);
  if (ranked.length === 0) {
    query = queryOf(messages, QUERY_MESSAGES);
    ranked = rank(knowledge, query, want);
  }
  const retrieval: Suggestion[] = ranked.slice(0, options.limit).map((r) => ({ text: r.passage.text, score: r.score, sources: [r.passage.source] }));
  const row = {
    actor: caller.actor,
    action: 'interaction.assist',
    targetType: 'interaction',
    targetIds: [interaction.id],
    ...(caller.ip ? { ip: caller.ip } : {}),
    ...(caller.requestId ? { requestId: caller.requestId } : {}),
  };
  if (!wantsGenerative || ranked.length === 0) {
    await recordAudit({ ...row, details: { accountId: account.id, provider: 'local', suggestions: retrieval.length } });
    return { mode: 'retrieval', query, suggestions: retrieval, ...(wantsGenerative ? { fallback: 'no passage matched: nothing to give the model' } : {}) };
  }
  try {
    const { suggestion, modelId } = await generated(query, ranked);
    await recordAudit({ ...row, details: { accountId: account.id, provider: 'bedrock', modelId, passages: ranked.length, used: suggestion.sources.length } });
    return { mode: 'generative', modelId, query, suggestions: [suggestion, ...retrieval] };
  } catch (error) {
    const reason = error instanceof GenerationFailed ? error.message : 'generation failed';
    await recordAudit({ ...row, outcome: 'failed', details: { accountId: account.id, provider: 'bedrock', reason } });
    return { mode: 'retrieval', query, suggestions: retrieval, fallback: reason };
  }
}
