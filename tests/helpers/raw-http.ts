import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as they came, still encoded when Content-Encoding says so. */
  raw: Buffer;
  /** The body decoded from its Content-Encoding (br, gzip, or none). */
  body: Buffer;
  text: string;
}

/**
 * One HTTP request with exactly the headers given (fetch would add Accept-Encoding and decode
 * the answer itself); the raw bytes and the decoded ones.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const encoding = res.headers["content-encoding"];
        const body = encoding === "br" ? brotliDecompressSync(raw) : encoding === "gzip" ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body, text: body.toString("utf8") });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
