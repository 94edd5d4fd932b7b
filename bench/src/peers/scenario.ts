/** The benchmark's one flag — 30 % rollout for users in a set of countries — and the users it is asked about. */

export const FLAG_KEY = "checkout-v2";
export const ROLLOUT_PERCENT = 30;
/** Countries targeted by the flag; users come from these and as many others. */
export const TARGET_COUNTRIES = [
  "US",
  "CA",
  "MX",
  "BR",
  "AR",
  "GB",
  "IE",
  "FR",
  "DE",
  "AT",
  "CH",
  "IT",
  "ES",
  "PT",
  "NL",
  "BE",
  "SE",
  "NO",
  "DK",
  "FI",
];
export const OTHER_COUNTRIES = [
  "JP",
  "KR",
  "CN",
  "IN",
  "AU",
  "NZ",
  "ZA",
  "NG",
  "EG",
  "KE",
  "TR",
  "GR",
  "PL",
  "CZ",
  "HU",
  "RO",
  "UA",
  "IL",
  "SA",
  "AE",
];

export interface User {
  id: string;
  country: string;
}

/** `count` users (a power of two, for cheap cycling), half of them in targeted countries. */
export function makeUsers(count: number): User[] {
  const all = [...TARGET_COUNTRIES, ...OTHER_COUNTRIES];
  return Array.from({ length: count }, (_, i) => ({
    id: `user-${i * 7919 + 13}`,
    country: all[(i * 31) % all.length],
  }));
}

export function targeted(user: User): boolean {
  return TARGET_COUNTRIES.includes(user.country);
}
