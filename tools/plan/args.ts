/** Command-line arguments of the plan. Pure: no I/O. */
import * as os from "os";

import { readOptions, UsageError, wantsHelp } from "../cli";

export { UsageError } from "../cli";

/** What the plan is asked to do. */
export interface PlanOptions {
    /** Stack whose Pulumi.<stack>.yaml to plan (`dev`, or `org/project/dev`). */
    stack: string;
    /** Directory for the Helm values and topology.md; nothing is written without it. */
    out?: string;
    /** Operations the engine runs at once, for the time estimate; default Pulumi's. */
    parallel?: number;
    /** The Pulumi project's directory; default the current directory. */
    projectDir?: string;
}

export const usage = `Usage: npm run plan -- --stack <name> [--out <dir>] [--parallel N] [--cwd <project dir>]

Runs this program for a stack without any cloud: the real code under Pulumi's mock engine, with
Pulumi.yaml's defaults and Pulumi.<stack>.yaml's config, against SYNTHETIC provider outputs. No
credentials, no network, no Pulumi CLI. Secrets are replaced by labelled placeholders.

Prints per cluster: cloud, region, role, network, the Helm releases (chart, version), the remote
secrets it holds, where its remotePilotAddress comes from; the warnings the program logs; and an
estimated time to a working mesh (critical path of the resource graph).

Options:
  --stack <name>   stack to plan (required): reads Pulumi.<name>.yaml
  --out <dir>      also write <dir>/<cluster>/<release>.yaml (Helm values) and <dir>/topology.md
                   (Mermaid), for diffing two plans
  --parallel N     operations the engine runs at once, for the estimate (default: Pulumi's,
                   PULUMI_PARALLEL or 4 x CPUs)
  --cwd <dir>      the Pulumi project directory (default: the current directory)
  -h, --help       show this help

Exit code: 0 when the program runs, 1 when it stops (config errors, a stack file using ESC), 2 for
a bad command line.`;

/**
 * The Pulumi CLI's default for `--parallel`: PULUMI_PARALLEL when set, else 4 x GOMAXPROCS (the
 * CPUs). Source: `defaultParallel()` in pulumi/pulumi pkg/cmd/pulumi/operations/up.go, from
 * https://github.com/pulumi/pulumi/pull/15016 (issue #14989); unbounded before that (2018-2023).
 */
export function defaultParallel(env: NodeJS.ProcessEnv = process.env, cpus = os.availableParallelism()): { value: number; source: string } {
    const fromEnv = Number(env.PULUMI_PARALLEL);
    if (Number.isInteger(fromEnv) && fromEnv > 0) return { value: fromEnv, source: "from PULUMI_PARALLEL" };
    return { value: 4 * cpus, source: `Pulumi's default on this machine: 4 x ${cpus} CPUs` };
}

const options = ["--stack", "--out", "--parallel", "--cwd"];

/** Parses argv (without node and the script); `help` when asked for. Throws UsageError. */
export function parseArgs(argv: string[]): PlanOptions | "help" {
    if (wantsHelp(argv)) return "help";
    const { values, positionals } = readOptions(argv, { valued: options });
    if (positionals.length > 0) {
        throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: options take the form --stack <name>`);
    }
    const stack = values.get("--stack");
    if (!stack) throw new UsageError("--stack is required, e.g. --stack dev (plans Pulumi.dev.yaml)");
    let parallel: number | undefined;
    if (values.has("--parallel")) {
        parallel = Number(values.get("--parallel"));
        if (!Number.isInteger(parallel) || parallel < 1) {
            throw new UsageError(`--parallel ${values.get("--parallel")}: must be a whole number of at least 1`);
        }
    }
    return { stack, out: values.get("--out"), parallel, projectDir: values.get("--cwd") };
}
