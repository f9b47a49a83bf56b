// Small validators for request bodies and parameters: every failure is a MatrixError with the right code.
import { MatrixError } from "../../spec/matrix-error.ts";
import type { JsonObject } from "../../room/pdu.ts";

export function bodyObject(body: unknown): JsonObject {
  if (body === undefined) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new MatrixError("M_BAD_JSON", 400, "Request body must be a JSON object");
  return body as JsonObject;
}

export function optString(o: JsonObject, key: string, maxLen = 65536): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new MatrixError("M_BAD_JSON", 400, `'${key}' must be a string`);
  if (v.length > maxLen) throw new MatrixError("M_BAD_JSON", 400, `'${key}' is too long`);
  return v;
}

export function reqString(o: JsonObject, key: string, maxLen = 65536): string {
  const v = optString(o, key, maxLen);
  if (v === undefined) throw new MatrixError("M_BAD_JSON", 400, `Missing '${key}'`);
  return v;
}

export function optBool(o: JsonObject, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new MatrixError("M_BAD_JSON", 400, `'${key}' must be a boolean`);
  return v;
}

export function optInt(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new MatrixError("M_BAD_JSON", 400, `'${key}' must be an integer`);
  return v;
}

export function optObject(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw new MatrixError("M_BAD_JSON", 400, `'${key}' must be an object`);
  return v;
}

export function optStringArray(o: JsonObject, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new MatrixError("M_BAD_JSON", 400, `'${key}' must be an array of strings`);
  return v as string[];
}

export function queryInt(q: URLSearchParams, key: string, def: number, min: number, max: number): number {
  const raw = q.get(key);
  if (raw === null || raw === "") return def;
  if (!/^-?\d{1,16}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", 400, `'${key}' must be an integer`);
  return Math.min(max, Math.max(min, Number(raw)));
}

export const ok = (json: unknown = {}, status = 200): { status: number; json: unknown } => ({ status, json });
