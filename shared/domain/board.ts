/** The live board's shape (shared/routing/board.ts builds it; the console's board page draws it). */
export interface Figures {
  waiting: number;
  longestWaitSeconds: number;
  offered: number;
  inProgress: number;
  closedToday: number;
  acceptedToday: number;
  averageWaitToAcceptSeconds: number | null;
  averageHandleSeconds: number | null;
  /** The share (0 to 1) of today's accepts within `serviceLevelSeconds` of entering the queue; null before any. */
  serviceLevel: number | null;
}

export interface Board {
  at: string;
  day: string;
  serviceLevelSeconds: number;
  accounts: (Figures & { accountId: string; name: string; channel: string })[];
  queues: (Figures & { queueId: string; name: string; strategy: string })[];
  agents: {
    agentId: string;
    username: string;
    fullName: string;
    presence: string;
    reason?: string;
    load: { sms: number; whatsapp: number };
    capacity: { sms: number; whatsapp: number };
    handledToday: number;
  }[];
}
