import type { CliContext } from './main.ts';

/** Further CLI commands (export, REFI-QDA import) register here. */
export interface CliCommand {
  name: string;
  usage: string;
  run(ctx: CliContext, args: string[], options: Record<string, unknown>): Promise<void>;
}

export const cliCommands: CliCommand[] = [];
