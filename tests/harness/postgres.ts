// A fresh PostgreSQL database per test server, on the machine's PostgreSQL.
// ENTENTE_TEST_PG_URL overrides the admin URL (default: postgres://postgres@127.0.0.1:5432/test).
// Under CI=true an unreachable PostgreSQL fails the suite; elsewhere the caller may skip.
import pg from "pg";
import { randomBytes } from "node:crypto";

export const PG_ADMIN_URL = process.env["ENTENTE_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates an empty database and returns its URL and a drop function. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `entente_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** For suites that need PostgreSQL: skip locally when absent, fail under CI=true. */
export async function requirePostgres(ctx: Mocha.Context): Promise<void> {
  if (await postgresAvailable()) return;
  if (process.env["CI"] === "true") throw new Error(`PostgreSQL is required under CI=true but ${PG_ADMIN_URL} is unreachable`);
  ctx.skip();
}
