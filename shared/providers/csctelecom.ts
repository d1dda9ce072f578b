/**
 * CSC Telecom, which XCALLY Motion offers as the "CSCTelecom" SMS account type with an "API Key" and a "Base URL"
 * (XCALLY wiki "SMS Accounts"); the Base URL suggests a per-customer or white-label host. No public specification of
 * its API exists: it speaks Switchboard's JSON contract (json-contract.ts), which the operator configures CSC Telecom,
 * or a bridge in front of it, to follow.
 */
import { jsonContractProvider, type JsonContractCredentials } from './json-contract';

export type CsctelecomCredentials = JsonContractCredentials<'apiKey'>;

export const csctelecomProvider = jsonContractProvider('csctelecom', 'apiKey');
