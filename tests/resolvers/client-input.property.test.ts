/**
 * Nothing a client sends reaches SQL unchecked: arbitrary and near-valid forged cursors, ids and
 * lookup texts, sent to every connection and lookup, give data, null, BAD_USER_INPUT or NOT_FOUND,
 * never INTERNAL_SERVER_ERROR.
 */
import fc from "fast-check";
import { toGlobalId } from "../../src/schema/global-id";
import { engines } from "../helpers/databases";
import { seedGenerated } from "../helpers/fixtures";
import { readerToken } from "../helpers/readers";
import { GqlResult, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

// FC_RUNS=5000 for a longer hunt; the default keeps the suite fast.
const RUNS = Number(process.env.FC_RUNS ?? 100);

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

const LIST_NAMES = ["articles", "tags", "authors", "Article.comments", "Comment.replies", "Tag.articles", "Author.comments", "c1", "", "Article"];
const ORDER_NAMES = ["PUBLISHED_AT_DESC", "PUBLISHED_AT_ASC", "COMMENT_COUNT_DESC", "OLDEST", "NEWEST", "MOST_REPLIES", "FIRST_SEEN", "published_at_desc", ""];
const NODE_TYPES = ["Article", "Tag", "Author", "Comment", "RelatedLink", "Node", "article", ""];

/** JSON number and string tokens that parse to something a careless decoder would pass on. */
const NASTY_TOKENS = [
  "NaN",
  "Infinity",
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "0",
  "1",
  "-1",
  "1.5",
  "2147483647",
  "2147483648",
  "-2147483649",
  "9007199254740991",
  "9007199254740993",
  "1e21",
  "null",
  "true",
  "[]",
  "{}",
  '"1"',
  '"NaN"',
  '""',
  '"\\u0000"',
  '"2017-02-24T12:50:00.000Z"',
  '"2017-02-24T12:50:00Z"',
  '"2017-02-30T00:00:00.000Z"',
  '"+275760-09-13T00:00:00.000Z"',
  '"-000001-01-01T00:00:00.000Z"',
  '"0000-01-01T00:00:00.000Z"',
  '"9999-12-31T23:59:59.999Z"',
  '"2017-02-24"',
  '"Tue Feb 24 2017"',
];

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double(),
  fc.string(),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);

/** Cursors shaped like ours, with every part possibly wrong. */
const forgedCursor = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...LIST_NAMES),
      fc.oneof(fc.constantFrom(0, 1, 2, -1, 2 ** 31, 1.5), fc.integer(), fc.string()),
      fc.constantFrom(...ORDER_NAMES),
      fc.array(jsonValue, { maxLength: 4 }),
    )
    .map((parts) => b64(JSON.stringify(parts))),
  // Raw JSON text, for tokens JSON.stringify never writes (NaN, 1e400) and numbers past 2^53.
  fc
    .tuple(
      fc.constantFrom(...LIST_NAMES),
      fc.constantFrom(...NASTY_TOKENS),
      fc.constantFrom(...ORDER_NAMES),
      fc.array(fc.constantFrom(...NASTY_TOKENS), { maxLength: 4 }),
    )
    .map(([list, parent, order, values]) => b64(`[${JSON.stringify(list)},${parent},${JSON.stringify(order)},[${values.join(",")}]]`)),
  // The first round's cursor format.
  fc.array(jsonValue, { maxLength: 4 }).map((values) => b64(JSON.stringify(["c1", ...values]))),
  fc.array(fc.constantFrom(...NASTY_TOKENS), { maxLength: 3 }).map((values) => b64(`["c1",${values.join(",")}]`)),
);

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.base64String(),
  fc.constantFrom("", " ", "\u0000", "a\u0000b", "\ud800", "%", "_", "\\", "'", '"', "A".repeat(5000)),
);

