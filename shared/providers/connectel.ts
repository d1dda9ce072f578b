/**
 * Connectel, which XCALLY Motion offers as an SMS account type with a single "Auth Token" (XCALLY wiki "SMS Accounts").
 * No public specification of its API exists: it speaks Switchboard's JSON contract (json-contract.ts), which the
 * operator configures Connectel, or a bridge in front of it, to follow.
 */
import { jsonContractProvider, type JsonContractCredentials } from './json-contract';

export type ConnectelCredentials = JsonContractCredentials<'authToken'>;

export const connectelProvider = jsonContractProvider('connectel', 'authToken');
