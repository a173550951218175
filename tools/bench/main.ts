/**
 * `npm run bench`: how the program scales with the size of the mesh. For generated meshes of 3,
 * 10 and 25 clusters it measures one evaluation of the real program under the mock engine,
 * counts what it registers, and compares two deployment-time estimates: a run whose mocks wait
 * in proportion to each resource's typical duration (the program's real parallelism, in wall
 * time) and the critical path computed from the recorded graph, next to the sequential sum.
 */
import * as os from "os";
import { performance } from "perf_hooks";
import { parseMeshConfig } from "../../stacks/config";
import { defaultParallel } from "../plan/args";
import { evaluateProgram } from "../plan/evaluate";
import { timeToMesh } from "../plan/timeToMesh";
import { cloudMocks } from "../synthetic/outputs";
import { benchGcpProject, benchStackConfig } from "./configs";
import { delayedMocks } from "./simulate";
import { BenchRow, renderBenchTable } from "./table";
import { readOptions, UsageError } from "../cli";

/** What the benchmark runs. */
export interface BenchOptions {
    sizes: number[];
    /** Wall-clock milliseconds that stand for one minute of deployment in the simulated run. */
    msPerMinute: number;
    parallel: number;
}

/**
 * 400 ms per minute: at 5 ms per minute the program's own CPU time (about 5 ms per registration
 * on a 2-core machine) would drown the delays; at this scale they dominate up to 25 clusters.
 */
export const defaultBenchOptions = (): BenchOptions => ({ sizes: [3, 10, 25], msPerMinute: 400, parallel: defaultParallel().value });

/** Measures one mesh size. */
export async function benchSize(size: number, options: BenchOptions): Promise<BenchRow> {
    const raw = benchStackConfig(size);
    const { "gcp:project": _project, ...ours } = raw;
    const { config, warnings } = parseMeshConfig(ours, { gcpProject: benchGcpProject });
    if (warnings.length > 0) throw new Error(`the generated ${size}-cluster config draws warnings:\n${warnings.join("\n")}`);

    const start = performance.now();
    const plan = await evaluateProgram(raw, { stack: "bench" });
    const planMs = performance.now() - start;
    if (plan.error) throw new Error(`the program failed on the generated ${size}-cluster config: ${plan.error.message}`);
    const time = timeToMesh(plan.rec, config, options.parallel);

    const simStart = performance.now();
    const simulated = await evaluateProgram(raw, { stack: "bench", mocks: delayedMocks(cloudMocks, config, options.msPerMinute) });
    const simulatedMs = performance.now() - simStart;
    if (simulated.error) throw new Error(`the delayed run failed on the generated ${size}-cluster config: ${simulated.error.message}`);

    return {
        clusters: size,
        registrations: plan.rec.all.length,
        operations: time.operations,
        planMs,
        simulatedMs,
        simulatedSeconds: (simulatedMs / options.msPerMinute) * 60,
        simulatedLessEvalSeconds: (Math.max(0, simulatedMs - planMs) / options.msPerMinute) * 60,
        criticalPathSeconds: time.criticalPath,
        limitedSeconds: time.withParallelLimit,
        sequentialSeconds: time.sequential,
    };
}

/** The machine, for the record next to the figures. */
export function machineDescription(): string {
    const cpus = os.cpus();
    return `${cpus.length} x ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Runs every size and returns the report. */
export async function runBench(options: BenchOptions, progress: (line: string) => void = () => {}): Promise<string> {
    // One throwaway run first: module loading and JIT warm-up would otherwise count against the first size.
    await evaluateProgram(benchStackConfig(options.sizes[0]), { stack: "bench" });
    const rows: BenchRow[] = [];
    for (const size of options.sizes) {
        progress(`bench: ${size} clusters`);
        rows.push(await benchSize(size, options));
    }
    return [
        `Machine: ${machineDescription()}`,
        `Simulated run: each resource's mock answers after its typical duration at ${options.msPerMinute} ms per minute, ` +
            `with no limit on parallel operations; "= deploy time" reads its wall time back at that scale, which includes ` +
            `the program's own CPU time; "less eval CPU" takes one plan evaluation's time off: the true figure lies between the two.`,
        `Critical path and sequential sum: typical durations (tools/plan/durations.ts) over the recorded graph; ` +
            `"with --parallel" limits the engine to ${options.parallel} operations at once.`,
        "",
        renderBenchTable(rows, options.parallel),
        "",
    ].join("\n");
}

/** Parses `--sizes 3,10,25 --ms-per-minute 5 --parallel 8`. */
export function parseBenchArgs(argv: string[], defaults: BenchOptions = defaultBenchOptions()): BenchOptions {
    const options = { ...defaults };
    const { values, positionals } = readOptions(argv, { valued: ["--sizes", "--ms-per-minute", "--parallel"] });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const number = (flag: string, v: string | undefined) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, not ${JSON.stringify(v)}`);
        return n;
    };
    const sizes = values.get("--sizes");
    if (sizes !== undefined) options.sizes = sizes.split(",").map((s) => Math.round(number("--sizes", s)));
    if (values.has("--ms-per-minute")) options.msPerMinute = number("--ms-per-minute", values.get("--ms-per-minute"));
    if (values.has("--parallel")) options.parallel = Math.round(number("--parallel", values.get("--parallel")));
    return options;
}

if (require.main === module) {
    (async () => {
        const options = parseBenchArgs(process.argv.slice(2));
        process.stdout.write(await runBench(options, (line) => process.stderr.write(`${line}\n`)));
    })().catch((err) => {
        process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    });
}
