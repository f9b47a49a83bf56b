// For the media tests only (as appservices/protocol's test-support.ts): a stream read to its end
// or its error, keeping what arrived before the error.
export async function readToEnd(s: AsyncIterable<unknown>): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of s) chunks.push(c as Buffer);
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}
