import { readdirSync } from "fs";
import { parseDump } from "../../src/ingest/parse-dump";
import type { ParsedArticle, ParsedComment, ParsedDump } from "../../src/ingest/dump.types";
import { REAL_SEED, REAL_SEED_ARTICLE, SEEDS_DIR, comment, readSeed } from "./dump-fixtures";

/** Every bundled seed, compared whole. Together they cover the variations of the dump layout (docs/operating.md, Seeding from dumps). */

type Row = [string | null, boolean, string];
const rows = (list: Row[]): ParsedComment[] => list.map(([a, h, b]) => comment(a, h, b));

const DIPLOMATS = "Russian, Chinese Diplomats Discuss Syrian Settlement Ahead of Geneva Talks";
const METRO = "Moscow Metro Opens Three New Stations on 'Big Circle' Line";
const CLOCKS = 'Europe Debates Scrapping Daylight Saving Time: "Two Clock Changes Too Many"';
const PALMYRA = "Syrian Army Regains Control of Palmyra Ancient Site - Reports";
const FIREWORKS = "New Year Fireworks Light Up Moscow Skies as Russians Welcome 2018";
const CHINA = REAL_SEED_ARTICLE.title;

const EXPECTED: Record<string, ParsedDump> = {
  [REAL_SEED]: { article: REAL_SEED_ARTICLE, warnings: [] },

  // No photo, hyphen dateline, one-digit day without a leading zero.
  "001_russian-chinese-diplomats-discuss-syrian-settlement.txt": {
    article: {
      title: DIPLOMATS,
      publishedAt: new Date("2017-04-07T08:20:00.000Z"),
      section: "Politics",
      imageCaption: null,
      imageCredit: null,
      dateline: "BEIJING (Sputnik)",
      paragraphs: [
        "Russian Deputy Foreign Minister and his Chinese counterpart discussed the prospects of the Syrian settlement on Friday, ahead of the next round of intra-Syrian talks in Geneva, the Chinese Foreign Ministry said.",
        "The two sides agreed that a political solution remained the only way out of the crisis and stressed the importance of the ceasefire regime brokered by Russia, Turkey and Iran.",
        "According to the ministry, the diplomats also exchanged views on humanitarian aid deliveries to Aleppo and the fight against terrorism, including the threat posed by foreign fighters returning to their home countries.",
        'Beijing has repeatedly said that it supports the UN-led process and is ready to play a "constructive role" in the reconstruction of Syria once the conflict is over.',
      ],
      relatedLinks: [{ title: CHINA }, { title: METRO }, { title: PALMYRA }],
      tags: ["Syria", "China", "Russia", "Geneva talks"],
      comments: rows([
        [
          "Nikolai_K",
          true,
          "Good. Two permanent members of the Security Council talking to each other is better than one of them bombing first and talking later.",
        ],
        [null, false, "Geneva again... how many rounds is this now? Eight?"],
        [null, true, "Finally some diplomacy instead of headlines."],
      ]),
    },
    warnings: [],
  },

  // No comments, em-dash dateline, day with a leading zero, a duplicate tag.
  "002_moscow-metro-opens-three-new-stations.txt": {
    article: {
      title: METRO,
      publishedAt: new Date("2017-03-03T15:45:00.000Z"),
      section: "Russia",
      imageCaption: "Passengers on the platform of a new Moscow Metro station",
      imageCredit: "© Sputnik/ Evgeny Biyatov",
      dateline: "MOSCOW (Sputnik)",
      paragraphs: [
        "The Moscow Metro opened three new stations on the Big Circle Line on Friday, the city's mayor's office said in a statement.",
        "The stations, built in just over two years, will serve about 150,000 passengers a day and relieve pressure on the crowded central ring.",
        '"This is the largest metro construction program in the world right now," the head of the city\'s construction department told reporters at the opening ceremony.',
        "The Big Circle Line is expected to be completed by 2020, when it will become the longest circular subway line in the world at around 70 kilometers.",
      ],
      relatedLinks: [{ title: CLOCKS }, { title: FIREWORKS }],
      tags: ["Moscow", "Metro", "transport"],
      comments: [],
    },
    warnings: ['line 21: duplicate tag "Moscow" dropped'],
  },

  // CRLF and a BOM, a negative offset, unicode commenters, a title with quotes and a colon.
  "003_arctic-shipping-northern-sea-route-record.txt": {
    article: {
      title: "Arctic Shipping: Record 'Northern Sea Route' Traffic Expected This Summer",
      publishedAt: new Date("2017-06-14T14:05:00.000Z"),
      section: "Business",
      imageCaption: "A nuclear-powered icebreaker leads a tanker through the Kara Sea",
      imageCredit: "© REUTERS/ Sergei Karpukhin",
      dateline: "ARKHANGELSK (Sputnik)",
      paragraphs: [
        "Cargo traffic along the Northern Sea Route is expected to reach a record level this summer, as more shipping companies test the Arctic passage between Europe and Asia, the route's administration said on Wednesday.",
        "The administration has already issued over 400 permits for the 2017 navigation season, compared with about 300 for the whole of last year.",
        "Liquefied natural gas carriers serving the Yamal project account for most of the growth, while several container lines have announced trial voyages.",
        "Environmental groups have warned that the increase in traffic raises the risk of fuel spills in one of the most fragile ecosystems on the planet.",
      ],
      relatedLinks: [{ title: DIPLOMATS }],
      tags: ["Arctic", "Northern Sea Route", "shipping", "LNG"],
      comments: rows([
        ["Дмитрий Соколов", true, "Я работал на ледоколе «Ямал» десять лет. Маршрут стал намного легче, но зимой всё равно без ледокола никак."],
        ["王小明", true, "中国的航运公司对北方海航道非常感兴趣。这条路线比苏伊士运河短得多。"],
        [
          "José Álvarez-Peña",
          true,
          "Shorter route, less fuel... but who pays when something goes wrong up there?\n\nInsurance companies already charge a fortune for these voyages.",
        ],
        ["Nikolai_K", true, "José, the same question applies to every tanker in the Gulf of Mexico. At least here the ice-class ships are built for it."],
        ["Zoë O'Brien", true, "I'd love to see the route on a map. Does anyone have a link? https://example.org/nsr-map"],
        ["Дмитрий Соколов", true, "Nikolai_K, точно. И экипажи там лучшие в мире."],
        [null, false, "😀 Great news for the northern towns, they need the jobs."],
      ]),
    },
    warnings: [],
  },

  // A long thread with repeated commenters and multi-paragraph comments.
  "004_europe-debates-scrapping-daylight-saving-time.txt": {
    article: {
      title: CLOCKS,
      publishedAt: new Date("2017-03-26T19:10:00.000Z"),
      section: "Society",
      imageCaption: "Clock tower of the Kazan Kremlin",
      imageCredit: "© AP Photo/ Michael Sohn",
      dateline: "BRUSSELS (Sputnik)",
      paragraphs: [
        "Clocks across most of Europe went forward by one hour on Sunday, reviving a debate over whether the twice-yearly change still makes sense.",
        "Several members of the European Parliament have called on the European Commission to review the rules, citing studies that link the change to sleep disorders and a spike in road accidents in the following days.",
        'Russia abolished seasonal clock changes in 2011 and, after a brief experiment with permanent "summer" time, settled on permanent standard time in 2014.',
        "Supporters of daylight saving time say the extra hour of evening light reduces energy consumption and encourages outdoor activities, although recent research suggests the energy savings are minimal.",
        "A public consultation could be launched as early as next year, a Commission spokesperson said.",
      ],
      relatedLinks: [{ title: CHINA }, { title: METRO }],
      tags: ["daylight saving time", "European Union", "European Parliament", "Russia"],
      comments: rows([
        ["Nikolai_K", true, "We stopped doing this in Russia years ago and nobody misses it."],
        [null, false, "Lost an hour of sleep again. Every single year I forget."],
        [
          "Marta L.",
          true,
          "My kids were up at 5 this morning because their bodies have no idea what the clock says.\n\nTwo weeks of chaos, twice a year. For what?",
        ],
        [
          "teddy j",
          true,
          "the ENERGY argument is a MYTH -- people just use the air conditioning in the evening instead of the lights in the morning .\n\nstudies show it .\n\nend it NOW .",
        ],
        [null, true, "Farmers never wanted it either, cows don't care about clocks."],
        [
          "Henrik S.",
          true,
          "In Norway the difference in daylight is so huge anyway that one hour hardly matters. In June it is light all night, in December it is dark all day.",
        ],
        ["Nikolai_K", true, "Henrik, exactly. Near the Arctic circle the whole idea is absurd."],
        [null, false, "Keep summer time all year, light evenings are worth it."],
        [
          "Marta L.",
          true,
          "Permanent summer time means dark mornings in winter. Russia tried it, children walked to school in pitch darkness until ten o'clock.",
        ],
        ["Pierre D.", true, "En France tout le monde se plaint mais personne ne fait rien.\nTypique."],
        ["teddy j", true, "Marta is right. permanent STANDARD time is the only sane choice."],
        [null, true, "Does anyone actually know who decides this? The EU or each country?"],
        ["Henrik S.", true, "It is an EU directive from 2000, so the member states cannot simply opt out on their own."],
        [null, false, "Another thing Brussels decides for us. Figures."],
        [
          "Anna K.",
          true,
          "I work night shifts in a hospital. The autumn change means one shift is 13 hours, the spring one is 11. Payroll never gets it right.\n\nPlease, abolish it.",
        ],
        ["Nikolai_K", true, "Anna, respect to you and your colleagues."],
        ["Giorgos P.", true, "Greece is two hours ahead of Central Europe in summer, people here barely notice the change. The heat is the bigger problem."],
        [null, true, "Studies about road accidents are real, I read one from Sweden. Heart attacks go up too on the Monday after the change."],
        ["teddy j", true, "see ? even the DOCTORS say it .\nwhy is this still a debate ."],
        ["Marta L.", true, "Because whichever time they choose, half the population will be unhappy."],
        [null, false, "Just let every country choose and be done with it."],
        ["Henrik S.", true, "That would be a nightmare for trains and flights. Imagine Benelux with three different time zones."],
        ["Pierre D.", true, "Henrik, we already have Spain on Central European time although it is west of London. Nobody died."],
        ["Anna K.", true, "And Spaniards have dinner at 10 pm. Maybe that is the explanation :)"],
        [null, true, "This is the most civilised comment section I have seen on this site."],
        ["Nikolai_K", true, "Give it time."],
        [
          "Oksana V.",
          true,
          "In Ukraine we still change the clocks. My grandmother refuses to move the clock in the kitchen, so half the house lives in winter time until October.",
        ],
        ["teddy j", true, "your grandmother is the ONLY reasonable person in this whole story ."],
        [null, false, "lol"],
        [
          "Giorgos P.",
          true,
          "The energy saving argument came from the First World War, when coal was rationed. A hundred years later we are still doing it out of habit.",
        ],
        ["Marta L.", true, "Interesting, I didn't know it was that old.\n\nIt explains a lot."],
        [null, true, "Benjamin Franklin joked about it even earlier, people should wake up with the sun and save candles."],
        ["Henrik S.", true, "He was joking, yes. The Germans were the first to actually do it in 1916."],
        ["Oksana V.", true, "Whatever they choose, please choose once. My phone changes the time by itself but the oven, the car and the microwave don't."],
        ["Anna K.", true, "The car one I fix once a year, in autumn. In spring I just live with the wrong time for six months."],
        [null, false, "Same here haha"],
        ["Pierre D.", true, 'A consultation "as early as next year". So nothing will happen before 2020. Bureaucracy at its best.'],
        ["Nikolai_K", true, "Pierre, in Russia it took one presidential decree. Efficient, for better or worse."],
        ["Giorgos P.", true, "And then a second decree to undo the first one three years later :)"],
        ["teddy j", true, "at least they FIXED it .\n\nthe EU will form a COMMITTEE to study the committee ."],
        [null, true, "Does the change really affect health? I never notice anything."],
        ["Anna K.", true, "Most people don't notice anything consciously. The statistics notice it for them.\n\nIt is like jet lag for a whole continent."],
        ["Marta L.", true, "Jet lag for a whole continent, I'm stealing that line."],
        ["Oksana V.", true, "Good night everyone, or good evening, depending on which clock you believe."],
      ]),
    },
    warnings: [],
  },

  // Cut off in the middle of the last comment, no final newline.
  "005_syrian-army-regains-control-of-palmyra.txt": {
    article: {
      title: PALMYRA,
      publishedAt: new Date("2017-03-02T04:40:00.000Z"),
      section: "Military & Intelligence",
      imageCaption: "Syrian army soldiers near the ancient citadel of Palmyra",
      imageCredit: "© AFP 2017/ Joseph Eid",
      dateline: "DAMASCUS (Sputnik)",
      paragraphs: [
        "The Syrian Arab Army has regained full control of the ancient site of Palmyra after Daesh militants retreated from the city overnight, local media reported Thursday.",
        "Engineering units have begun clearing mines left by the terrorists around the Roman theater and the Tetrapylon, both of which were badly damaged during the group's occupation.",
        "The city changed hands several times during the conflict; Daesh first seized it in May 2015 and recaptured it in December 2016, while the Syrian army was focused on Aleppo.",
      ],
      relatedLinks: [{ title: CHINA }, { title: DIPLOMATS }],
      tags: ["Palmyra", "Syria", "Daesh", "Syrian Arab Army"],
      comments: rows([
        ["Nikolai_K", true, "Second time liberated. I hope this time the city is held for good."],
        [
          "teddy j",
          true,
          "and where is the US-led COALITION when Palmyra is being liberated ? nowhere .\n\nthe archaeologists of the whole world should say THANK YOU .",
        ],
        [null, false, "The Tetrapylon was two thousand years old. Unforgivable what they did to it."],
        [
          "Marta L.",
          true,
          "Does anyone know if the museum collection survived? I read that some of the statues were evacuated to Damascus in 2015, but the rest",
        ],
      ]),
    },
    warnings: ["no 'Show new comments' footer: the dump looks truncated after line 37; the last comment may be incomplete"],
  },

  // Just after midnight Moscow time on 1 January: 31 December in UTC. Non-breaking spaces,
  // trailing whitespace, a homoglyph in "All comments", no related headlines.
  "006_new-year-fireworks-light-up-moscow.txt": {
    article: {
      title: FIREWORKS,
      publishedAt: new Date("2017-12-31T22:15:00.000Z"),
      section: "Russia",
      imageCaption: "Fireworks over the Kremlin and Saint Basil's Cathedral on New Year's night",
      imageCredit: "© Sputnik/ Ramil Sitdikov",
      dateline: "MOSCOW (Sputnik)",
      paragraphs: [
        "Thousands of people gathered on Red Square and along the Moscow River embankments to watch the New Year fireworks as the Kremlin clock struck midnight.",
        "The capital's authorities set up 36 fireworks sites across the city, with the main display launched from Sparrow Hills and Luzhniki.",
        "Public transport worked through the night, and the metro carried more than 800,000 passengers between 10 p.m. and 6 a.m., the city's transport department said.",
        "Celebrations passed without serious incidents, according to the police, although several people were detained for using pyrotechnics in prohibited areas.",
      ],
      relatedLinks: [],
      tags: ["Moscow", "New Year", "celebrations", "fireworks"],
      comments: rows([
        ["Oksana V.", true, "С Новым годом! Happy New Year from Kiev to all the readers."],
        [null, false, "Beautiful pictures. Greetings from Belgrade!"],
        ["Nikolai_K", true, "Was there on the embankment, minus twelve and still worth it."],
      ]),
    },
    warnings: [],
  },

  // Cut off in the middle of the body: no tags, no related headlines, no thread.
  "007_iss-crew-completes-six-hour-spacewalk.txt": {
    article: {
      title: "ISS Crew Completes Six-Hour Spacewalk to Replace Cooling Pump",
      publishedAt: new Date("2017-05-09T11:02:00.000Z"),
      section: "Science",
      imageCaption: null,
      imageCredit: null,
      dateline: "HOUSTON (Sputnik)",
      paragraphs: [
        "Two members of the International Space Station crew completed a six-hour spacewalk on Tuesday to replace a faulty pump in the station's cooling system, NASA said in a statement.",
        "The astronauts removed the failed pump module and installed a spare that had been stored outside the station since 2010, allowing engineers to restore full cooling capacity.",
        "Mission controllers said the work went faster than planned, although one of the astronauts briefly reported a small amount of water in his helmet, a problem that",
      ],
      relatedLinks: [],
      tags: [],
      comments: [],
    },
    warnings: ["no tags line: the dump looks truncated (it ends inside the body at line 11)"],
  },
};

