/**
 * Drafts that name a row the same transaction writes. A service writes its audit events and
 * emails before the store has given the new request (or the deactivated user) its id; it marks
 * the place with a slot, and the store fills every slot from the row it wrote. Plain data, so a
 * draft crosses to the database thread (or a database server) as it is: a callback could not.
 */
export interface Slot<Name extends string = string> {
  readonly $slot: Name;
}

/** A value to come from the written row: `slot('requestId')` where a number or a detail belongs. */
export function slot<Name extends string>(name: Name): Slot<Name> {
  return { $slot: name };
}

const START_OF_TEXT = '\u0002';
const END_OF_TEXT = '\u0003';
const TEXT_SLOT = new RegExp(`${START_OF_TEXT}(\\w+)${END_OF_TEXT}`, 'g');

/**
 * In text (an email's subject or body): replaced by the slot's value. Marked by STX and ETX,
 * control characters every typed field refuses (shared/ipc/text.ts), so a justification or a
 * name that spells a marker is text, not a slot the store fills.
 */
export function slotText<Name extends string>(name: Name): string {
  return `${START_OF_TEXT}${name}${END_OF_TEXT}`;
}

/** T, where any number, string, boolean or null may be a slot instead. */
export type Slotted<T> = T extends string | number | boolean | null
  ? T | Slot
  : T extends readonly (infer E)[]
    ? readonly Slotted<E>[]
    : T extends object
      ? { [K in keyof T]: Slotted<T[K]> }
      : T;

export type SlotValues = Readonly<Record<string, string | number | null>>;

const isSlot = (value: unknown): value is Slot =>
  value !== null && typeof value === 'object' && typeof (value as { $slot?: unknown }).$slot === 'string' && Object.keys(value).length === 1;

/** Fills every slot of a draft; a slot the store has no value for is a bug, and said so. */
export function fillSlots<T>(draft: Slotted<T>, values: SlotValues): T {
  const fill = (value: unknown): unknown => {
    if (isSlot(value)) {
      if (!Object.hasOwn(values, value.$slot)) throw new Error(`No value for the slot ${value.$slot}`);
      return values[value.$slot];
    }
    if (typeof value === 'string')
      return value.replace(TEXT_SLOT, (_whole, name: string) => {
        if (!Object.hasOwn(values, name)) throw new Error(`No value for the slot ${name}`);
        return String(values[name]);
      });
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value))
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fill(inner)]));
    return value;
  };
  return fill(draft) as T;
}
