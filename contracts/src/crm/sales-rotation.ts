/**
 * The round robin of new customers: the next active sales manager by id after the one who got the previous customer,
 * wrapping around to the lowest id. The position is a user id rather than an index, so adding or deactivating a
 * manager does not shift the others' turns.
 *
 * @param activeIds the ids of the active sales managers, in any order.
 * @param last the manager who got the previous customer; null before the first one.
 * @returns the manager to assign, or undefined when there is no active sales manager.
 * @example nextSalesManager([3, 5, 8], 5) // 8
 * @example nextSalesManager([3, 5, 8], 8) // 3
 */
export function nextSalesManager(activeIds: readonly number[], last: number | null): number | undefined {
  let next: number | undefined;
  let lowest: number | undefined;
  for (const id of activeIds) {
    if (lowest === undefined || id < lowest) lowest = id;
    if ((last === null || id > last) && (next === undefined || id < next)) next = id;
  }
  return next ?? lowest;
}
