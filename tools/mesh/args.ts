/** Command line of the mesh orchestrator. Pure: no I/O. */
import { readOptions, UsageError, wantsHelp } from "../cli";
import type { Operation } from "./order";

export { UsageError } from "../cli";

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
gives its readers admin on that remote cluster (see docs/split-stacks.md).
Stacks it creates get the backend's default secrets provider: create a stack yourself
(pulumi stack init --secrets-provider ...) to choose another.
Exit code: 0 when every step succeeds, 1 when a step or a check fails, 2 for a bad command line.`;

const valued = ["--stacks", "--cwd"];
const flags = ["--yes"];

/** Parses argv (without node and the script); throws UsageError. */
export function parseArgs(argv: string[], cwd: string): MeshArgs {
    if (wantsHelp(argv)) return { help: true };
    const { values, flags: given, positionals } = readOptions(argv, { valued, flags });
    if (positionals.length > 1) {
        throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}: give one of ${operations.join(", ")}, once`);
    }
    const [word] = positionals;
    if (word !== undefined && !operations.includes(word as Operation)) {
        throw new UsageError(`${JSON.stringify(word)} is not an operation (valid: ${operations.join(", ")})`);
    }
    const operation = word as Operation | undefined;
    const yes = given.has("--yes");
    if (operation === undefined) throw new UsageError(`an operation is required: ${operations.join(", ")}`);
    const rawStacks = values.get("--stacks");
    if (rawStacks === undefined) throw new UsageError("--stacks is required: every stack of the mesh, e.g. --stacks eks-team,aks-team");
    const stacks = rawStacks.split(",").map((s) => s.trim());
    if (stacks.some((s) => s === ""))
        throw new UsageError(`--stacks ${JSON.stringify(rawStacks)}: has an empty name (names are separated by commas, no spaces needed)`);
    return { help: false, operation, stacks, cwd: values.get("--cwd") ?? cwd, yes };
}
