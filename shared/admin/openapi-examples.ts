/**
 * Example request bodies for the OpenAPI document, by request schema name: what a client would send. The document
 * test validates each against its schema, so an example cannot drift from what the API accepts.
 */
const LIST = '01JB7ZK0A1B2C3D4E5F6G7H8J9';
const QUEUE = '01JB7ZM0A1B2C3D4E5F6G7H8J9';
const AGENT = '01JB7ZP3C4B5N6M7Q8R9S0T1V2';
const CANNED = '01JB7ZN0A1B2C3D4E5F6G7H8J9';
const ACCOUNT = '01JB7ZQ5M8RS3Y1X9V2K4T6W0A';
const TEMPLATE = '01JB7ZV0A1B2C3D4E5F6G7H8J9';

export const REQUEST_EXAMPLES: Record<string, Record<string, unknown> | undefined> = {
  ReplyPreview: { italian: { text: 'Your order ships tomorrow.', language: 'it' } },
  Assist: { retrieval: { limit: 3, mode: 'retrieval' } },
  KnowledgeCreate: { handbook: { name: 'Handbook', format: 'markdown', text: '## Returns\n\nYou can return an item within 30 days.' } },
  Login: { admin: { username: 'admin', password: 'Admin-Pass1!' } },
  Invitation: { setPassword: { token: 'the token from the invitation link', password: 'New-Pass1!' } },
  Ids: { twoIds: { ids: [AGENT, '01JB7ZP3C4B5N6M7Q8R9S0T1V3'] } },
  AccountCreate: {
    twilioSms: {
      channel: 'sms',
      name: 'Support',
      key: 'SUP',
      type: 'twilio',
      phone: '+14155550100',
      listId: LIST,
      credentials: { accountSid: 'AC00000000000000000000000000000000', authToken: 'your-auth-token' },
      settings: { routing: [{ type: 'queue', queueId: QUEUE, timeoutSeconds: 300 }] },
    },
    metaWhatsApp: {
      channel: 'whatsapp',
      name: 'WhatsApp support',
      key: 'WA1',
      type: 'meta',
      phone: '+393331234567',
      listId: LIST,
      credentials: { wabaId: '102290129340398', accessToken: 'EAAG...', appId: '1234567890', appSecret: 'app-secret', phoneNumberId: '106540352242922' },
      settings: { waitForAgentSeconds: 20, inactivityTimeoutMinutes: 60, routing: [{ type: 'queue', queueId: QUEUE, timeoutSeconds: 120 }, { type: 'autoreply', text: 'All our agents are busy: we will answer soon.' }] },
    },
  },
  AccountPatch: { rotateToken: { credentials: { authToken: 'the-new-auth-token' } }, rename: { name: 'Support EU' } },
  Whitelist: { oneList: { listIds: [LIST] } },
  AgentCreate: { agent: { username: 'ada', fullName: 'Ada Agent', role: 'agent', password: 'Ada-Pass1!', capacity: { sms: 3, whatsapp: 2 } } },
  AgentPatch: { lock: { locked: true }, capacity: { capacity: { sms: 5, whatsapp: 5 } } },
  QueueCreate: { ringAll: { name: 'Support', strategy: 'ring-all' }, roundRobin: { name: 'Sales', strategy: 'round-robin', offerTimeoutSeconds: 20 } },
  QueuePatch: { strategy: { strategy: 'fewest-handled' } },
  ListCreate: { customers: { name: 'Customers' } },
  ListPatch: { rename: { name: 'VIP customers' } },
  ContactCreate: { contact: { phone: '+393331234567', firstName: 'Maria', lastName: 'Rossi', email: 'maria@example.com' } },
  ContactPatch: { email: { email: 'maria.rossi@example.com' } },
  DispositionCreate: { solved: { name: 'Solved' } },
  DispositionPatch: { rename: { name: 'Solved at first contact' } },
  CannedAnswerCreate: { greeting: { name: 'Greeting', text: 'Hello, how can I help you?' } },
  CannedAnswerPatch: { text: { text: 'Hello! How can I help you today?' } },
  Reply: {
    text: { text: 'Your parcel leaves today.' },
    media: { text: 'Here is the invoice', media: [{ url: 'https://example.com/invoice.pdf', contentType: 'application/pdf', filename: 'invoice.pdf' }] },
  },
  TeamCreate: { team: { name: 'Night shift' } },
  TeamPatch: { rename: { name: 'Weekend shift' } },
  InteractionSearch: { openVip: { match: 'all', conditions: [{ field: 'status', operator: 'equals', value: 'open' }, { field: 'tags', operator: 'contains', value: 'vip' }] } },
  AccountSearch: { whatsapp: { match: 'all', conditions: [{ field: 'channel', operator: 'equals', value: 'whatsapp' }] } },
  AgentSearch: { supervisors: { match: 'all', conditions: [{ field: 'role', operator: 'equals', value: 'supervisor' }] } },
  ContactSearch: { rossi: { match: 'any', conditions: [{ field: 'lastName', operator: 'equals', value: 'Rossi' }] } },
  InteractionIds: { ids: { ids: ['01JB7ZR2D5N8QF0H3G6J9K2M4P'] } },
  Note: { note: { text: 'Called back, waiting for the courier.' } },
  Presence: { online: { status: 'online' }, paused: { status: 'paused', reason: 'Lunch' } },
  Template: { recontact: { name: 'recontact_v1', language: 'en_US', parameters: ['Maria'] } },
  Canned: { greeting: { cannedAnswerId: CANNED } },
  Close: { solved: { disposition: 'Solved' } },
  Transfer: { toQueue: { queueId: QUEUE }, toAgent: { agentId: AGENT } },
  Tags: { vip: { tags: ['vip', 'refund'] } },
  AgentNote: { note: { text: 'Customer prefers WhatsApp.' } },
  WhatsAppTemplateCreate: {
    positional: {
      accountId: ACCOUNT,
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      parameterFormat: 'POSITIONAL',
      components: [
        { type: 'BODY', text: 'Hello {{1}}, your order {{2}} has shipped.', examples: ['Maria', '4711'] },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
      ],
    },
  },
  WhatsAppCampaignCreate: {
    christmas: {
      accountId: ACCOUNT,
      name: 'Christmas offer',
      templateId: TEMPLATE,
      listIds: [LIST],
      parameters: { '1': { field: 'firstName' }, '2': { value: 'XMAS24' } },
      schedule: { startAt: '2026-12-20T09:00:00+01:00', window: { from: '09:00', to: '18:00', timeZone: 'Europe/Rome', days: [1, 2, 3, 4, 5] } },
      ratePerSecond: 50,
    },
  },
  WhatsAppCampaignPatch: { slower: { ratePerSecond: 20 } },
  InteractionExport: { byIds: { ids: ['01JB7ZR2D5N8QF0H3G6J9K2M4P'] }, bySearch: { search: { match: 'all', conditions: [{ field: 'status', operator: 'equals', value: 'closed' }] } } },
  ExportJob: { transcripts: { kind: 'transcripts', ids: ['01JB7ZR2D5N8QF0H3G6J9K2M4P'], attachments: true } },
  Transcripts: { two: { ids: ['01JB7ZR2D5N8QF0H3G6J9K2M4P', '01JB7ZR2D5N8QF0H3G6J9K2M4Q'], attachments: false } },
};
