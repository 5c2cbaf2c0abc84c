import { join } from 'node:path';
import { createConsole, dataKeyFileName } from '../../main/app.js';
import { KeyFileProvider } from '../../main/services/key-file.js';
import { sideSql } from '../support/side-db.js';

/**
 * The process the kill tests kill: opens the console on DIR (or, given DATABASE_URL, on that
 * PostgreSQL database with its key in DIR) as the official OFFICIAL, approves
 * every pending request of the official's organization in one bulk call (in chunks, as the
 * console does), and says "done". The parent sends SIGKILL at a random moment, or crashes
 * the PostgreSQL server under it.
 */
const [dir, officialUserId, database] = process.argv.slice(2);
if (!dir || !officialUserId) {
  console.error('usage: approve-worker DIR OFFICIAL_USER_ID [DATABASE_URL]');
  process.exit(2);
}
const app = await createConsole({ dataDir: dir, keyProvider: new KeyFileProvider(join(dir, dataKeyFileName(false))), ...(database ? { database } : {}) });
const official = await app.store.users.byUserId(officialUserId);
if (!official) throw new Error(`No official ${officialUserId}`);
// A signed-in session, as if through the warning page: the worker exercises the decision path.
const session = app.services.sessions.open('kill-test', official.id, null, 'active');
const ids = (await sideSql(app).all<{ id: number }>("SELECT id FROM role_requests WHERE status = 'pending' ORDER BY id LIMIT 1000")).map((r) => r.id);
process.stdout.write(`ready ${ids.length}\n`);
const { results } = await app.services.requests.approve(session, { requestIds: ids });
process.stdout.write(`done ${results.filter((r) => r.outcome === 'approved').length}\n`);
await app.close();
