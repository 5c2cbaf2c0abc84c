export declare const PROBE_TIMEOUT_MS: number;
export declare const DEFAULT_BINARY_HOST: string;
export declare const DEFAULT_HEADERS_HOST: string;
export type Piece = 'binary' | 'headers';
export interface PreflightState {
  binaryPresent: boolean;
  binaryHostReachable: boolean;
  headersCached: boolean;
  headersHostReachable: boolean;
}
export declare function binaryPresent(electronDir: string, env?: NodeJS.ProcessEnv): boolean;
export declare function headersCached(version: string, home?: string): boolean;
export declare function reachable(url: string, timeoutMs?: number, env?: NodeJS.ProcessEnv): Promise<boolean>;
export declare function missingPieces(state: PreflightState): Piece[];
export declare function preflightMessage(missing: readonly Piece[], where: { version: string; binaryHost: string; headersHost: string }): string;
export declare function preflight(options: {
  electronDir: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  probe?: (url: string) => Promise<boolean>;
}): Promise<{ version: string; missing: Piece[]; message: string | null }>;