/** Ids shaped like global ids, with a wrong type or a number out of range. */
const forgedId = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...NODE_TYPES),
      fc.oneof(
        fc.integer().map(String),
        fc.constantFrom("0", "-1", "1.5", "1e3", "00001", "2147483647", "2147483648", "99999999999", "9007199254740993", "NaN", ""),
      ),
    )
    .map(([type, id]) => b64(`${type}:${id}`)),
  fc.string().map((text) => b64(text)),
);

/** Every error must be one a client may cause; BAD_USER_INPUT about a cursor names that argument. */
/** `alsoForbidden`: a sanction's target may exist and still not be sanctionable (a commenter without an account). */
function expectOnlyClientErrors(result: GqlResult, argument?: string, alsoForbidden = false) {
  for (const error of result.errors ?? []) {
    const code = error.extensions?.code;
    expect({ message: error.message, code }).toEqual({
      message: error.message,
      code: expect.stringMatching(
        alsoForbidden ? /^(BAD_USER_INPUT|NOT_FOUND|GRAPHQL_VALIDATION_FAILED|FORBIDDEN)$/ : /^(BAD_USER_INPUT|NOT_FOUND|GRAPHQL_VALIDATION_FAILED)$/,
      ),
    });
    if (argument && code === "BAD_USER_INPUT") expect(error.extensions?.argumentName).toBe(argument);
  }
}

