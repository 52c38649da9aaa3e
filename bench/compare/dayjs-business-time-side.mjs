// dayjs-business-time's side of the engine comparison (see README.md).
//
//     node bench/compare/dayjs-business-time-side.mjs DIR [--once]
//
// Reads DIR/inputs.json (written by `cargo run --release -p replyby-core --example compare`),
// computes the respond-by of every scenario at every instant the way a JavaScript team would
// with dayjs + dayjs-business-time, and writes DIR/dayjs-business-time.json: the answers
// (RFC 3339 UTC) and how long the timed loop took (instant in, business minutes added,
// instant out; repeated until at least a second has passed). --once: the answers only.
//
// dayjs-business-time has no time zones: it reads hours and dates in the process's local
// zone. So this script sets process.env.TZ to the scenario's zone (Node applies a change of
// TZ at once) and checks that the clock really moved there before computing anything.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import dayjs from "dayjs";
import businessTime from "dayjs-business-time";

dayjs.extend(businessTime);

const require = createRequire(import.meta.url);
const version = (name) => require(`${name}/package.json`).version;

const DAYS = { mon: "monday", tue: "tuesday", wed: "wednesday", thu: "thursday", fri: "friday", sat: "saturday", sun: "sunday" };

function useZone(zone) {
  process.env.TZ = zone;
  const seen = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // 2027-07-01T12:00Z: New York is at UTC-4 then; any zone's offset must match Intl's.
  const probe = new Date(Date.UTC(2027, 6, 1, 12));
  const local = new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "numeric", hourCycle: "h23" }).format(probe);
  if (seen !== zone || Number(local) !== probe.getHours()) {
    throw new Error(`could not run in ${zone}: the process's zone is ${seen}`);
  }
}

function configure(scenario) {
  useZone(scenario.timezone);
  const hours = {};
  for (const [day, name] of Object.entries(DAYS)) {
    const intervals = scenario.hours[day];
    // A closed day must be null: an empty list counts as a business day and then fails.
    hours[name] = intervals.length ? intervals.map(([start, end]) => ({ start: `${start}:00`, end: `${end}:00` })) : null;
  }
  dayjs.setBusinessTime(hours);
  dayjs.setHolidays(scenario.holidays);
}

const rfc3339 = (seconds) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

const [out, ...flags] = process.argv.slice(2);
const once = flags.includes("--once");
const inputs = JSON.parse(readFileSync(`${out}/inputs.json`, "utf8"));
const { instants } = inputs;
const results = [];
for (const scenario of inputs.scenarios) {
  configure(scenario);
  const minutes = scenario.target_minutes;
  const respondBy = (t) => dayjs(t * 1000).addBusinessMinutes(minutes).valueOf() / 1000;
  const answers = instants.map((t) => {
    try {
      return rfc3339(respondBy(t));
    } catch (e) {
      return `error: ${e}`;
    }
  });
  let count = 0;
  let seconds = null;
  if (!once) {
    const start = performance.now();
    let sink = 0;
    for (;;) {
      for (const t of instants) sink += respondBy(t);
      count += instants.length;
      if (performance.now() - start >= 1000) break;
    }
    seconds = (performance.now() - start) / 1000;
    if (sink === 0) console.error("(unreachable: keeps the loop's results alive)");
  }
  results.push({ id: scenario.id, answers, timed_answers: count, seconds });
}
const output = {
  library: "dayjs-business-time",
  version: `${version("dayjs-business-time")} (dayjs ${version("dayjs")}, Node ${process.versions.node})`,
  scenarios: results,
};
writeFileSync(`${out}/dayjs-business-time.json`, `${JSON.stringify(output)}\n`);
