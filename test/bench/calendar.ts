/*
 * bench:calendar — business-time arithmetic on the example policy's calendar (Stockholm, lunch
 * break, holidays): 10,000 business hours forward from a Monday and back again (the longest span
 * an SLA or a velocity figure asks for, many times over), 50 runs after a warm-up. The unit
 * tests check the arithmetic; this prints how long it takes, as its last lines.
 */
import { DateTime } from 'luxon';
import { addBusinessMinutes, businessMinutesBetween } from '../../src/domain/calendar.js';
import { examplePolicy } from '../helpers/app.js';
import { percentile } from './measure.js';

const RUNS = 50;
const MINUTES = 10_000 * 60;

const calendar = examplePolicy().calendar;
const start = DateTime.fromISO('2026-01-05T09:00', { zone: calendar.timeZone }).toJSDate();
const once = (): number => {
  const began = performance.now();
  const end = addBusinessMinutes(calendar, start, MINUTES);
  if (businessMinutesBetween(calendar, start, end) !== MINUTES) throw new Error('forward and back disagree');
  return performance.now() - began;
};

once();
const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
console.log(
  `10,000 business hours forward and back, ${String(RUNS)} runs: p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`,
);