describe("bundled seeds", () => {
  const files = readdirSync(SEEDS_DIR)
    .filter((f) => f.endsWith(".txt"))
    .sort();

  it("has an expectation for every seed file", () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)("%s parses to the expected article and warnings", (file) => {
    expect(parseDump(readSeed(file), file)).toEqual(EXPECTED[file]);
  });

  it("link each other: every related headline naming a seed's title matches exactly", () => {
    const titles = new Set(Object.values(EXPECTED).map((d) => d.article.title));
    const resolved = Object.values(EXPECTED).flatMap((d) => d.article.relatedLinks.filter((l) => titles.has(l.title)).map((l) => l.title));
    expect(new Set(resolved)).toEqual(new Set([CHINA, DIPLOMATS, METRO, CLOCKS, PALMYRA, FIREWORKS]));
  });

  it("cover what the format family promises", () => {
    const articles: ParsedArticle[] = Object.values(EXPECTED).map((d) => d.article);
    const raw = files.map(readSeed);
    expect(raw.some((t) => t.startsWith("\uFEFF") && t.includes("\r\n"))).toBe(true);
    expect(articles.some((a) => a.imageCredit === null)).toBe(true);
    expect(articles.some((a) => a.comments.length === 0 && a.tags.length > 0)).toBe(true);
    expect(Math.max(...articles.map((a) => a.comments.length))).toBeGreaterThanOrEqual(40);
    const byAuthor = (name: string): number => articles.filter((a) => a.comments.some((c) => c.author === name)).length;
    expect(byAuthor("Nikolai_K")).toBeGreaterThanOrEqual(3);
    expect(byAuthor("teddy j")).toBeGreaterThanOrEqual(3);
  });
});