describe.each(engines)("client input on %s", (engine) => {
  let t: TestServer;
  /** Real cursors of every list, to send to every other list as they are and slightly damaged. */
  const realCursors: string[] = [];
  let articleId: string;
  let commentId: string;
  const realIds: string[] = [];
  /** A signed-in reader, for what only readers ask (their notifications). */
  const reader: { token?: string } = {};

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    reader.token = await readerToken({ sub: "fuzz-reader", name: "Fuzz Reader" });
    await seedGenerated(t.db.dataSource, 3, 1);
    articleId = toGlobalId("Article", 1);
    commentId = toGlobalId("Comment", 1);
    realIds.push(articleId, commentId, toGlobalId("Author", 1), toGlobalId("Tag", 1), toGlobalId("RelatedLink", 1), toGlobalId("Comment", 999));
    const cursors = await t.data(`{
      a: articles(first: 1) { pageInfo { endCursor } }
      b: articles(first: 1, orderBy: COMMENT_COUNT_DESC) { pageInfo { endCursor } }
      c: tags(first: 1) { pageInfo { endCursor } }
      d: authors(first: 1) { pageInfo { endCursor } }
      e: article(id: "${articleId}") { comments(first: 1, orderBy: MOST_REPLIES) { pageInfo { endCursor } } }
      f: comment(id: "${commentId}") { replies(first: 1) { pageInfo { endCursor } } }
      g: tag(slug: "generated") { articles(first: 1) { pageInfo { endCursor } } }
    }`);
    for (const value of Object.values(cursors) as any[]) realCursors.push((value.comments ?? value.replies ?? value.articles ?? value).pageInfo.endCursor);
  });
  afterAll(() => t.close());

  const cursor = () =>
    fc.oneof(
      { weight: 3, arbitrary: forgedCursor },
      { weight: 2, arbitrary: anyText },
      { weight: 1, arbitrary: fc.constantFrom(...realCursors) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...realCursors), fc.nat(), fc.constantFrom("A", "_", "-", "z", "0"))
          .map(([real, at, char]) => real.slice(0, at % real.length) + char + real.slice((at % real.length) + 1)),
      },
    );

  const connections: [string, (argument: string) => string, { token?: string }?][] = [
    ...["PUBLISHED_AT_DESC", "PUBLISHED_AT_ASC", "COMMENT_COUNT_DESC"].map((order): [string, (a: string) => string] => [
      `articles ${order}`,
      (a) => `query($c: String) { articles(${a}: $c, orderBy: ${order}) { totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`,
    ]),
    ["tags", (a) => `query($c: String) { tags(${a}: $c) { totalCount nodes { id } } }`],
    ["authors", (a) => `query($c: String) { authors(${a}: $c) { totalCount nodes { id } } }`],
    ...["OLDEST", "NEWEST", "MOST_REPLIES"].flatMap((order): [string, (a: string) => string][] => [
      [
        `Article.comments ${order}`,
        (a) => `query($c: String) { article(id: "${articleId}") { comments(${a}: $c, orderBy: ${order}) { totalCount nodes { id } } } }`,
      ],
      [
        `Comment.replies ${order}`,
        (a) => `query($c: String) { comment(id: "${commentId}") { replies(${a}: $c, orderBy: ${order}) { totalCount nodes { id } } } }`,
      ],
    ]),
    ["Tag.articles", (a) => `query($c: String) { tag(slug: "generated") { articles(${a}: $c) { totalCount nodes { id } } } }`],
    ["Author.comments", (a) => `query($c: String) { authors(first: 2) { nodes { comments(${a}: $c) { totalCount nodes { id } } } } }`],
    ...["PENDING", "REPORTED", "UNMODERATED", "REJECTED", "APPROVED"].map((queue): [string, (a: string) => string, { token: string }] => [
      `moderationQueue ${queue}`,
      (a) => `query($c: String) { moderationQueue(queue: ${queue}, ${a}: $c) { totalCount nodes { id } } }`,
      { token: TEST_TOKEN },
    ]),
  ];

  it.each(connections)("every cursor sent to %s gives a page or BAD_USER_INPUT naming the argument", async (_name, query, options = {}) => {
    await fc.assert(
      fc.asyncProperty(cursor(), fc.constantFrom("after", "before"), async (value, argument) => {
        const result = await t.gql(query(argument), { c: value }, options);
        expectOnlyClientErrors(result, argument);
      }),
      { numRuns: RUNS },
    );
  });

  const anyId = () => fc.oneof({ weight: 3, arbitrary: forgedId }, { weight: 2, arbitrary: anyText }, { weight: 1, arbitrary: fc.constantFrom(...realIds) });

  const lookups: [string, string, { token?: string }][] = [
    ["node", `query($id: ID!) { node(id: $id) { id } }`, {}],
    ["article(id)", `query($id: ID!) { article(id: $id) { id commentCount } }`, {}],
    ["comment(id)", `query($id: ID!) { comment(id: $id) { id replyCount } }`, {}],
    ["author(id)", `query($id: ID!) { author(id: $id) { id commentCount } }`, {}],
    ["addComment(articleId)", `mutation($id: ID!) { addComment(articleId: $id, body: "probe") { comment { id } } }`, { token: TEST_TOKEN }],
    [
      "addComment(parentId)",
      `mutation($id: ID!) { addComment(articleId: "${toGlobalId("Article", 1)}", parentId: $id, body: "probe") { comment { id } } }`,
      { token: TEST_TOKEN },
    ],
    ["editComment(id)", `mutation($id: ID!) { editComment(id: $id, body: "probe") { comment { id } } }`, { token: TEST_TOKEN }],
    ["deleteComment(id)", `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { token: TEST_TOKEN }],
    ["moderationQueue(articleId)", `query($id: ID!) { moderationQueue(articleId: $id) { totalCount nodes { id } } }`, { token: TEST_TOKEN }],
    ["moderationCounts(articleId)", `query($id: ID!) { moderationCounts(articleId: $id) { pending reported } }`, { token: TEST_TOKEN }],
    ["markNotificationsRead(upTo)", `mutation($id: ID!) { markNotificationsRead(upTo: $id) { unreadNotificationCount } }`, reader],
  ];

  /** The sanctions, each sent every id: a commenter without an account is FORBIDDEN, which is a client error too. */
  const sanctions: [string, string][] = [
    ["banAuthor(authorId)", `mutation($id: ID!) { banAuthor(authorId: $id, reason: "probe") { author { id } } }`],
    ["unbanAuthor(authorId)", `mutation($id: ID!) { unbanAuthor(authorId: $id) { author { id } } }`],
    ["suspendAuthor(authorId)", `mutation($id: ID!) { suspendAuthor(authorId: $id, until: "2100-01-01T00:00:00Z") { author { id } } }`],
    ["setAuthorPremoderation(authorId)", `mutation($id: ID!) { setAuthorPremoderation(authorId: $id, on: true) { author { id } } }`],
  ];

  it.each(sanctions)("every id sent to %s gives data, BAD_USER_INPUT, NOT_FOUND or FORBIDDEN", async (_name, query) => {
    await fc.assert(
      fc.asyncProperty(anyId(), async (id) => {
        expectOnlyClientErrors(await t.gql(query, { id }, { token: TEST_TOKEN }), undefined, true);
      }),
      { numRuns: RUNS },
    );
  });

  it("every date sent as a suspension's end, and every reason, gives a client error or data", async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (until, reason) => {
        const query = `mutation($id: ID!, $until: DateTime!, $reason: String) { suspendAuthor(authorId: $id, until: $until, reason: $reason) { author { id } } }`;
        expectOnlyClientErrors(await t.gql(query, { id: toGlobalId("Author", 1), until, reason }, { token: TEST_TOKEN }), undefined, true);
      }),
      { numRuns: RUNS },
    );
  });

  it("every word list a moderator sends is stored or refused with BAD_USER_INPUT", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("BANNED", "SUSPECT"), fc.array(anyText, { maxLength: 8 }), async (kind, words) => {
        const query = `mutation($kind: WordListKind!, $words: [String!]!) { setWordList(kind: $kind, words: $words) { banned suspect } }`;
        expectOnlyClientErrors(await t.gql(query, { kind, words }, { token: TEST_TOKEN }));
      }),
      { numRuns: RUNS },
    );
  });

  /** Ids past PostgreSQL's 32-bit row ids: each type, so every lookup meets its own. */
  const outOfRange = NODE_TYPES.slice(0, 5).flatMap((type) => [[b64(`${type}:2147483648`)], [b64(`${type}:9007199254740991`)]]);

  it.each(lookups)("every id sent to %s gives data, null, BAD_USER_INPUT or NOT_FOUND", async (_name, query, options) => {
    await fc.assert(
      fc.asyncProperty(anyId(), async (id) => {
        expectOnlyClientErrors(await t.gql(query, { id }, options));
      }),
      { numRuns: RUNS, examples: outOfRange },
    );
  });

  const texts: [string, string][] = [
    ["article(slug)", `query($s: String!) { article(slug: $s) { id } }`],
    ["tag(slug)", `query($s: String!) { tag(slug: $s) { id } }`],
    ["author(name)", `query($s: String!) { author(name: $s) { id } }`],
    ["articles(where.section)", `query($s: String!) { articles(where: { section: $s }) { totalCount nodes { id } } }`],
    ["articles(where.search)", `query($s: String!) { articles(where: { search: $s }) { totalCount nodes { id } } }`],
    ["articles(where.tagSlugIn)", `query($s: String!) { articles(where: { tagSlugIn: [$s, "generated"] }) { totalCount nodes { id } } }`],
  ];

  it.each(texts)("every text sent to %s gives data, null or BAD_USER_INPUT", async (_name, query) => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        expectOnlyClientErrors(await t.gql(query, { s: text }));
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses filters too large to send as SQL parameters", async () => {
    const words = Array.from({ length: 40_000 }, (_, i) => `w${i}`).join(" ");
    expectOnlyClientErrors(await t.gql(`query($s: String!) { articles(where: { search: $s }) { totalCount } }`, { s: words }));
    const slugs = Array.from({ length: 40_000 }, (_, i) => `s${i}`);
    expectOnlyClientErrors(await t.gql(`query($s: [String!]) { articles(where: { tagSlugIn: $s }) { totalCount } }`, { s: slugs }));
  });
});
