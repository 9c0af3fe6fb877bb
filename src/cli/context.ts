/**
 * What every command gets: the connection settings (global flags over the environment), a connected session on
 * demand, and the output. A new command is `register<Name>(program, context)` in src/cli/commands/ plus one line
 * in src/cli/program.ts.
 */
import type { Command } from 'commander';
import { resolveSettings, withSession, type ConnectionSettings, type GlobalFlags, type Session } from './connection';
import { stdOutput, type Output } from './output';

export interface CliContext {
  /** Resolved when a command runs (global flags are parsed by then); throws ConfigError (exit 2) on bad values. */
  settings(): ConnectionSettings;
  /** Connects (failing fast, exit 3, when Temporal cannot be reached), runs fn, closes. */
  withClient<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  out: Output;
}

export function createContext(program: Command, out: Output = stdOutput): CliContext {
  const settings = () => resolveSettings(program.opts<GlobalFlags>());
  return { settings, withClient: (fn) => withSession(settings(), fn), out };
}
