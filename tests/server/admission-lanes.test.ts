/**
 * Admission's two lanes (src/http/admission.ts), on the class itself: a write never waits for a
 * read's turn, no new read starts while a write is in flight, and a stream of writes lets a
 * waiting read through after WRITES_AHEAD_OF_A_READ of them, or once it has waited readHoldMs. Over HTTP and WebSocket, on both
 * engines: tests/server/admission.test.ts.
 */
import { Admission, HEAVY_ANSWER_BYTES, Lane, weighRequest, WRITES_AHEAD_OF_A_READ } from "../../src/http/admission";

/** An operation that runs until released; `started` tells whether its turn came. */
function operation(admission: Admission, lane: Lane, heavy = false) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started = false;
  const finished = admission.run(
    async () => {
      started = true;
      await released;
    },
    null,
    lane,
    heavy,
  );
  return {
    get started() {
      return started;
    },
    release,
    finished,
  };
}

/** Lets every turn given back start whatever it lets start. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("admission lanes", () => {
  it("starts a write while reads hold every read turn, and no new read until the writes are done", async () => {
    const admission = new Admission(1, 10, 0, { readHoldMs: 600_000 });
    const running = operation(admission, "read");
    const waiting = operation(admission, "read");
    const write = operation(admission, "write");
    await settle();
    expect([running.started, waiting.started, write.started]).toEqual([true, false, true]);
    running.release();
    await running.finished;
    await settle();
    // The read turn is free, but a write is in flight: the waiting read stays put.
    expect(waiting.started).toBe(false);
    expect(admission.queuedIn("read")).toBe(1);
    write.release();
    await write.finished;
    await settle();
    expect(waiting.started).toBe(true);
    waiting.release();
    await waiting.finished;
    await settle();
    expect(admission.active).toBe(0);
  });

  it(`lets a waiting read start after ${WRITES_AHEAD_OF_A_READ} writes went ahead of it, writes still coming`, async () => {
    const admission = new Admission(1, 0, 0, { readHoldMs: 600_000 });
    let write = operation(admission, "write");
    const read = operation(admission, "read");
    const writes = [write];
    for (let i = 0; i < WRITES_AHEAD_OF_A_READ; i++) {
      // One more write waits while the running one finishes: writes stay in flight throughout.
      const next = operation(admission, "write");
      writes.push(next);
      await settle();
      expect(read.started).toBe(false);
      write.release();
      await write.finished;
      await settle();
      write = next;
    }
    expect(read.started).toBe(true);
    expect(write.started).toBe(true);
    read.release();
    write.release();
    await Promise.all([read.finished, ...writes.map((w) => w.finished)]);
  });

  it("starts a read held back by a write that goes on, once it has waited readHoldMs", async () => {
    const admission = new Admission(1, 0, 0, { readHoldMs: 1 });
    const first = operation(admission, "read");
    const write = operation(admission, "write");
    let started!: () => void;
    const readStarted = new Promise<void>((resolve) => (started = resolve));
    const read = admission.run(async () => started(), null, "read");
    first.release();
    await first.finished;
    // The write is still running: only the hold's end lets the read start.
    await readStarted;
    expect(write.started).toBe(true);
    expect(admission.activeIn("write")).toBe(1);
    write.release();
    await Promise.all([read, write.finished]);
  });

  it("bounds each lane's queue on its own", async () => {
    const admission = new Admission(1, 1, 0);
    const read = operation(admission, "read");
    const queuedRead = operation(admission, "read");
    await settle();
    await expect(admission.run(async () => undefined, null, "read")).rejects.toThrow("queue of operations waiting their turn is full (1)");
    const write = operation(admission, "write");
    await settle();
    expect(write.started).toBe(true);
    for (const op of [read, queuedRead, write]) op.release();
    await Promise.all([read.finished, queuedRead.finished, write.finished]);
  });

  it("runs at most heavyLimit heavy reads at once, while light reads fill the other turns and pass heavy ones that wait", async () => {
    const admission = new Admission(4, 0, 0, { heavyLimit: 2 });
    const heavy = [operation(admission, "read", true), operation(admission, "read", true), operation(admission, "read", true)];
    const light = [operation(admission, "read"), operation(admission, "read"), operation(admission, "read")];
    await settle();
    // Two heavy reads and two light ones: the third heavy waits for the heavy share, the third
    // light one for a turn.
    expect(heavy.map((op) => op.started)).toEqual([true, true, false]);
    expect(light.map((op) => op.started)).toEqual([true, true, false]);
    // A light read's turn frees: the light read behind the waiting heavy one passes it.
    light[0].release();
    await light[0].finished;
    await settle();
    expect(heavy[2].started).toBe(false);
    expect(light[2].started).toBe(true);
    // A heavy read's turn frees: the waiting heavy read starts.
    heavy[0].release();
    await heavy[0].finished;
    await settle();
    expect(heavy[2].started).toBe(true);
    for (const op of [...heavy, ...light]) op.release();
    await Promise.all([...heavy, ...light].map((op) => op.finished));
    expect(admission.active).toBe(0);
  });

  it("starts every heavy read at once when there is no limit (0)", async () => {
    const admission = new Admission(0, 0, 0, { heavyLimit: 2 });
    const heavy = [operation(admission, "read", true), operation(admission, "read", true), operation(admission, "read", true)];
    await settle();
    expect(heavy.map((op) => op.started)).toEqual([true, true, true]);
    for (const op of heavy) op.release();
    await Promise.all(heavy.map((op) => op.finished));
  });

  it("never gives heavy reads more turns than the whole limit", async () => {
    const admission = new Admission(1, 0, 0, { heavyLimit: 2 });
    const first = operation(admission, "read", true);
    const second = operation(admission, "read", true);
    await settle();
    expect([first.started, second.started]).toEqual([true, false]);
    first.release();
    second.release();
    await Promise.all([first.finished, second.finished]);
  });

  it("learns that a text is heavy from the size of its last answer, per text", () => {
    const request = (query: string) => weighRequest({ method: "POST", body: { query } } as never);
    const deep = request("query Deep { articles { nodes { id } } }");
    expect(deep).toMatchObject({ lane: "read", heavy: false });
    deep.answered!(HEAVY_ANSWER_BYTES);
    expect(request("query Deep { articles { nodes { id } } }").heavy).toBe(true);
    expect(request("query Other { articles { nodes { id } } }").heavy).toBe(false);
    // A small answer to the same text makes it light again.
    deep.answered!(100);
    expect(request("query Deep { articles { nodes { id } } }").heavy).toBe(false);
    // Writes are never heavy, and GETs are not weighed.
    expect(request("mutation M { x }")).toMatchObject({ lane: "write", heavy: false });
    expect(request("mutation M { x }").answered).toBeUndefined();
    expect(weighRequest({ method: "GET" } as never)).toMatchObject({ lane: "read", heavy: false });
  });
});
