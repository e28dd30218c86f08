import { engines } from "../helpers/databases";
import { startTestServer, TestServer } from "../helpers/test-server";

const SEED_TITLE = "China Could Join Russian Anti-Daesh Campaign in Syria - Reports";

describe.each(engines)("articles on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  });
  afterAll(() => t.close());

  it("serves the real seed article with every field, its comments in thread order", async () => {
    const data = await t.data(
      `query($slug: String!) {
        article(slug: $slug) {
          id slug title section publishedAt imageCaption imageCredit dateline paragraphs wordCount
          tags { name slug } relatedLinks { title position }
          commentCount
          comments(first: 10) { totalCount nodes { body hasAvatar depth position author { name } } }
        }
      }`,
      { slug: "china-could-join-russian-anti-daesh-campaign-in-syria-reports" },
    );
    const article = data.article;
    expect(article.title).toBe(SEED_TITLE);
    expect(article.section).toBe("Military & Intelligence");
    expect(article.publishedAt).toBe("2017-02-24T12:50:00.000Z");
    expect(article.imageCredit).toBe("© Sputnik/ Mikhail Voskresenskiy");
    expect(article.imageCaption).toBe("Russian helicopters Mi-24p airstrike the terrorists' positions 20 km outside Palmyra");
    expect(article.dateline).toBe("MOSCOW (Sputnik)");
    expect(article.paragraphs).toHaveLength(6);
    expect(article.paragraphs[1].startsWith("China is concerned about a growing number")).toBe(true);
    expect(article.tags.map((tag: { name: string }) => tag.name)).toEqual(["Daesh", "China", "Syria", "Russia"]);
    expect(article.relatedLinks.map((link: { position: number }) => link.position)).toEqual([1, 2, 3]);
    expect(article.commentCount).toBe(6);
    expect(article.comments.totalCount).toBe(6);
    const comments = article.comments.nodes;
    expect(comments.map((c: { position: number }) => c.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(comments[4].author).toEqual({ name: "teddy j" });
    expect(comments[1]).toMatchObject({ hasAvatar: false, author: null, depth: 0 });
    expect(comments[1].body.startsWith("Hillarious!!")).toBe(true);
    expect(comments[4].body).toContain("\n\nTHE only PROPER thing");

    const row = await t.db.dataSource.query(`SELECT "wordCount", "slug" FROM article WHERE "title" = '${SEED_TITLE}'`);
    expect(Number(row[0].wordCount)).toBe(article.wordCount);
    expect(article.wordCount).toBeGreaterThan(150);
  });

  it("finds an article by global id, and null for unknown or malformed ids", async () => {
    const { articles } = await t.data(`{ articles(first: 1) { nodes { id title } } }`);
    const [first] = articles.nodes;
    const byId = await t.data(`query($id: ID!) { article(id: $id) { title } node(id: $id) { id ... on Article { title } } }`, { id: first.id });
    expect(byId.article.title).toBe(first.title);
    expect(byId.node).toEqual({ id: first.id, title: first.title });
    const missing = await t.data(`{ a: article(id: "QXJ0aWNsZTo5OTk5OTk") { id } n: node(id: "junk!!") { id } m: node(id: "QXJ0aWNsZTo5OTk5OTk") { id } }`);
    expect(missing).toEqual({ a: null, n: null, m: null });
  });

  it("asks for exactly one of id and slug", async () => {
    const result = await t.gql(`{ article { id } }`);
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("pages forwards and backwards with opaque cursors and a correct pageInfo", async () => {
    const all = await t.data(`{ articles(first: 100) { totalCount nodes { id publishedAt } } }`);
    const total = all.articles.totalCount;
    const [{ count }] = await t.db.dataSource.query(`SELECT COUNT(*) AS count FROM article`);
    expect(total).toBe(Number(count));
    expect(total).toBeGreaterThanOrEqual(6);
    const ids: string[] = all.articles.nodes.map((n: { id: string }) => n.id);
    const times = all.articles.nodes.map((n: { publishedAt: string }) => n.publishedAt);
    expect([...times].sort().reverse()).toEqual(times);

    const collected: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = (
        await t.data(
          `query($after: String) { articles(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
          { after },
        )
      ).articles;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
      collected.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(collected).toEqual(ids);
    expect(pages).toBe(Math.ceil(total / 2));

    const backwards: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = (
        await t.data(`query($before: String) { articles(last: 3, before: $before) { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor } } }`, {
          before,
        })
      ).articles;
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      backwards.unshift(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backwards).toEqual(ids);
  });

  it("rejects bad cursors and page sizes with BAD_USER_INPUT", async () => {
    for (const args of [`first: 101`, `first: -1`, `last: 500`, `after: "nonsense"`, `before: "eyJ4IjoxfQ"`, `first: 2, last: 2`]) {
      const result = await t.gql(`{ articles(${args}) { totalCount } }`);
      expect({ args, code: result.errors?.[0].extensions?.code }).toEqual({ args, code: "BAD_USER_INPUT" });
      expect(result.data).toBeNull();
    }
    const nested = await t.gql(`{ articles(first: 1) { nodes { comments(after: "bad") { totalCount } } } }`);
    expect(nested.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const zero = await t.data(`{ articles(first: 0) { nodes { id } pageInfo { hasNextPage } } }`);
    expect(zero.articles).toEqual({ nodes: [], pageInfo: { hasNextPage: true } });
  });

  it("filters by tag, section, search and dates, and orders by comment count", async () => {
    const byTag = await t.data(`{ articles(where: { tagSlugIn: ["daesh"] }) { nodes { title tags { slug } } } }`);
    expect(byTag.articles.nodes.length).toBeGreaterThan(0);
    for (const node of byTag.articles.nodes) expect(node.tags.map((tag: { slug: string }) => tag.slug)).toContain("daesh");

    const bySection = await t.data(`{ articles(where: { section: "military & intelligence" }) { nodes { section } } }`);
    expect(bySection.articles.nodes.length).toBeGreaterThan(0);
    for (const node of bySection.articles.nodes) expect(node.section).toBe("Military & Intelligence");

    const bySearch = await t.data(`{ articles(where: { search: "beijing WASHINGTON" }) { totalCount nodes { title } } }`);
    expect(bySearch.articles.nodes.map((n: { title: string }) => n.title)).toEqual([SEED_TITLE]);
    const literal = await t.data(`{ articles(where: { search: "%" }) { totalCount } }`);
    expect(literal.articles.totalCount).toBe(0);

    const byDate = await t.data(`{ articles(where: { publishedAfter: "2017-02-24T12:50:00Z", publishedBefore: "2017-02-24T12:51:00Z" }) { nodes { title } } }`);
    expect(byDate.articles.nodes).toEqual([{ title: SEED_TITLE }]);
    const badRange = await t.gql(`{ articles(where: { publishedAfter: "2018-01-01T00:00:00Z", publishedBefore: "2017-01-01T00:00:00Z" }) { totalCount } }`);
    expect(badRange.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");

    const byCount = await t.data(`{ articles(first: 100, orderBy: COMMENT_COUNT_DESC) { nodes { commentCount } } }`);
    const counts = byCount.articles.nodes.map((n: { commentCount: number }) => n.commentCount);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    const page1 = await t.data(`{ articles(first: 2, orderBy: COMMENT_COUNT_DESC) { pageInfo { endCursor } nodes { commentCount } } }`);
    const page2 = await t.data(`query($after: String) { articles(first: 100, after: $after, orderBy: COMMENT_COUNT_DESC) { nodes { commentCount } } }`, {
      after: page1.articles.pageInfo.endCursor,
    });
    expect([...page1.articles.nodes, ...page2.articles.nodes].map((n: { commentCount: number }) => n.commentCount)).toEqual(counts);
  });

  it("resolves related headlines to known articles by title", async () => {
    const data = await t.data(`{ articles(first: 100) { nodes { title relatedLinks { title article { title } } } } }`);
    const links = data.articles.nodes.flatMap((n: { relatedLinks: unknown[] }) => n.relatedLinks);
    const resolved = links.filter((link: { article: unknown }) => link.article !== null);
    expect(resolved.length).toBeGreaterThan(0);
    for (const link of resolved) expect(link.article.title).toBe(link.title);
    expect(resolved.map((link: { title: string }) => link.title)).toContain(SEED_TITLE);
  });
});
