/** The benchmark's table: one row per mesh size, then ratios between sizes. Pure. */
import { formatDuration } from "../plan/durations";

/** What was measured and computed for one mesh size. */
export interface BenchRow {
    clusters: number;
    /** Every registration the program made (resources and components). */
    registrations: number;
    /** Operations the engine would run (resources and multi-language components). */
    operations: number;
    /** Wall time of one evaluation of the program under the mock engine, no delays. */
    planMs: number;
    /** Wall time of the run with every resource delayed in proportion to its typical duration. */
    simulatedMs: number;
    /** That wall time read back as deployment time (wall time / scale): includes the program's CPU time. */
    simulatedSeconds: number;
    /** The same less one evaluation's CPU time ((wall - planMs) / scale): the other bound. */
    simulatedLessEvalSeconds: number;
    /** Critical path of the recorded graph with unbounded parallelism. */
    criticalPathSeconds: number;
    /** Finish time with the engine's parallel limit. */
    limitedSeconds: number;
    /** Every duration added up. */
    sequentialSeconds: number;
}

/** A ratio as `3.3x`; `-` when the base is zero. */
export function ratio(value: number, base: number): string {
    if (base === 0) return "-";
    return `${(value / base).toFixed(1)}x`;
}

/** Milliseconds for people: `850 ms`, `2.4 s`. */
export function formatMs(ms: number): string {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Left-aligned first column, right-aligned numbers, separated by two spaces. */
export function alignColumns(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows
        .map((r) =>
            r
                .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

export const headers = [
    "clusters",
    "registrations",
    "operations",
    "plan eval",
    "simulated run",
    "= deploy time",
    "less eval CPU",
    "critical path",
    "with --parallel",
    "sequential sum",
    "critical/sequential",
];

/**
 * The table: a row per size, then `N/base` rows comparing each size with the first (smallest)
 * one. `parallel` is the engine limit the "with --parallel" column used.
 */
export function renderBenchTable(rows: BenchRow[], parallel: number): string {
    const header = headers.map((h) => (h === "with --parallel" ? `with --parallel ${parallel}` : h));
    const lines: string[][] = [header];
    for (const r of rows) {
        lines.push([
            String(r.clusters),
            String(r.registrations),
            String(r.operations),
            formatMs(r.planMs),
            formatMs(r.simulatedMs),
            formatDuration(r.simulatedSeconds),
            formatDuration(r.simulatedLessEvalSeconds),
            formatDuration(r.criticalPathSeconds),
            formatDuration(r.limitedSeconds),
            formatDuration(r.sequentialSeconds),
            (r.criticalPathSeconds / r.sequentialSeconds).toFixed(2),
        ]);
    }
    const base = rows[0];
    for (const r of rows.slice(1)) {
        lines.push([
            `${r.clusters}/${base.clusters}`,
            ratio(r.registrations, base.registrations),
            ratio(r.operations, base.operations),
            ratio(r.planMs, base.planMs),
            ratio(r.simulatedMs, base.simulatedMs),
            ratio(r.simulatedSeconds, base.simulatedSeconds),
            ratio(r.simulatedLessEvalSeconds, base.simulatedLessEvalSeconds),
            ratio(r.criticalPathSeconds, base.criticalPathSeconds),
            ratio(r.limitedSeconds, base.limitedSeconds),
            ratio(r.sequentialSeconds, base.sequentialSeconds),
            "",
        ]);
    }
    return alignColumns(lines);
}
