/**
 * `npm run plan -- --stack <name> [--out <dir>]`: the offline plan. Runs the real program for a
 * stack under Pulumi's mock engine against the synthetic cloud and reports what it would build.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { defaultParallel, parseArgs, PlanOptions, usage, UsageError } from "./args";
import { evaluateProgram } from "./evaluate";
import { PlannedCluster, plannedClusters, renderPlan } from "./report";
import { secretPlaceholderPrefix } from "../synthetic/placeholders";
import { PlanError, readStackConfig } from "./stackConfig";
import { timeToMesh } from "./timeToMesh";
import { topologyMarkdown } from "./topology";

/** What a plan run prints and how it ends. */
export interface PlanResult {
    exitCode: number;
    stdout: string;
    stderr: string;
    /** Files written under --out, relative to it. */
    written: string[];
}

/** The values file of one release, with a header saying where it comes from. */
export function valuesFile(cluster: string, release: PlannedCluster["releases"][number]): string {
    return (
        `# Helm values of release ${release.name} (chart ${release.chart} ${release.version}) in cluster ${cluster},\n` +
        "# as the program sends them; from the offline plan: addresses in it are SYNTHETIC.\n" +
        stringify(release.values, { sortMapEntries: true })
    );
}

/** Writes the review files under `out`; returns their paths relative to it. */
function writeOut(out: string, clusters: PlannedCluster[], topology: string): string[] {
    const written: string[] = [];
    for (const c of clusters) {
        fs.mkdirSync(path.join(out, c.config.name), { recursive: true });
        for (const r of c.releases) {
            const file = path.join(c.config.name, `${r.name}.yaml`);
            fs.writeFileSync(path.join(out, file), valuesFile(c.config.name, r));
            written.push(file);
        }
    }
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "topology.md"), topology);
    written.push("topology.md");
    return written;
}

/** Runs the plan in-process. Never throws for a plan that cannot run: the exit code says so. */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    const fail = (message: string): PlanResult => ({ exitCode: 1, stdout: "", stderr: `${message}\n`, written: [] });
    let stackConfig;
    try {
        stackConfig = readStackConfig(projectDir, options.stack);
    } catch (err) {
        if (err instanceof PlanError) return fail(`error: ${err.message}`);
        throw err;
    }
    const evaluation = await evaluateProgram(stackConfig.values, { stack: stackConfig.stack, secretKeys: stackConfig.secretKeys });
    if (evaluation.error || !evaluation.config) {
        const { message, configError } = evaluation.error ?? { message: "the program produced no config", configError: false };
        // Exactly what the program says under `pulumi up`, after a line saying where it came from.
        const intro = configError
            ? `The program refused the config of stack ${stackConfig.stack} (${stackConfig.stackFile}), as pulumi up would:`
            : `The program failed for stack ${stackConfig.stack} (${stackConfig.stackFile}):`;
        const warnings = evaluation.warnings.map((w) => `warning: ${w}\n`).join("");
        const hint = message.includes(secretPlaceholderPrefix)
            ? "\n(A value above stands in for a secret of the stack file: the offline plan does not decrypt secrets, so it cannot plan a stack whose secret holds structured config.)"
            : "";
        return fail(`${warnings}${intro}\n${message}${hint}`);
    }
    const parallel = options.parallel !== undefined ? { value: options.parallel, source: "from --parallel" } : defaultParallel();
    const clusters = plannedClusters(evaluation.rec, evaluation.config);
    const time = timeToMesh(evaluation.rec, evaluation.config, parallel.value);
    let stdout = renderPlan({
        stack: stackConfig.stack,
        project: stackConfig.project,
        stackFile: stackConfig.stackFile,
        substitutions: stackConfig.substitutions,
        warnings: evaluation.warnings,
        waitingFor: evaluation.outputs?.waitingFor ?? [],
        clusters,
        registrations: evaluation.rec.all.length,
        time,
        parallelSource: parallel.source,
    });
    let written: string[] = [];
    if (options.out) {
        const out = path.resolve(projectDir, options.out);
        written = writeOut(out, clusters, topologyMarkdown(stackConfig.stack, evaluation.config));
        stdout += `\nWrote ${written.length} files to ${options.out}: Helm values per release (<cluster>/<release>.yaml) and topology.md\n`;
    }
    return { exitCode: 0, stdout, stderr: "", written };
}

/** The command line: parse, run, print, exit. */
async function main(argv: string[]): Promise<number> {
    let options;
    try {
        options = parseArgs(argv);
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`error: ${err.message}\nRun with --help for usage.\n`);
        return 2;
    }
    if (options === "help") {
        process.stdout.write(`${usage}\n`);
        return 0;
    }
    const result = await runPlan(options);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err) => {
            process.stderr.write(`plan failed unexpectedly: ${err instanceof Error ? err.stack : String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
