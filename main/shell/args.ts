/** What the shell reads from its command line; Chromium's own switches pass through untouched. */
export interface ShellArgs {
  /** Open the separate demo database (made-up data) and write demo-accounts.json. */
  demo: boolean;
  /** `--user-data-dir=DIR`: where the database, key and settings live (tests use a temp folder). */
  userDataDir: string | null;
}

export function parseShellArgs(argv: readonly string[]): ShellArgs {
  let userDataDir: string | null = null;
  for (const arg of argv) {
    if (arg.startsWith('--user-data-dir=')) userDataDir = arg.slice('--user-data-dir='.length) || null;
  }
  return { demo: argv.includes('--demo'), userDataDir };
}
