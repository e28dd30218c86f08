/**
 * Brotli and gzip for text answers, chosen from the request's Accept-Encoding.
 *
 * `compressResponses` hooks a response's write and end, on node's own request and response, so
 * the one function serves express's routes and the direct POST path (graphql-post.ts) alike; the
 * server runs it once, before either. It compresses a response when, at its first write, its type
 * is text (HTML, JS, CSS, JSON, XML, GraphQL answers), it is larger than the threshold (or of
 * unknown length, a stream), and nothing encoded it yet. Every answer of a text type says
 * `Vary: Accept-Encoding`, compressed or not, so a cache keeps one copy per encoding.
 *
 * The built app's files are compressed once, by scripts/build.mjs (`.br` and `.gz` beside each);
 * `precompressedFiles` serves those, and then this hook leaves them alone.
 */
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { constants as zlib, createBrotliCompress, createGzip } from "node:zlib";
import type { Transform } from "node:stream";
import type { RequestHandler } from "express";

export type ContentEncoding = "br" | "gzip";

/** Answers smaller than this go as they are: the framing would cost more than it saves. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * Levels for answers compressed per request: the lowest. Higher ones saved a few points more of a
 * large answer for several times the CPU (docs/operating.md, "Crawlers, feeds and compression", has the
 * measurement); the 11 and 9 of build time are for files compressed once.
 */
export const DYNAMIC_LEVELS = { brotli: 1, gzip: 1 };

/** Preferred first when the client weighs them alike. */
const ENCODINGS: ContentEncoding[] = ["br", "gzip"];

/**
 * The encoding to answer in: the highest-weighted of br and gzip the client accepts (br on a tie),
 * or null when it accepts neither (no header, `identity`, or both refused with q=0).
 */
export function acceptedEncoding(header: string | string[] | undefined): ContentEncoding | null {
  if (header === undefined) return null;
  const weights = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(",") : header).split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split("=");
      if (key === "q") q = Number(value);
    }
    if (Number.isFinite(q) && !weights.has(name)) weights.set(name, q);
  }
  let best: ContentEncoding | null = null;
  let bestWeight = 0;
  for (const encoding of ENCODINGS) {
    const weight = weights.get(encoding) ?? weights.get("*") ?? 0;
    if (weight > bestWeight) {
      best = encoding;
      bestWeight = weight;
    }
  }
  return best;
}

/** Types worth compressing: text, and the structured text that says so in its subtype. */
export function isCompressibleType(contentType: string | number | string[] | undefined): boolean {
  if (typeof contentType !== "string") return false;
  const type = contentType.split(";")[0].trim().toLowerCase();
  return (
    type.startsWith("text/") ||
    type === "application/json" ||
    type === "application/javascript" ||
    type === "application/xml" ||
    type === "image/svg+xml" ||
    type.endsWith("+json") ||
    type.endsWith("+xml")
  );
}

function addVary(res: ServerResponse): void {
  const vary = res.getHeader("vary");
  const current = Array.isArray(vary) ? vary.join(", ") : vary === undefined ? "" : String(vary);
  if (current.split(",").some((name) => ["accept-encoding", "*"].includes(name.trim().toLowerCase()))) return;
  res.setHeader("vary", current ? `${current}, Accept-Encoding` : "Accept-Encoding");
}

function compressor(encoding: ContentEncoding, sizeHint: number | null): Transform {
  if (encoding === "gzip") return createGzip({ level: DYNAMIC_LEVELS.gzip });
  const params: Record<number, number> = { [zlib.BROTLI_PARAM_QUALITY]: DYNAMIC_LEVELS.brotli, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT };
  if (sizeHint !== null) params[zlib.BROTLI_PARAM_SIZE_HINT] = sizeHint;
  return createBrotliCompress({ params });
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === "string") return Buffer.byteLength(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  return (chunk as Uint8Array).byteLength;
}

type Write = ServerResponse["write"];
type End = ServerResponse["end"];

/**
 * Compresses the response's body, when it should be, as its handler writes it. Handlers write as
 * they would anyway; `next` runs them. A handler that calls writeHead itself before its first
 * write has sent its headers and is left as it is.
 */
