/**
 * withinBounds measures an answer by writing it as JSON, and responseJson sends that text: what a
 * client receives must be exactly JSON.stringify of the response, whatever it holds.
 */
import fc from "fast-check";
import { responseJson, withinBounds } from "../../src/execution/request-bounds";

const MB = 1024 * 1024;
const data = fc.dictionary(fc.string(), fc.jsonValue()).map((value) => value as Record<string, unknown>);

describe("an answer's text", () => {
  it("is JSON.stringify of the response, with or without errors and extensions", async () => {
    await fc.assert(
      fc.asyncProperty(
        data,
        fc.option(fc.array(fc.record({ message: fc.string() }), { minLength: 1 })),
        fc.option(fc.dictionary(fc.string(), fc.jsonValue())),
        async (answer, errors, extensions) => {
          const result = await withinBounds({ deadlineMs: 0, maxResponseBytes: 20 * MB }, null, async () => ({ data: answer }));
          const response: Record<string, unknown> = { errors: errors ?? undefined, data: result.data, extensions: extensions ?? undefined };
          expect(responseJson(response)).toBe(JSON.stringify(response));
        },
      ),
    );
  });

  it("is written once for a response of data alone", async () => {
    const result = await withinBounds({ deadlineMs: 0, maxResponseBytes: MB }, null, async () => ({ data: { a: [1, "two", null] } }));
    const first = responseJson({ errors: undefined, data: result.data });
    expect(first).toBe('{"data":{"a":[1,"two",null]}}');
    expect(responseJson({ data: result.data })).toBe(first);
  });

  it("is refused when it is longer than the cap, and kept when it is not", async () => {
    const text = "x".repeat(1000);
    const over = await withinBounds({ deadlineMs: 0, maxResponseBytes: 1000 }, null, async () => ({ data: { text } }));
    expect(over.data).toBeUndefined();
    expect(over.errors?.[0].extensions).toMatchObject({ code: "BAD_REQUEST" });
    const within = await withinBounds({ deadlineMs: 0, maxResponseBytes: 2000 }, null, async () => ({ data: { text } }));
    expect(within.data).toEqual({ text });
  });

  it("is JSON.stringify of a response that never went through the bounds", () => {
    const response = { data: { a: 1 }, extensions: { sqlQueries: 3 } };
    expect(responseJson(response)).toBe(JSON.stringify(response));
  });
});
