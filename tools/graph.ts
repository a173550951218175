/** Graph arithmetic the tools share. Pure. */

/**
 * Items in an order where each comes after every item it depends on; among the items that are
 * ready, the one listed first goes first, so the result is stable (Kahn's algorithm).
 * Dependencies on ids not among the items are ignored; a cycle throws, naming it
 * (`dependency cycle: a -> c -> b -> a`).
 */
export function topologicalOrder<T>(items: T[], idOf: (item: T) => string, dependsOn: (item: T) => string[]): T[] {
    const ids = new Set(items.map(idOf));
    const waitsFor = new Map(items.map((item) => [idOf(item), dependsOn(item).filter((d) => ids.has(d) && d !== idOf(item))]));
    const placed = new Set<string>();
    const order: T[] = [];
    while (order.length < items.length) {
        const next = items.find((item) => !placed.has(idOf(item)) && waitsFor.get(idOf(item))!.every((d) => placed.has(d)));
        if (next === undefined)
            throw new Error(
                `dependency cycle: ${cycleAmong(
                    items.map(idOf).filter((id) => !placed.has(id)),
                    waitsFor,
                    placed,
                ).join(" -> ")}`,
            );
        placed.add(idOf(next));
        order.push(next);
    }
    return order;
}

/** A cycle among the unplaced ids: follow each one's first unplaced dependency until one repeats. */
function cycleAmong(unplaced: string[], waitsFor: Map<string, string[]>, placed: Set<string>): string[] {
    const trail: string[] = [];
    for (let id: string | undefined = unplaced[0]; id !== undefined; id = waitsFor.get(id)!.find((d) => !placed.has(d))) {
        const seen = trail.indexOf(id);
        if (seen >= 0) return [...trail.slice(seen), id];
        trail.push(id);
    }
    return trail;
}
