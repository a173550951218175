/** Command line of the mesh orchestrator. Pure: no I/O. */
import type { Operation } from "./order";

/** A bad command line; its message says what to change. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** A valid command line. */
export type MeshArgs =
    | { help: true }
    | {
          help: false;
          operation: Operation;
          /** As given: short (`eks-team`) or fully qualified (`acme/istio-multicloud/eks-team`). */
          stacks: string[];
          /** The Pulumi project directory. */
          cwd: string;
          /** Run up or destroy without asking. */
          yes: boolean;
      };

const operations: Operation[] = ["up", "preview", "destroy"];

export const usage = `Usage: npm run mesh -- up|preview|destroy --stacks <a,b,...> [--cwd <project dir>] [--yes]

Brings up, previews or destroys the stacks that together own ONE mesh (each stack file has
clusters, peers owned by other stacks, and rootCaFrom), in the order their StackReferences need:
  init     every stack exists (up creates missing ones: a StackReference to a stack never
           created fails the program that reads it)
  pass A   the root owner, then every stack with primaries (after its rootCaFrom stack)
  pass B   stacks with remotes of another stack's primary: base + istiod, publish remote secrets
  pass C   stacks with primaries and peers again: attach every published peer, publish attached
  pass D   the remotes' stacks again: gateway and workloads, once their primary attached them
Passes with nothing to do are skipped: a single stack is one up. The stack files are checked
first (peers among --stacks and agreeing with their owners, one root owner, no cycles).
preview runs one preview per stack and creates nothing: each stack is previewed against its
peers' CURRENT outputs, so later passes of up may change more than the preview shows.
destroy goes the other way: remotes' stacks before their primaries' stacks, the root owner last.

Options:
  --stacks <a,b,...>  every stack of the mesh (required): short names (Pulumi.<name>.yaml) or
                      fully qualified (<org>/<project>/<name>)
  --cwd <dir>         the Pulumi project directory (default: the current directory)
  --yes               up or destroy without asking first (required when stdin is not a terminal)
  -h, --help          show this help

Needs the Pulumi CLI (3.x) on PATH, logged in (pulumi login) to the ONE backend that holds
every stack of the mesh, and every stack's secrets provider: PULUMI_CONFIG_PASSPHRASE (or
_FILE) for passphrase stacks, one variable for the whole run, so they must share a passphrase;
credentials for cloud KMS ones. Plus each stack's cloud credentials, as for pulumi up.
Reading a peer's outputs needs read access to its stack; a stack that publishes a remote secret
gives its readers admin on that remote cluster (see the README).
Stacks it creates get the backend's default secrets provider: create a stack yourself
(pulumi stack init --secrets-provider ...) to choose another.
Exit code: 0 when every step succeeds, 1 when a step or a check fails, 2 for a bad command line.`;

const valued = ["--stacks", "--cwd"];
const flags = ["--yes"];

/** Parses argv (without node and the script); throws UsageError. */
export function parseArgs(argv: string[], cwd: string): MeshArgs {
    if (argv.some((a) => a === "-h" || a === "--help")) return { help: true };
    let operation: Operation | undefined;
    const values = new Map<string, string>();
    let yes = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("-")) {
            if (operation !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: give one of ${operations.join(", ")}, once`);
            if (!operations.includes(arg as Operation)) {
                throw new UsageError(`${JSON.stringify(arg)} is not an operation (valid: ${operations.join(", ")})`);
            }
            operation = arg as Operation;
            continue;
        }
        const eq = arg.indexOf("=");
        const name = eq >= 0 ? arg.slice(0, eq) : arg;
        if (flags.includes(name)) {
            if (eq >= 0) throw new UsageError(`${name} takes no value`);
            yes = true;
            continue;
        }
        if (!valued.includes(name)) throw new UsageError(`unknown option ${name} (options: ${[...valued, ...flags].join(", ")})`);
        let value: string | undefined;
        if (eq >= 0) value = arg.slice(eq + 1);
        else if (i + 1 < argv.length && !argv[i + 1].startsWith("-")) value = argv[++i];
        if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
        if (values.has(name)) throw new UsageError(`${name} is given twice`);
        values.set(name, value);
    }
    if (operation === undefined) throw new UsageError(`an operation is required: ${operations.join(", ")}`);
    const rawStacks = values.get("--stacks");
    if (rawStacks === undefined) throw new UsageError("--stacks is required: every stack of the mesh, e.g. --stacks eks-team,aks-team");
    const stacks = rawStacks.split(",").map((s) => s.trim());
    if (stacks.some((s) => s === "")) throw new UsageError(`--stacks ${JSON.stringify(rawStacks)}: has an empty name (names are separated by commas, no spaces needed)`);
    return { help: false, operation, stacks, cwd: values.get("--cwd") ?? cwd, yes };
}
