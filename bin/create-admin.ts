/**
 * Creates the first admin in a deployed stage, once: run it with the deployer's AWS credentials.
 *   TABLE_NAME=switchboard-prod AWS_REGION=eu-west-1 npx tsx bin/create-admin.ts
 * It writes `admin` straight to the table (no API exists before an admin does) with SWITCHBOARD_ADMIN_PASSWORD, or
 * a generated password printed once. It does nothing when `admin` already exists.
 */
async function main(): Promise<void> {
  if (!process.env.TABLE_NAME) {
    console.error('set TABLE_NAME to the deployed table (switchboard-dev or switchboard-prod) and AWS_REGION');
    process.exit(2);
  }
  // Loaded after the check: the store reads its configuration when it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bootstrapLocal } = require('../lib/local/bootstrap') as typeof import('../lib/local/bootstrap');
  await bootstrapLocal((line) => console.log(line), process.env.SWITCHBOARD_ADMIN_PASSWORD);
  console.log('done');
}

main().catch((error: Error) => {
  console.error(`could not create the admin: ${error.message}`);
  process.exit(1);
});
