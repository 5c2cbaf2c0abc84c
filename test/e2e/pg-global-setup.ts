import { startCluster } from '../support/pg-cluster.js';

/**
 * With SOC_E2E_ENGINE=postgres, one throw-away PostgreSQL cluster serves the run: every console a
 * test starts gets a new database in it (test/e2e/fixtures.ts). The socket folder reaches the
 * workers through the environment, which Playwright passes on from its global setup.
 */
export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env['SOC_E2E_ENGINE'] !== 'postgres') return undefined;
  const cluster = await startCluster({ maxConnections: 200 });
  process.env['SOC_E2E_PG_SOCKET'] = cluster.socketDir;
  return () => cluster.stop();
}
