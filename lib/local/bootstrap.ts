/**
 * First-run work of the local engine: when no admin exists, creates `admin` with SWITCHBOARD_ADMIN_PASSWORD, or
 * with a generated password printed once, then records that the bootstrap is done (GET /health is ready from then).
 * Loaded only after the engine has set the functions' environment.
 */
import { generatePassword, hashPassword, passwordProblems } from '../../shared/domain/password';
import { KeyTakenError } from '../../shared/errors';
import { createAgent, findAgentByUsername } from '../../shared/store/agents';
import { markBootstrapped } from '../../shared/store/system';

export async function bootstrapLocal(write: (line: string) => void, adminPassword?: string): Promise<void> {
  await ensureAdmin(write, adminPassword);
  // Only now is the deployment ready (GET /health answers 200 from here on).
  await markBootstrapped(new Date().toISOString());
}

async function ensureAdmin(write: (line: string) => void, adminPassword?: string): Promise<void> {
  if (await findAgentByUsername('admin')) return;
  if (adminPassword && passwordProblems(adminPassword).length) {
    throw new Error(`SWITCHBOARD_ADMIN_PASSWORD needs ${passwordProblems(adminPassword).join(', ')}`);
  }
  const password = adminPassword ?? generatePassword();
  try {
    await createAgent({
      username: 'admin',
      fullName: 'Administrator',
      typology: 'webrtc',
      voicemail: false,
      remoteControl: false,
      role: 'admin',
      disabled: false,
      passwordHash: await hashPassword(password),
    });
  } catch (error) {
    if (error instanceof KeyTakenError) return;
    throw error;
  }
  write(adminPassword ? 'created user admin with SWITCHBOARD_ADMIN_PASSWORD' : `created user admin with password ${password}   (shown once: keep it)`);
}
