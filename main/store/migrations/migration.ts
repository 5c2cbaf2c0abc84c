/** One schema version: its own file, listed once in index.ts. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
