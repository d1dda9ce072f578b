/**
 * The document client for a store on loopback (the local engine's dynoxide): lib-dynamodb's commands, marshalled by
 * lib-dynamodb's own rules, sent through a low-level client that resolves each command's middleware once.
 *
 * Why: the document client adds its marshalling to every command it sends, so the SDK resolves (clones and sorts)
 * the whole middleware stack again for every request; at intake that was 7.5% of the consumer thread's CPU here. The
 * SDK's `cacheMiddleware` resolves each command class once, but lib-dynamodb refuses it. So this client marshals in
 * one middleware of the client's own stack, at the serialize step (after every initialize-step middleware, which
 * still sees the document form, as with lib-dynamodb), with the key tables lib-dynamodb's commands carry, and sends
 * with the cache on.
 *
 * Only towards loopback: a resolved handler shares one context between its requests, which a client towards AWS
 * (endpoints chosen from the request's own table, with account-based endpoints) must not do. A middleware added to
 * or removed from the stack later (a test's) drops the cached handlers, as the SDK itself does when it cannot cache.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall, type marshallOptions } from '@aws-sdk/util-dynamodb';

/** What the store modules use of a document client. */
export type DocumentStore = Pick<DynamoDBDocumentClient, 'send' | 'middlewareStack'>;

/** lib-dynamodb's key table: which members of an input or output are attribute values (see `walk`). */
type KeyNodes = { [key: string]: KeyNodes } | KeyNodes[] | null;

interface DocumentCommand {
  input: object;
  inputKeyNodes: KeyNodes;
  outputKeyNodes: KeyNodes;
  clientCommand: object;
}

const DOCUMENT_COMMANDS = [GetCommand, PutCommand, UpdateCommand, DeleteCommand, QueryCommand, ScanCommand, BatchGetCommand, BatchWriteCommand, TransactWriteCommand, TransactGetCommand];

/**
 * The key tables of each low-level command class, read from an instance of the document command that wraps it:
 * lib-dynamodb's own tables, not a copy of them. Keyed by the class, which a minifier may rename.
 */
function keyTables(): Map<unknown, { input: KeyNodes; output: KeyNodes }> {
  const tables = new Map<unknown, { input: KeyNodes; output: KeyNodes }>();
  for (const Command of DOCUMENT_COMMANDS) {
    const command = new Command({} as never) as unknown as DocumentCommand;
    tables.set(command.clientCommand.constructor, { input: command.inputKeyNodes, output: command.outputKeyNodes });
  }
  return tables;
}

/** An object's members that are not functions (lib-dynamodb drops functions). */
const entries = (v: object) => Object.entries(v).filter(([, m]) => typeof m !== 'function');

/**
 * Applies `convert` to the members `nodes` names, as lib-dynamodb does: `null` is the value itself; `{}` or `[]` is
 * every member of it; `{ '*': n }` is every member, each walked with `n`; other keys are those members, walked with
 * their own nodes, the rest copied as they are. Functions are dropped.
 */
function walk(value: unknown, nodes: KeyNodes, convert: (v: unknown) => unknown): unknown {
  if (value === undefined) return undefined;
  if (nodes === null) return convert(value);
  const keys = Object.keys(nodes);
  if (keys.length === 0) {
    if (Array.isArray(value)) return value.filter((m) => typeof m !== 'function').map((m) => walk(m, null, convert));
    return Object.fromEntries(entries(value as object).map(([k, m]) => [k, walk(m, null, convert)]).filter(([, m]) => m !== undefined));
  }
  if (keys.length === 1 && keys[0] === '*') {
    const each = (nodes as Record<string, KeyNodes>)['*']!;
    const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    for (const [k, m] of entries(value as object)) (out as Record<string, unknown>)[k] = walk(m, each, convert);
    return out;
  }
  const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? value.filter((m) => typeof m !== 'function') : Object.fromEntries(entries(value as object));
  for (const [k, n] of Object.entries(nodes as Record<string, KeyNodes>)) {
    const member = (value as Record<string, unknown>)[k];
    if (typeof member === 'function') continue;
    const converted = walk(member, n, convert);
    if (converted !== undefined) (out as Record<string, unknown>)[k] = converted;
  }
  return out;
}

/** A document client over `client` (built for a loopback endpoint), with the marshalling options of lib-dynamodb's. */
export function leanDocumentClient(client: DynamoDBClient, options: { marshallOptions: marshallOptions }): DocumentStore {
  const toAttribute = { ...options.marshallOptions, convertTopLevelContainer: true };
  const tables = keyTables();
  client.config.cacheMiddleware = true;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // The command being sent (with the cache, the first of its class: the class is what matters here).
      const instance = (context as { __smithy_context?: { commandInstance?: object } }).__smithy_context?.commandInstance;
      const table = instance && tables.get(instance.constructor);
      if (!table) return next(args);
      const result = await next({ ...args, input: walk(args.input, table.input, (v) => marshall(v as never, toAttribute)) as typeof args.input });
      return { ...result, output: walk(result.output, table.output, (v) => unmarshall(v as never, { convertWithoutMapWrapper: true } as never)) as never };
    },
    { step: 'serialize', priority: 'high', name: 'leanDocumentMarshall' },
  );
  const stack = client.middlewareStack as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['add', 'addRelativeTo', 'remove', 'removeByTag', 'use'] as const) {
    const original = stack[method]!.bind(stack);
    stack[method] = (...args: unknown[]) => {
      delete (client as unknown as { handlers?: unknown }).handlers;
      return original(...args);
    };
  }
  return {
    middlewareStack: client.middlewareStack as DocumentStore['middlewareStack'],
    send: ((command: DocumentCommand) => {
      const Low = command.clientCommand.constructor as new (input: object) => Parameters<DynamoDBClient['send']>[0];
      return client.send(new Low(command.input));
    }) as unknown as DocumentStore['send'],
  };
}
