/**
 * Scheduling arithmetic over a graph of operations: the critical path (unbounded parallelism),
 * the finish time when at most N operations run at once (the engine's `--parallel`), and the
 * sum of every duration (someone doing one step after another). Pure.
 */
import { topologicalOrder as sortTopologically } from "../graph";

/** One resource operation: how long it takes and what must finish before it starts. */
export interface Operation {
    id: string;
    seconds: number;
    /** Ids of the operations it waits for; ids not in the graph are ignored. */
    dependsOn: string[];
}

/** Operations in a valid order (every operation after what it waits for); throws on a cycle. */
export function topologicalOrder(ops: Operation[]): Operation[] {
    return sortTopologically(
        ops,
        (o) => o.id,
        (o) => o.dependsOn,
    );
}

/** The longest chain of waits: its length is the finish time with unbounded parallelism. */
export function criticalPath(ops: Operation[]): { seconds: number; path: Operation[] } {
    const byId = new Map(ops.map((o) => [o.id, o]));
    const finish = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    for (const op of topologicalOrder(ops)) {
        let start = 0;
        let before: string | undefined;
        for (const dep of op.dependsOn) {
            const f = finish.get(dep);
            if (f !== undefined && f > start) {
                start = f;
                before = dep;
            }
        }
        finish.set(op.id, start + op.seconds);
        via.set(op.id, before);
    }
    let last: string | undefined;
    let seconds = 0;
    for (const op of ops) {
        const f = finish.get(op.id)!;
        if (last === undefined || f > seconds) {
            last = op.id;
            seconds = f;
        }
    }
    const path: Operation[] = [];
    for (let id = last; id !== undefined; id = via.get(id)) path.unshift(byId.get(id)!);
    return { seconds, path };
}

/**
 * Finish time when at most `parallel` operations run at once: whenever a slot is free, the
 * earliest-registered operation whose dependencies are done starts (list scheduling, as the
 * engine starts steps in the order the program registers them).
 */
export function scheduledFinish(ops: Operation[], parallel: number): number {
    if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`parallel must be a whole number of at least 1, not ${parallel}`);
    topologicalOrder(ops); // rejects cycles, which would never finish
    const ids = new Set(ops.map((o) => o.id));
    const waitsFor = new Map(ops.map((o) => [o.id, new Set(o.dependsOn.filter((d) => ids.has(d) && d !== o.id))]));
    const pending = [...ops];
    const running: { id: string; end: number }[] = [];
    const done = new Set<string>();
    let now = 0;
    while (pending.length > 0 || running.length > 0) {
        for (let i = 0; i < pending.length && running.length < parallel;) {
            const op = pending[i];
            if ([...waitsFor.get(op.id)!].every((d) => done.has(d))) {
                running.push({ id: op.id, end: now + op.seconds });
                pending.splice(i, 1);
            } else {
                i++;
            }
        }
        now = Math.min(...running.map((r) => r.end));
        for (const r of running.filter((x) => x.end === now)) done.add(r.id);
        running.splice(0, running.length, ...running.filter((x) => x.end !== now));
    }
    return now;
}

/** Every duration added up: the runbook of someone doing one step after another. */
export function sequentialSum(ops: Operation[]): number {
    return ops.reduce((sum, o) => sum + o.seconds, 0);
}