export function compressResponses(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const accepted = acceptedEncoding(req.headers["accept-encoding"]);
    const write = res.write as (...args: unknown[]) => boolean;
    const end = res.end as (...args: unknown[]) => ServerResponse;
    let stream: Transform | null | undefined;

    /** Decides, before the headers go, whether this body is compressed; `length` is the whole body's when known. */
    const start = (length: number | null): Transform | null => {
      if (stream !== undefined) return stream;
      stream = null;
      if (res.headersSent || !isCompressibleType(res.getHeader("content-type"))) return null;
      addVary(res);
      const status = res.statusCode;
      if (accepted === null || req.method === "HEAD" || status < 200 || status === 204 || status === 206 || status === 304) return null;
      if (res.getHeader("content-encoding") !== undefined) return null;
      if (/\bno-transform\b/i.test(String(res.getHeader("cache-control") ?? ""))) return null;
      const declared = res.getHeader("content-length");
      const size = declared !== undefined ? Number(declared) : length;
      if (size !== null && size < COMPRESSION_THRESHOLD_BYTES) return null;
      res.removeHeader("content-length");
      res.setHeader("content-encoding", accepted);
      stream = compressor(accepted, size);
      const body = stream;
      body.on("data", (chunk: Buffer) => {
        if (!write.call(res, chunk)) body.pause();
      });
      res.on("drain", () => body.resume());
      body.on("end", () => end.call(res));
      // The client cannot be told once the body has begun: the connection closes mid-answer.
      body.on("error", (error) => {
        console.error("threadline: compressing an answer failed:", error);
        res.destroy();
      });
      // A writer that waits for "drain" (a streamed sitemap) waits on the compressor's.
      body.on("drain", () => res.emit("drain"));
      (res as ServerResponse & { flush?: () => void }).flush = () => (body as Transform & { flush(): void }).flush();
      return body;
    };

    res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
      const body = start(null);
      if (!body) return write.call(this, chunk, encoding, callback);
      return body.write(
        chunk,
        typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8",
        typeof callback === "function" ? (callback as () => void) : typeof encoding === "function" ? (encoding as () => void) : undefined,
      );
    } as Write;

    res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown): ServerResponse {
      const hasBody = chunk !== undefined && chunk !== null && typeof chunk !== "function";
      const body = start(stream === undefined ? (hasBody ? byteLength(chunk, encoding) : 0) : null);
      if (!body) return end.call(this, chunk, encoding, callback);
      const done = [chunk, encoding, callback].find((arg) => typeof arg === "function") as (() => void) | undefined;
      if (done) this.once("finish", done);
      if (hasBody) body.end(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
      else body.end();
      return this;
    } as End;

    next();
  };
}

/** The suffix of each encoding's file beside the plain one. */
const SUFFIX: Record<ContentEncoding, string> = { br: ".br", gzip: ".gz" };

/**
 * Serves `root`'s files compressed at build time: for a GET of `x.js` from a client that accepts
 * br, `x.js.br` with `Content-Encoding: br` and x.js's type; `next()` when there is no such file
 * (express.static then serves the plain one), given the same caching as express.static gives it.
 */
export function precompressedFiles(root: string, caching: { maxAge: string; immutable: boolean }): RequestHandler {
  const base = normalize(root + sep);
  return (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || req.headers.range !== undefined) return next();
    const encoding = acceptedEncoding(req.headers["accept-encoding"]);
    let path: string;
    try {
      path = normalize(join(base, decodeURIComponent(req.path)));
    } catch {
      return next();
    }
    if (!path.startsWith(base) || path.includes("\0")) return next();
    res.vary("Accept-Encoding");
    if (encoding === null) return next();
    const file = path + SUFFIX[encoding];
    stat(file).then(
      (info) => {
        if (!info.isFile()) return next();
        res.type(extname(path));
        res.setHeader("content-encoding", encoding);
        res.sendFile(file, { ...caching, lastModified: true, etag: true }, (error) => {
          if (error && !res.headersSent) {
            res.removeHeader("content-encoding");
            next();
          }
        });
      },
      () => next(),
    );
  };
}
