/** The parser's output: what one text dump says, with no database concepts in it. */

export interface ParsedComment {
  /** Display name when the dump shows one; null for an anonymous comment. */
  author: string | null;
  hasAvatar: boolean;
  /** Paragraphs separated by "\n\n", single line breaks kept as "\n". */
  body: string;
}

export interface ParsedRelatedLink {
  title: string;
}

export interface ParsedArticle {
  title: string;
  /** The instant of publication (a Date is always UTC inside). */
  publishedAt: Date;
  section: string | null;
  imageCaption: string | null;
  imageCredit: string | null;
  /** e.g. "MOSCOW (Sputnik)", taken off the paragraph it opened. */
  dateline: string | null;
  paragraphs: string[];
  relatedLinks: ParsedRelatedLink[];
  /** Tag names as written, in dump order, without duplicates. */
  tags: string[];
  /** In thread order. Dumps hold top-level comments only. */
  comments: ParsedComment[];
}

export interface ParsedDump {
  article: ParsedArticle;
  warnings: string[];
}
