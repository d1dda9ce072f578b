/**
 * The one error hierarchy. Domain code throws these; the HTTP error middleware maps them to status codes
 * and to the body `{ error: { code, message, details: [{ path, message }] } }`. Anything else is a 500.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed; `details` names every offending field. */
export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(400, 'VALIDATION_FAILED', message, details);
  }
}

/** 400: a provider payload could not be parsed into events. */
export class PayloadError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(400, 'BAD_PAYLOAD', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'your role does not allow this') {
    super(403, 'FORBIDDEN', message);
  }
}

/** 403 for a webhook whose provider signature does not match. */
export class SignatureError extends AppError {
  constructor(message: string) {
    super(403, 'BAD_SIGNATURE', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}

/** 409: a unique value (account key, username, ...) is already taken. */
export class KeyTakenError extends AppError {
  constructor(field: string, value: string) {
    super(409, 'TAKEN', `${field} '${value}' is already taken`, [{ path: field, message: 'already taken' }]);
  }
}

/** 409: the item is in use or in a state that forbids the change. */
export class ConflictError extends AppError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super(409, code, message, details);
  }
}

/** 409: a version-guarded write lost a race. Consumers treat it as "someone else already acted". */
export class StaleVersionError extends AppError {
  constructor(what: string) {
    super(409, 'STALE_VERSION', `${what} changed meanwhile`);
  }
}

/** 429: too many login attempts from here; the answer is the same whatever the password, with `Retry-After`. */
export class TooManyAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'TOO_MANY_ATTEMPTS', 'too many login attempts; wait and try again');
  }
}

export class LockedError extends AppError {
  constructor(message = 'this user is locked or disabled') {
    super(423, 'LOCKED', message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `the body exceeds ${limit} bytes`);
  }
}
