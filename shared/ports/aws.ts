/** Static credentials for local stand-ins (dynoxide, the local SQS and @connections endpoints ignore signatures). */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
