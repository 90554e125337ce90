// PostGraphile 4 on the benchmark database, as one would deploy it: the public schema (and
// bench_postgraphile, the report functions of bench/workloads/*.sql), no
// mutations, a login role that row-level security binds (bench_postgraphile, a member of
// sportello_app), and the organization set per transaction through pgSettings, exactly the
// setting Sportello's policies read (db/migrations/versions/0004_row_level_security.py).
//
// Usage: node postgraphile.js <connection string> <port> <organization uuid>
// It prints "listening" once the schema is built, so that bench/run.py knows it is ready.

"use strict";

const http = require("http");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");

const [connection, port, organization] = process.argv.slice(2);
if (!connection || !port || !organization) {
  console.error("usage: node postgraphile.js <connection string> <port> <organization uuid>");
  process.exit(2);
}

const middleware = postgraphile(connection, ["public", "bench_postgraphile"], {
  appendPlugins: [ConnectionFilterPlugin],
  // The connection filter's `in` and `isNull` express the portal's record rules (issued
  // invoices, signed work sheets, performed revisions) that SQL policies do not.
  graphileBuildOptions: { connectionFilterRelations: false },
  pgSettings: async () => ({ "app.organization_id": organization }),
  disableDefaultMutations: true,
  ignoreRBAC: false,
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  disableQueryLog: true,
  enableQueryBatching: false,
  watchPg: false,
  graphiql: false,
  retryOnInitFail: false,
  extendedErrors: ["hint", "detail", "errcode"],
  graphqlRoute: "/graphql",
  exportGqlSchemaPath: process.env.POSTGRAPHILE_SCHEMA_OUT || undefined,
});

http.createServer(middleware).listen(Number(port), "127.0.0.1", () => {
  console.log(`listening on 127.0.0.1:${port}`);
});
