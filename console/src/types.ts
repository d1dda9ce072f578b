/** The message shapes the agent API returns, as the console reads them (no DOM here: pure modules and tests use them). */

export interface MessagePart {
  type: string;
  [field: string]: unknown;
}

export interface Message {
  id: string;
  interactionId: string;
  direction: 'in' | 'out';
  text: string;
  parts?: MessagePart[];
  media?: { url?: string; contentType?: string; id?: string }[];
  status: string;
  errorCode?: string;
  errorMessage?: string;
  receivedAt?: string;
  sentAt?: string;
  createdAt?: string;
  statusAt?: string;
  agentId?: string;
}
