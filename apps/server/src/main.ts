import { loadConfig } from './env.ts';
import { startServer } from './server.ts';
import { ensureDemoProject } from './transcripts/demo.ts';

/** `npm start`: one Concord process. */
async function main(): Promise<void> {
  const cfg = loadConfig();
  const server = await startServer(cfg);
  if (cfg.demo) {
    const demo = await ensureDemoProject(server.deps);
    if (demo) {
      console.log(`\nDemo project "${demo.projectName}" created with ${demo.transcripts} transcripts.`);
      console.log(`Sign in as ${demo.email} with password ${demo.password}\n`);
    }
  }
  console.log(`Concord listening on ${server.url} (storage: ${server.deps.storage.kind}${cfg.redisUrl ? ', redis fan-out' : ''}, data: ${cfg.databaseUrl ? 'PostgreSQL' : cfg.dataDir})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: storing open rooms and shutting down…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(() => process.exit(0), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`Concord could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
