/**
 * The CLI's exit codes: one table, used by every command, by the help text, by docs/cli.md (a test compares them)
 * and by the tests. Scripts branch on these, so a code keeps its meaning across releases.
 */
export const ExitCode = {
  ok: 0,
  provisioningFailed: 1,
  usage: 2,
  unavailable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES: ReadonlyArray<{ code: ExitCode; meaning: string }> = [
  {
    code: ExitCode.ok,
    meaning:
      'done: provisioned (or already provisioned), every row of a bulk run active, cancelled and undone, status or list printed',
  },
  {
    code: ExitCode.provisioningFailed,
    meaning:
      'the provisioning failed or was cancelled (what was undone is reported), a bulk run has rows that are not active, a cancel left something behind, the orphan audit left orphans, or an unexpected error',
  },
  {
    code: ExitCode.usage,
    meaning:
      'bad input or usage: unknown command or option, missing or invalid file or field, unknown workflow id, cancel of a finished run',
  },
  {
    code: ExitCode.unavailable,
    meaning: 'Temporal unreachable (address, namespace) or no worker answered on the task queue',
  },
];

/** The table as the help prints it. */
export function exitCodeHelp(): string {
  return ['Exit codes:', ...EXIT_CODES.map((e) => `  ${e.code}  ${e.meaning}`)].join('\n');
}
