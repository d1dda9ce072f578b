/**
 * Invitation mail in the cloud: with `-c mailFrom=...` the admin-agents function (the only one with `mail` access)
 * may call ses:SendEmail from that sender's identities only (its address, or the domain that verifies it), and is
 * told the transport, the sender and the console's URL; without it, no function holds any SES permission.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { functions } from '../../lib/wiring';

jest.setTimeout(120_000);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synth(context: Record<string, string>): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'switchboard-cdk-mail-'));
  dirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], stage: 'dev', ...context } });
  const built = buildApp(app);
  app.synth();
  return Template.fromStack(built.code);
}

type Statement = { Action: string | string[]; Resource: unknown };
const sesStatements = (t: Template): Statement[] =>
  Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) =>
    ((p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement).filter((st) =>
      [st.Action].flat().some((a) => a.startsWith('ses:')),
    ),
  );

describe('invitation mail in the cloud', () => {
  it('only admin-agents has mail access in the wiring', () => {
    expect(Object.entries(functions).filter(([, f]) => (f.access as { mail?: boolean }).mail).map(([n]) => n)).toEqual(['admin-agents']);
  });

  it('grants ses:SendEmail on the sender identities only, and sets the transport, sender and console URL', () => {
    const t = synth({ mailFrom: 'invites@contact.example.com', consoleUrl: 'https://d123.cloudfront.net/console/' });
    const statements = sesStatements(t);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('ses:SendEmail');
    const resources = JSON.stringify(statements[0]!.Resource);
    expect(resources).toContain(':identity/invites@contact.example.com');
    expect(resources).toContain(':identity/contact.example.com');
    expect(resources).not.toContain('*');
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f).includes('"MAIL_FROM":"invites@contact.example.com"'),
    ) as { Properties: { Environment: { Variables: Record<string, string> } } } | undefined;
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      MAIL_TRANSPORT: 'ses',
      MAIL_FROM: 'invites@contact.example.com',
      CONSOLE_URL: 'https://d123.cloudfront.net/console/',
    });
  });

  it('grants no SES permission without a sender', () => {
    expect(sesStatements(synth({}))).toEqual([]);
  });

  it('refuses a sender that is not an address and a console URL that is not https', () => {
    expect(() => synth({ mailFrom: 'not-an-address' })).toThrow(/mailFrom/);
    expect(() => synth({ consoleUrl: 'http://d123.cloudfront.net/console/' })).toThrow(/consoleUrl/);
  });
});
