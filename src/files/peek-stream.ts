/**
 * Reads the first bytes of a stream (to sniff them) without losing them: `chunks()` yields
 * those bytes again and then the rest, one chunk at a time, so nothing else is buffered.
 */
export interface PeekedStream {
  /** At least `minBytes` bytes, fewer only when the stream is shorter. */
  head: Uint8Array;
  /** The whole stream, head first; can be iterated once. */
  chunks(): AsyncGenerator<Uint8Array, void, undefined>;
  /** Releases the source when the bytes will never be read. */
  cancel(reason?: unknown): Promise<void>;
}

export async function peekStream(stream: ReadableStream<Uint8Array>, minBytes: number): Promise<PeekedStream> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length < minBytes) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      parts.push(value);
      length += value.byteLength;
    }
  } catch (error) {
    reader.releaseLock();
    throw error;
  }
  const head = parts.length === 1 ? parts[0]! : concat(parts, length);

  return {
    head,
    async *chunks() {
      let finished = false;
      try {
        if (head.byteLength > 0) yield head;
        if (!ended) {
          while (true) {
            const { done, value } = await reader.read();
            if (done) break;
            yield value;
          }
        }
        finished = true;
      } finally {
        // A consumer that stops early (limit hit, upstream failed) must not leave the
        // client's upload half-read and open.
        if (!finished) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      reader.releaseLock();
    },
  };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
