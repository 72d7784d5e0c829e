/** Clock-time and zone checks shared by the config, the stored subscriptions and the digest schedule. */

/** HH:MM on a 24-hour clock, two digits each: a subscription's digest time as stored. */
export const TIME_SHAPE = /^([01]\d|2[0-3]):([0-5]\d)$/;

// Building a DateTimeFormat is the costly part of the check; a store holds few distinct zones.
const knownZones = new Set<string>();

/** Whether this Node's ICU knows the IANA time zone (Asia/Shanghai, Europe/Paris, UTC). */
export function isValidTimeZone(zone: string): boolean {
  if (!zone) return false;
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  knownZones.add(zone);
  return true;
}
