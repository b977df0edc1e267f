// tests/lib/jco/tcp-shutdown.mjs - for `jco.sh run --jco-import THIS app`:
// gives preview2-shim 0.26.1 the half-close that wasi:sockets' tcp-socket
// shutdown(send) means ("the output-stream will be closed and a FIN packet
// will be sent"; the socket stays). The shim destroys the whole socket
// instead (both ways), so a client that shuts down its sending side and
// then reads the reply (nc -N) could never get it.
//
// The shim runs its sockets in a worker (dist/io/worker-thread.bundle.js).
// This module writes a copy of that bundle into $JCO_HOME/kpio-shim with
// the one function changed (send: end(), i.e. shutdown(SHUT_WR); receive and
// both: as before) and has the shim start the copy. When the function is not
// found as written (another shim version), it fails loudly.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import workerThreads from 'node:worker_threads';

const home = process.env.JCO_HOME || process.cwd();
const bundle = join(home, 'node_modules', '@bytecodealliance', 'preview2-shim', 'dist', 'io',
  'worker-thread.bundle.js');
const shipped = `	const socket = tcpSockets.get(id);
	if (socket.state !== SOCKET_STATE_CONNECTION) throw "invalid-state";
	socket.tcpSocket?.destroy();
}`;
const halfClose = `	const socket = tcpSockets.get(id);
	if (socket.state !== SOCKET_STATE_CONNECTION) throw "invalid-state";
	if (_shutdownType === "send") socket.tcpSocket?.end();
	else socket.tcpSocket?.destroy();
}`;

const source = readFileSync(bundle, 'utf8');
const body = source.indexOf('\n', source.indexOf('function socketTcpShutdown(')) + 1;
if (body === 0 || !source.startsWith(shipped, body))
  throw new Error(`tcp-shutdown.mjs: ${bundle} is not preview2-shim 0.26.1's`);
// Beside node_modules, so the copy resolves packages as the original does;
// written under a name of its own and renamed, as runs share JCO_HOME.
const dir = join(home, 'kpio-shim');
mkdirSync(dir, { recursive: true });
const fixed = join(dir, 'worker-thread.bundle.js');
const partial = `${fixed}.${process.pid}`;
writeFileSync(partial, source.slice(0, body) + halfClose + source.slice(body + shipped.length));
renameSync(partial, fixed);

const original = pathToFileURL(bundle).href;
const ShippedWorker = workerThreads.Worker;
workerThreads.Worker = class extends ShippedWorker {
  constructor(url, options) {
    super(String(url) === original ? pathToFileURL(fixed) : url, options);
  }
};
syncBuiltinESMExports();
