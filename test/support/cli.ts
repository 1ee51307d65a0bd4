/** Runs the CLI (src/cli/telltale.ts) in a child process with its own HOME and cache, asynchronously (a mock Hub may run in this process). */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export function runCli(args: string[], input: string, home: string, script = 'src/cli/telltale.ts') {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
