/**
 * Runs before every integration and e2e test file, before any module loads: gives the file its own table and the
 * local settings the functions read. `useTestTable()` creates the table.
 */
import { randomBytes } from 'node:crypto';

process.env.TABLE_NAME = `t-${randomBytes(6).toString('hex')}`;
process.env.STAGE = 'local';
process.env.TIMERS_ADAPTER = 'store';
process.env.TOKEN_SECRET ??= randomBytes(32).toString('base64url');
process.env.LOCAL_DATA_KEY ??= randomBytes(32).toString('base64');
process.env.LOG_LEVEL ??= 'warn';
process.env.AWS_REGION ??= 'us-east-1';
// Node 20 here, Node 22 on Lambda: the SDK's notice that it will require Node 22 from 2027 is known and noisy.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
