// The PouchDB peer of the sync bench (tests/benches/sync.rs, P2/P3): the same records as
// JSON documents in a PouchDB client (leveldb), replicated over loopback to express-pouchdb
// (leveldb), timed from the start of the replication to its end; bytes counted on the
// server's sockets, HTTP headers included (as shiftlog's proxy counts them).
//
//   node replicate.mjs RECORDS.json        prints one JSON line: {ms, docs, up_bytes, down_bytes, requests}
//
// RECORDS.json is an array of shiftlog push envelopes; each becomes a document whose _id is
// the record id and whose other fields are the envelope's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import PouchDB from 'pouchdb';
import express from 'express';
import expressPouchDB from 'express-pouchdb';

const file = process.argv[2];
if (!file) {
  console.error('usage: node replicate.mjs RECORDS.json');
  process.exit(2);
}
const records = JSON.parse(fs.readFileSync(file, 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiftlog-pouchdb-'));
try {
  const ServerDB = PouchDB.defaults({ prefix: path.join(tmp, 'server') + path.sep });
  fs.mkdirSync(path.join(tmp, 'server'));
  fs.mkdirSync(path.join(tmp, 'client'));
  const app = express();
  app.use(
    '/',
    expressPouchDB(ServerDB, {
      mode: 'minimumForPouchDB',
      logPath: path.join(tmp, 'log.txt'),
      configPath: path.join(tmp, 'config.json'),
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  const sockets = [];
  let requests = 0;
  server.on('connection', (s) => sockets.push(s));
  server.on('request', () => requests++);
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}/shiftlog`;

  const ClientDB = PouchDB.defaults({ prefix: path.join(tmp, 'client') + path.sep });
  const local = new ClientDB('device');
  const docs = records.map(({ id, ...rest }) => ({ _id: id, ...rest }));
  for (let i = 0; i < docs.length; i += 1000) {
    await local.bulkDocs(docs.slice(i, i + 1000));
  }

  const t0 = performance.now();
  const result = await local.replicate.to(url);
  const ms = performance.now() - t0;
  const up = sockets.reduce((n, s) => n + s.bytesRead, 0);
  const down = sockets.reduce((n, s) => n + s.bytesWritten, 0);
  const remote = await new ServerDB('shiftlog').info();
  console.log(
    JSON.stringify({
      ms,
      docs: remote.doc_count,
      docs_written: result.docs_written,
      up_bytes: up,
      down_bytes: down,
      requests,
    }),
  );
  await local.close();
  server.closeAllConnections?.();
  server.close();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
