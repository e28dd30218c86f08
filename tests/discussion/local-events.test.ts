/**
 * The in-process bus of a single instance: many readers watching one article at once is ordinary,
 * so the server must not print Node's listener-leak warning when they do. Run in a process of its
 * own (the compiled bus, from dist/): Node writes its warnings to the real process's stderr, which
 * a case inside jest cannot see.
 */
import { spawnSync } from "node:child_process";
import { builtEntry } from "../helpers/server-process";

describe("the in-process event bus", () => {
  it("delivers to many subscribers of one article without Node's listener-leak warning", () => {
    const script = `
      const { commentAddedTopic, createLocalEvents } = require(${JSON.stringify(builtEntry("src/events/comment-events.ts"))});
      const bus = createLocalEvents();
      const topic = commentAddedTopic(1);
      const subscribers = Array.from({ length: 25 }, () => bus.subscribe(topic)[Symbol.asyncIterator]());
      const received = subscribers.map((subscriber) => subscriber.next());
      bus.publish(topic, { commentId: 7, articleId: 1, comment: {} });
      Promise.all(received).then((values) => process.stdout.write(values.map((value) => value.value.commentId).join(",")));
    `;
    const { stdout, stderr } = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(stdout).toBe(Array(25).fill(7).join(","));
    expect(stderr).toBe("");
  });
});
