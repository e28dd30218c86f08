/** Shared material for the parser tests: the real seed's expected parse and a small base article. */
import { readFileSync } from "fs";
import { join } from "path";
import type { ParsedArticle, ParsedComment } from "../../src/ingest/dump.types";

export const SEEDS_DIR = join(__dirname, "..", "..", "seeds");
export const BAD_DUMPS_DIR = join(__dirname, "..", "fixtures", "dumps");
export const REAL_SEED = "000_264e2ba6f5280dab.txt";

export function readSeed(name: string): string {
  return readFileSync(join(SEEDS_DIR, name), "utf8");
}

export function comment(author: string | null, hasAvatar: boolean, body: string): ParsedComment {
  return { author, hasAvatar, body };
}

export const REAL_SEED_ARTICLE: ParsedArticle = {
  title: "China Could Join Russian Anti-Daesh Campaign in Syria - Reports",
  publishedAt: new Date("2017-02-24T12:50:00.000Z"),
  section: "Military & Intelligence",
  imageCaption: "Russian helicopters Mi-24p airstrike the terrorists' positions 20 km outside Palmyra",
  imageCredit: "© Sputnik/ Mikhail Voskresenskiy",
  dateline: "MOSCOW (Sputnik)",
  paragraphs: [
    "China could join the fight against the Islamic State (Daesh) terrorist group, also known as Daesh, aiding Russia in its anti-Daesh efforts, The Washington Times reports.",
    'China is concerned about a growing number of "Chinese-origin" terrorists within Daesh group, which is banned in a range of countries, including Russia and the United States, the newspaper said on Wednesday.',
    '"The real question is whose side will they be on," a defense official was quoted as saying by The Washington Times, which suggested that Beijing will side with the Russian campaign against Daesh instead of joining forces with the US-led anti-Daesh coalition.',
    "Daesh, a terrorist group, has seized vast areas in Iraq and Syria, becoming notorious for various human rights atrocities. The group has also claimed responsibility for a number of major terrorist acts, including the November 13 terrorist attacks in Paris.",
    "Daesh is known for its successful recruitment of young members from across the world through social networking websites and the spread of online propaganda.",
    "A US-led international coalition has been launching airstrikes against Daesh targets in Syria and Iraq since September 2014, without the permission of Damascus or the United Nations. Russia started carrying out precision airstrikes against Daesh in Syria in September 2015, at the request of Assad.",
  ],
  relatedLinks: [
    { title: "Mass Production: Daesh Begins Recruiting Fighters in China" },
    { title: "China Vows to Punish ISIL Terrorists for Killing Chinese Hostage" },
    { title: "US Plans to Prevent China From Helping Russia to Fight ISIL" },
  ],
  tags: ["Daesh", "China", "Syria", "Russia"],
  comments: [
    comment(
      null,
      true,
      "surely the americans are not that stupid they would even consider China siding with the Devil (usa)..Not a chance..we... the rest of the world want peace and a rest from american exceptionalism. yankee go home",
    ),
    comment(null, false, "Hillarious!! Can you imagine China joining fake US anti-daesh coalition that actually delivers guns to daesh."),
    comment(
      null,
      true,
      'Extremists from the group of Uyghurs could be a serious problem in China in the long run. Turkey, especially with the "Sultan Erdogan" has been inciting a rebelious attitude in that group. I would not blame the Chinese, whatever they do in this case.',
    ),
    comment(
      null,
      true,
      "China must involve. China hundreds of air training sorties never compare to one real war action, plus China must get rid of those old bombs as they may have been in storage for decades.",
    ),
    comment(
      "teddy j",
      true,
      [
        "the only thing worse than doing NOTHING or 'sitting on the fence\" with what is now clearly nonsensical ''neutrality\" is to side WITH the USA.",
        "THE only PROPER thing to do is get OFF the fence-sitting -- and JOIN RUSSIA without neutrality .",
        "the USA and TERRORISTS are on the side RUSSIA, SYRIA, IRAN are fighting -- that much is clear .",
        "and china must CLEARLY choose and end the ''being friends to all\".",
        "the USA is no friend to china or russia or even its own ''allies\" but an enemy to countries with its only motive to dominate, control and conquer -- and HAS BEEN USING terrorists as ONE of the ways to do it....both as actual ''front-men\" ''armies\" that bring chaos, terror and destruction which the USA then uses as justification and a mask to appear like a 'savior and defender from\" terrorism...\n" +
          "the OTHER way of course is the direct involvement of the USA itself in regime change, undermining countries economically, diplomatically and in every way possible that the USA keeps cooking up from its recipes of aggression against countries on earth.",
        "and CHINA can NOT presume that by trying to be 'out of the way\" to avoid conflict with the USA china is going to escape the USA'S Attempts to do to china what it tries to do to russia in many other ways.",
      ].join("\n\n"),
    ),
    comment(
      null,
      true,
      "China would not get involved on the opposite side of the International law in this case. They had to change their internal laws and policies in order to have this option available, so there is no way in hell they would join the USA. Erase that as a possibility.",
    ),
  ],
};

/** A small, well-formed article to vary in the inline tests. */
export const BASE: ParsedArticle = {
  title: "Test Title",
  publishedAt: new Date("2017-03-10T09:00:00.000Z"),
  section: "World",
  imageCaption: "A caption",
  imageCredit: "© Sputnik/ Someone",
  dateline: null,
  paragraphs: ["First paragraph.", "Second paragraph."],
  relatedLinks: [{ title: "Related One" }],
  tags: ["Russia", "China"],
  comments: [comment("Ann", true, "Hello."), comment(null, false, "Plain.")],
};
